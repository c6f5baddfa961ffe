// A connection's leaf that its host's record is not about (a load balancer's other certificate), judged
// on the path OpenSSL verified by the security levels the record is judged at: Node's OpenSSL runs at
// level 1, which accepts keys and signatures (RSA-1024) that a careful client refuses (SPEC `weak-crypto`).
// That path is rebuilt from what Node showed with the record's own path builder (trusted-first, as
// OpenSSL builds it): Node links each certificate to an issuer from the chain sent before the store.
import type { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import type { TrustContext } from '../diagnose/chain-judgement.js';
import { weakCryptoOnBuiltPath, weakCryptoOnPath } from '../diagnose/shown-path.js';
import { CertificateCache } from '../trust/certificate-cache.js';
import type { OpensslVerdict } from '../types.js';
import { UpstreamRefusal } from './openssl-gate.js';

// The intermediates and roots these paths share are parsed once (a leaf is ~0.1 ms; bounded).
const parsed = new CertificateCache({ maxEntries: 200, maxBytes: 1024 * 1024, maxCertificateBytes: 64 * 1024 });

/** Longer paths are not built by OpenSSL's default verify depth (100) in practice; a bound on a loop. */
const MAX_PATH = 16;

/**
 * The path as Node read it at the handshake (getPeerCertificate(true), which checkServerIdentity gets):
 * leaf first, each certificate's issuer from the chain sent or from the context's store, the anchor
 * last, linked to itself. Without it (a resumed session) the leaf alone, its top not an anchor.
 */
export function peerPath(
  shown: PeerCertificate | undefined,
  peer: X509Certificate | undefined,
): { ders: Buffer[]; anchored: boolean } {
  const ders: Buffer[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  let cert = shown as DetailedPeerCertificate | undefined;
  while (cert?.raw && !seen.has(cert) && ders.length < MAX_PATH) {
    seen.add(cert);
    ders.push(cert.raw);
    if (cert.issuerCertificate === cert) return { ders, anchored: true };
    cert = cert.issuerCertificate;
  }
  return { ders: ders.length || !peer ? ders : [peer.raw], anchored: false };
}

/**
 * The refusal of a connection whose leaf OpenSSL accepted but its host's record is not about, when a
 * security level the record is judged at (`machine`'s OpenSSL level, as TrustContext's) refuses a key or
 * signature on its path; null when none does.
 */
export function unrecordedLeafRefusal(
  shown: PeerCertificate | undefined,
  peer: X509Certificate | undefined,
  machine: { opensslLevel?(): number | null; trust?(): TrustContext | null },
  checkedName: string,
  openssl: OpensslVerdict,
  now = new Date(),
): UpstreamRefusal | null {
  const { ders, anchored } = peerPath(shown, peer);
  const trust = machine.trust?.();
  const built = trust
    ? weakCryptoOnBuiltPath(ders, { ...trust, certificates: trust.certificates ?? parsed }, now)
    : undefined;
  const weak = built !== undefined ? built : weakCryptoOnPath(ders, anchored, machine.opensslLevel?.() ?? null, parsed);
  if (!weak?.refusedBy.length) return null;
  const clients = weak.refusedBy.map((r) => `${r.client}: "${r.message}"`).join('; ');
  return new UpstreamRefusal(
    `the upstream certificate for ${checkedName} (leaf ${peer?.fingerprint256 ?? 'none'}, not yet recorded) has a key or signature too weak for a careful client (${clients})`,
    openssl,
    null,
  );
}
