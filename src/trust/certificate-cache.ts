// A bounded cache of parsed certificates by their DER's SHA-256: the intermediates and roots that most
// chains share are parsed (names, extensions, keys, fingerprints) once per run, not once per record.
import { createHash } from 'node:crypto';
import { ParsedCertificate } from './certificate.js';

export interface CertificateCacheLimits {
  /** Certificates kept; the least recently used goes first. */
  maxEntries: number;
  /** Total DER bytes kept: a parsed certificate holds several times its DER, so the cap bounds memory. */
  maxBytes: number;
  /** A certificate larger than this is parsed but never kept (real ones are 1-4 KiB; a hostile one up to 16 MiB). */
  maxCertificateBytes: number;
}

export const DEFAULT_CACHE_LIMITS: CertificateCacheLimits = {
  maxEntries: 1_000,
  maxBytes: 4 * 1024 * 1024,
  maxCertificateBytes: 64 * 1024,
};

export class CertificateCache {
  private readonly entries = new Map<string, ParsedCertificate>();
  private heldBytes = 0;

  constructor(private readonly limits: CertificateCacheLimits = DEFAULT_CACHE_LIMITS) {}

  /**
   * The certificate for `der`, decoded, from the cache or parsed now. Throws as ParsedCertificate does
   * for DER node:crypto refuses; such DER is not kept, so a hostile server cannot fill the cache with it.
   */
  parse(der: Buffer): ParsedCertificate {
    const key = createHash('sha256').update(der).digest('base64');
    const hit = this.entries.get(key);
    if (hit && hit.der.equals(der)) {
      // Least recently used first: a hit moves to the newest end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const kept = der.length <= this.limits.maxCertificateBytes;
    const cert = new ParsedCertificate(kept ? ownCopy(der) : der);
    void cert.details; // decoded once here, so every record that shares it reads the same result
    if (kept) this.keep(key, cert);
    return cert;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The DER bytes held. */
  get bytes(): number {
    return this.heldBytes;
  }

  private keep(key: string, cert: ParsedCertificate): void {
    const old = this.entries.get(key);
    if (old) this.heldBytes -= old.der.length;
    this.entries.delete(key);
    this.entries.set(key, cert);
    this.heldBytes += cert.der.length;
    while (this.entries.size > this.limits.maxEntries || this.heldBytes > this.limits.maxBytes) {
      const [oldest, evicted] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.heldBytes -= evicted.der.length;
    }
  }
}

/** The bytes in memory of their own: a certificate read from a handshake is a view of the whole message, which keeping it would keep. */
function ownCopy(der: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(der.length);
  der.copy(copy);
  return copy;
}
