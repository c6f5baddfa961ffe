// Path building and verification over the certificates as sent plus a set of trust anchors; pure.
// Follows OpenSSL 3.0's X509_verify_cert as Node runs it (trusted-first issuer lookup, SSL-server
// purpose, no partial chains, and a verify callback that accepts every error so the last one wins),
// so the verdict matches what `authorizationError` of a real handshake says.
import { checkServerIdentity } from 'node:tls';
import type { StoreName } from '../types.js';
import type { ParsedCertificate } from './certificate.js';
import { verifyCode } from './openssl-codes.js';

export interface TrustStore {
  name: StoreName;
  certs: ParsedCertificate[];
}

export interface PathNode {
  cert: ParsedCertificate;
  /** Index into the sent chain, or null when the certificate came only from a store. */
  sentIndex: number | null;
  /** The store that supplied it (trusted-first), or null when only the server sent it. */
  store: StoreName | null;
}

export interface ChainVerdict {
  ok: boolean;
  opensslCode: number;
  code: string | null;
  message: string;
  depth: number | null;
  path: PathNode[];
  trusted: boolean;
  /** The issuer name no store and no sent certificate provides, when the path stops short. */
  missingIssuer: string | null;
}

const MAX_DEPTH = 10;

interface Anchor {
  cert: ParsedCertificate;
  store: StoreName;
}

class AnchorIndex {
  private readonly bySubject = new Map<string, Anchor[]>();
  readonly all: Anchor[] = [];

  constructor(stores: TrustStore[]) {
    for (const store of stores) {
      for (const cert of store.certs) {
        const anchor = { cert, store: store.name };
        this.all.push(anchor);
        // Node's own name strings: native, and equal for equal names (OpenSSL compares canonical forms).
        const key = cert.x509.subject;
        const list = this.bySubject.get(key);
        if (list) list.push(anchor);
        else this.bySubject.set(key, [anchor]);
      }
    }
  }

  /** Candidates by formatted name, falling back to a full scan (OpenSSL compares canonical names). */
  candidatesFor(child: ParsedCertificate): Anchor[] {
    return this.bySubject.get(child.x509.issuer) ?? this.all;
  }

  exact(cert: ParsedCertificate): Anchor | undefined {
    return (this.bySubject.get(cert.x509.subject) ?? []).find((a) => a.cert.der.equals(cert.der));
  }
}

function withinValidity(cert: ParsedCertificate, now: Date): boolean {
  return cert.notBefore <= now && now <= cert.notAfter;
}

/** The best issuer among candidates: names and key ids match (checkIssued), then a good signature, then valid now. */
function bestIssuer<T extends { cert: ParsedCertificate }>(child: ParsedCertificate, candidates: T[], now: Date): T | undefined {
  let fallback: T | undefined;
  let signedButExpired: T | undefined;
  for (const candidate of candidates) {
    if (candidate.cert === child || !child.x509.checkIssued(candidate.cert.x509)) continue;
    // checkIssued compares names and key identifiers only.
    if (!child.x509.verify(candidate.cert.x509.publicKey)) {
      fallback ??= candidate;
      continue;
    }
    if (withinValidity(candidate.cert, now)) return candidate;
    signedButExpired ??= candidate;
  }
  return signedButExpired ?? fallback;
}

/** RFC 5280 CA test as OpenSSL's check_ca: key usage, if present, must allow certificate signing. */
function actsAsCA(cert: ParsedCertificate): boolean {
  if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) return false;
  if (cert.basicConstraints.present) return cert.basicConstraints.ca;
  return cert.keyUsage !== null;
}

/** OpenSSL's SSL-server purpose (check_purpose_ssl_server). */
function serverPurposeAllowed(cert: ParsedCertificate, asCA: boolean): boolean {
  if (cert.extKeyUsage && !cert.extKeyUsage.includes('serverAuth')) return false;
  if (asCA) return true;
  const ku = cert.keyUsage;
  return !ku || ku.includes('digitalSignature') || ku.includes('keyEncipherment') || ku.includes('keyAgreement');
}

export function buildPath(sent: ParsedCertificate[], stores: TrustStore[], now: Date): { path: PathNode[]; trusted: boolean } {
  const anchors = new AnchorIndex(stores);
  const path: PathNode[] = [{ cert: sent[0]!, sentIndex: 0, store: null }];
  const used = new Set<number>([0]);
  let trusted = false;
  while (path.length <= MAX_DEPTH) {
    const top = path[path.length - 1]!;
    if (top.cert.selfSigned) {
      const copy = top.store ? undefined : anchors.exact(top.cert);
      if (copy) top.store = copy.store;
      trusted = top.store !== null;
      break;
    }
    const fromStore = bestIssuer(top.cert, anchors.candidatesFor(top.cert), now);
    if (fromStore) {
      const sentIndex = sent.findIndex((c, i) => !used.has(i) && c.der.equals(fromStore.cert.der));
      if (sentIndex >= 0) used.add(sentIndex);
      path.push({ cert: fromStore.cert, sentIndex: sentIndex >= 0 ? sentIndex : null, store: fromStore.store });
      continue;
    }
    const unused = sent.map((cert, index) => ({ cert, index })).filter(({ index }) => !used.has(index));
    const fromSent = bestIssuer(top.cert, unused, now);
    if (!fromSent) break;
    used.add(fromSent.index);
    path.push({ cert: fromSent.cert, sentIndex: fromSent.index, store: null });
  }
  return { path, trusted };
}

/** Verifies the sent chain against the union of `stores`, then the name when `hostname` is given. */
export function verifyChain(sent: ParsedCertificate[], stores: TrustStore[], now: Date, hostname: string | null): ChainVerdict {
  if (sent.length === 0) throw new Error('verifyChain needs at least the leaf certificate');
  const { path, trusted } = buildPath(sent, stores, now);
  let error = 0;
  let depth: number | null = null;
  const fail = (code: number, at: number) => {
    error = code;
    depth = at;
  };
  const n = path.length;
  const top = path[n - 1]!;
  let missingIssuer: string | null = null;

  // build_chain
  if (!trusted) {
    if (top.cert.selfSigned) fail(n === 1 ? 18 : 19, n - 1);
    else {
      missingIssuer = top.cert.issuer;
      fail(top.store ? 2 : 20, n - 1);
    }
  }

  // check_extensions: CA flags, purpose, path length.
  let nonSelfIssued = 0;
  for (let i = 0; i < n; i++) {
    const node = path[i]!;
    const isAnchor = i === n - 1 && trusted;
    if (i > 0 && !actsAsCA(node.cert)) fail(24, i);
    if (!isAnchor && !serverPurposeAllowed(node.cert, i > 0)) fail(26, i);
    const pathLen = node.cert.basicConstraints.pathLen;
    if (i > 1 && pathLen !== null && nonSelfIssued > pathLen) fail(25, i);
    if (i > 0 && !node.cert.selfSigned) nonSelfIssued++;
  }

  // internal_verify: signatures and validity from the top down; a top that is not self-issued is not checked itself.
  let k = n - 1;
  let issuer = top.cert;
  let subject = top.cert;
  if (!top.cert.selfSigned) {
    if (k > 0) {
      k--;
      subject = path[k]!.cert;
    } else {
      fail(21, 0);
    }
  }
  while (k >= 0) {
    if (subject !== issuer && !subject.x509.verify(issuer.x509.publicKey)) fail(7, k);
    if (now < subject.notBefore) fail(9, k);
    else if (now > subject.notAfter) fail(10, k);
    if (--k < 0) break;
    issuer = subject;
    subject = path[k]!.cert;
  }

  if (error === 0 && hostname) {
    const leaf = sent[0]!.x509;
    const mismatch = checkServerIdentity(hostname, leaf.toLegacyObject());
    if (mismatch) {
      const code = verifyCode(62);
      return { ok: false, opensslCode: 62, code: code.nodeCode, message: mismatch.message, depth: 0, path, trusted, missingIssuer };
    }
  }
  const code = verifyCode(error);
  return { ok: error === 0, opensslCode: error, code: code.nodeCode, message: code.message, depth, path, trusted, missingIssuer };
}
