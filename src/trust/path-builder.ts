// Chain building as OpenSSL 3.0's build_chain does it with X509_V_FLAG_TRUSTED_FIRST (Node's and the
// CLI's default): the store first, then the untrusted certificates, each used once; after a store
// certificate only the store; a depth limit; and the error when no anchor is reached. Pure.
import type { StoreName } from '../types.js';
import type { ParsedCertificate } from './certificate.js';
import { bestIssuer } from './issuer-match.js';
import type { TrustStore } from './trust-store.js';

export interface PathNode {
  cert: ParsedCertificate;
  /** Index into the sent chain, or null when the certificate came only from a store (or the extra untrusted list). */
  sentIndex: number | null;
  /** The store that supplied it (trusted-first), or null when only the server sent it. */
  store: StoreName | null;
  /** Index into options.untrusted when the certificate came from there. */
  untrustedIndex?: number;
}

export interface BuildOptions {
  /**
   * OpenSSL's verify depth (-verify_depth): certificates allowed between the leaf and the anchor.
   * Default 100, where a Node client, whose callback lets 22 pass, ends with 20 (measured); given
   * explicitly, the verdict is 22 as `openssl verify -verify_depth N` reports it.
   */
  maxDepth?: number;
  /** More intermediates, unordered, searched after the sent ones (like `openssl verify -untrusted`). */
  untrusted?: ParsedCertificate[];
}

export interface BuiltChain {
  path: PathNode[];
  trusted: boolean;
  /**
   * The build_chain errors when no anchor was reached, in the order reported, all at the top's depth:
   * 22 when the depth limit stopped the search, then 18, 19, 2 or 20. A callback that accepts every
   * error (Node's) sees both; `openssl verify` stops at 22.
   */
  errors: Array<{ code: number; depth: number }>;
}

// X509_VERIFY_PARAM "default": depth 100.
export const DEFAULT_MAX_DEPTH = 100;

interface Candidate {
  cert: ParsedCertificate;
  sentIndex: number | null;
  untrustedIndex?: number;
  store?: StoreName;
}

function storeCandidates(stores: TrustStore[], subject: ParsedCertificate): Candidate[] {
  const issuerName = subject.details.issuerName.canonical;
  return stores.flatMap((store) =>
    store.withSubject(issuerName).map((cert) => ({ cert, sentIndex: null, store: store.name })),
  );
}

export function buildChain(
  sent: ParsedCertificate[],
  stores: TrustStore[],
  now: Date,
  options: BuildOptions = {},
): BuiltChain {
  const maxDepth = Math.max(0, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  // build_chain stops looking once the chain holds maxDepth + 2 certificates.
  const limit = maxDepth + 1;
  const path: PathNode[] = [{ cert: sent[0]!, sentIndex: 0, store: null }];
  // With TLS the untrusted list is the whole Certificate message, leaf included.
  const pool: Candidate[] = [
    ...sent.map((cert, sentIndex) => ({ cert, sentIndex })),
    ...(options.untrusted ?? []).map((cert, untrustedIndex) => ({ cert, sentIndex: null, untrustedIndex })),
  ];
  let numUntrusted = 1;
  let searchUntrusted = true;
  let trusted = false;
  const inChain = (cert: ParsedCertificate) => path.some((node) => node.cert.der.equals(cert.der));

  for (;;) {
    const top = path[path.length - 1]!;
    const issuer = path.length > limit ? undefined : bestIssuer(top.cert, storeCandidates(stores, top.cert), now);
    if (issuer) {
      let ok = true;
      let selfSigned: boolean;
      if (!top.cert.selfSigned) {
        const copy = sent.findIndex((c, i) => c.der.equals(issuer.cert.der) && !path.some((n) => n.sentIndex === i));
        path.push({ cert: issuer.cert, sentIndex: copy >= 0 ? copy : null, store: issuer.store! });
        selfSigned = issuer.cert.selfSigned;
      } else if (issuer.cert.der.equals(top.cert.der)) {
        // A self-signed certificate is swapped for the store's copy only when identical.
        path[path.length - 1] = { ...top, cert: issuer.cert, store: issuer.store! };
        numUntrusted--;
        selfSigned = true;
      } else {
        ok = false; // a self-signed look-alike of a store certificate
        selfSigned = true;
      }
      if (ok) {
        searchUntrusted = false;
        // check_trust without aux trust settings: a store certificate counts only when self-signed.
        trusted = path.slice(numUntrusted).some((node) => node.cert.selfSigned);
        if (trusted) break;
        if (!selfSigned) continue;
      }
    }
    if (!searchUntrusted) break;
    const current = top.cert;
    const found =
      current.selfSigned || path.length > limit
        ? undefined
        : bestIssuer(
            current,
            pool.filter((c) => !inChain(c.cert) || (current.details.selfIssued && path.length === 1)),
            now,
          );
    if (!found) {
      searchUntrusted = false;
      continue;
    }
    pool.splice(pool.indexOf(found), 1);
    path.push({
      cert: found.cert,
      sentIndex: found.sentIndex,
      store: null,
      ...(found.untrustedIndex !== undefined ? { untrustedIndex: found.untrustedIndex } : {}),
    });
    numUntrusted++;
  }

  if (trusted) return { path, trusted, errors: [] };
  return { path, trusted, errors: noAnchorErrors(path, numUntrusted, limit, options.maxDepth !== undefined) };
}

/** The errors build_chain reports when the search ended without an anchor, all at the top's depth. */
function noAnchorErrors(
  path: PathNode[],
  numUntrusted: number,
  limit: number,
  explicitDepth: boolean,
): BuiltChain['errors'] {
  const depth = path.length - 1;
  const topCert = path[depth]!.cert;
  const errors: BuiltChain['errors'] = [];
  let code: number;
  if (topCert.selfSigned) code = path.length > 1 ? 19 : 18;
  else if (numUntrusted < path.length) code = 2;
  else code = 20;
  errors.push({ code, depth });
  // build_chain reports 22 first; Node's callback lets it pass, so 101 intermediates end in 20 (measured).
  if (path.length > limit) errors.splice(explicitDepth ? 1 : 0, 0, { code: 22, depth });
  return errors;
}
