// A trust store: certificates kept as DER and parsed only when their subject is asked for.
// Building an X509Certificate costs ~0.15 ms, so parsing a 144-root bundle on every run costs
// more than the handshake itself; a subject index (cached on disk for large bundles) avoids it.
import type { StoreName } from '../types.js';
import { canonicalKey, nameKeyOfDer } from './canonical-name.js';
import { ParsedCertificate } from './certificate.js';
import { readTbsFields } from './x509-fields.js';

/**
 * The index key of a certificate's subject, read from the DER without building an X509Certificate:
 * OpenSSL's canonical name encoding (X509_NAME_cmp), so a lookup finds exactly the certificates
 * OpenSSL's store would, empty names included. '' when the certificate does not parse.
 */
export function subjectKeyOfDer(der: Buffer): string {
  try {
    return nameKeyOfDer(readTbsFields(der).subjectDer) ?? '';
  } catch {
    return '';
  }
}

export class TrustStore {
  private readonly parsed = new Map<number, ParsedCertificate | null>();
  private index: Map<string, number[]> | null = null;
  /** Few (the local CA): compared by length first, so a lookup does not encode every candidate. */
  private readonly excluded: Buffer[] = [];

  /**
   * @param ders the certificates, in file order
   * @param subjectKeys subjectKeyOfDer of each certificate, when known (from a cache)
   * @param onIndexBuilt called once when the index had to be built by parsing (to cache it)
   */
  constructor(
    readonly name: StoreName,
    private readonly ders: Buffer[],
    subjectKeys: string[] | null = null,
    private readonly onIndexBuilt?: (keys: string[]) => void,
  ) {
    if (subjectKeys && subjectKeys.length === ders.length) this.index = indexOf(subjectKeys);
  }

  static fromCertificates(name: StoreName, certs: ParsedCertificate[]): TrustStore {
    const store = new TrustStore(
      name,
      certs.map((c) => c.der),
    );
    certs.forEach((cert, i) => store.parsed.set(i, cert));
    return store;
  }

  /** Never trust this certificate from this store (tlswitness's own CA, even once installed). */
  exclude(der: Buffer): void {
    if (!this.isExcluded(der)) this.excluded.push(Buffer.from(der));
  }

  get size(): number {
    return this.ders.length;
  }

  /** The subject keys of every certificate, for the on-disk index. Reads each subject once. */
  subjectKeys(): string[] {
    return this.ders.map(subjectKeyOfDer);
  }

  /** Certificates whose subject equals a canonical name (see canonical-name.ts), an issuer usually. */
  withSubject(canonicalName: Buffer): ParsedCertificate[] {
    if (!this.index) {
      const keys = this.subjectKeys();
      this.index = indexOf(keys);
      this.onIndexBuilt?.(keys);
    }
    return (this.index.get(canonicalKey(canonicalName)) ?? [])
      .map((i) => this.certificate(i))
      .filter((c): c is ParsedCertificate => c !== null && !this.isExcluded(c.der));
  }

  /** The trusted certificates whose subject has this index key (subjectKeyOfDer), as DER, without parsing them. */
  dersWithSubjectKey(key: string): Buffer[] {
    if (!this.index) {
      const keys = this.subjectKeys();
      this.index = indexOf(keys);
      this.onIndexBuilt?.(keys);
    }
    return (this.index.get(key) ?? []).map((i) => this.ders[i]!).filter((der) => !this.isExcluded(der));
  }

  /** Every trusted certificate as DER, without parsing (the excluded ones left out). */
  anchorDers(): Buffer[] {
    return this.ders.filter((der) => !this.isExcluded(der));
  }

  private isExcluded(der: Buffer): boolean {
    return this.excluded.some((excluded) => excluded.length === der.length && excluded.equals(der));
  }

  /** Every certificate (parses them all). */
  all(): ParsedCertificate[] {
    return this.ders.map((_, i) => this.certificate(i)).filter((c): c is ParsedCertificate => c !== null);
  }

  private certificate(i: number): ParsedCertificate | null {
    let cert = this.parsed.get(i);
    if (cert === undefined) {
      try {
        cert = new ParsedCertificate(this.ders[i]!);
      } catch {
        cert = null; // one bad entry in a bundle is skipped, as OpenSSL skips it
      }
      this.parsed.set(i, cert);
    }
    return cert;
  }
}

function indexOf(keys: string[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  keys.forEach((key, i) => {
    if (!key) return;
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  });
  return index;
}
