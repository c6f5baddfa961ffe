// The security levels' judgement of the path a live connection showed (OpenSSL verified it; Node showed
// it), as a record's path is judged: Node's OpenSSL runs at level 1, laxer than a careful client's.
import type { CertificateCache } from '../trust/certificate-cache.js';
import type { WeakCrypto } from '../types.js';
import { effectiveStores, effectiveVerdict, policyCert, safeParse, type TrustContext } from './chain-judgement.js';
import { judgeWeakCrypto } from './weak-crypto.js';

/**
 * The judgement of a path another verifier built, leaf first (`opensslLevel` as TrustContext's): null
 * when no client's level refuses a key or signature on it. `anchored`: the last certificate is the anchor.
 */
export function weakCryptoOnPath(
  ders: Buffer[],
  anchored: boolean,
  opensslLevel: number | null,
  cache?: CertificateCache,
): WeakCrypto | null {
  const path = safeParse(ders, [], cache).map(policyCert);
  return judgeWeakCrypto(path, anchored, opensslLevel)?.weakCrypto ?? null;
}

/**
 * The judgement of the path OpenSSL builds from `ders` against `trust`'s stores, trusted-first: a
 * cross-signed root sent with the chain is not on it when a store holds the root itself, though Node
 * links it. Null when no level refuses it; undefined when that path reaches no anchor.
 */
export function weakCryptoOnBuiltPath(ders: Buffer[], trust: TrustContext, now: Date): WeakCrypto | null | undefined {
  const sent = safeParse(ders, [], trust.certificates);
  const built = sent.length
    ? effectiveVerdict(sent, effectiveStores(trust), trust.opensslLevel ?? null, now, null, {})
    : null;
  return built?.effective.trusted ? (built.weak?.weakCrypto ?? null) : undefined;
}
