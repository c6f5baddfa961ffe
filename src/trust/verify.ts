// Path building and verification over the certificates as sent plus a set of trust anchors; pure.
// Follows OpenSSL 3.0's X509_verify_cert as Node runs it (trusted-first issuer lookup, SSL-server
// purpose, no partial chains, and a verify callback that accepts every error so the last one wins),
// so the verdict matches what `authorizationError` of a real handshake says.
import { checkServerIdentity } from 'node:tls';
import type { StoreName } from '../types.js';
import { keyDescription, type ParsedCertificate } from './certificate.js';
import type { TrustStore } from './trust-store.js';

export type { TrustStore };
import { verifyCode } from './openssl-codes.js';


export interface PathNode {
  cert: ParsedCertificate;
  /** Index into the sent chain, or null when it came only from a store or the extra intermediates. */
  sentIndex: number | null;
  /** The store that supplied it (trusted-first), or null when it came from the server or the extra intermediates. */
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
  /** The path node the reported error is about. */
  errorNode: PathNode | null;
  /** Why, when the code alone does not say (UNSPECIFIED). */
  detail: string | null;
}

// OpenSSL's default verify depth (X509_VERIFY_PARAM default 100).
const MAX_DEPTH = 100;

interface Anchor {
  cert: ParsedCertificate;
  store: StoreName;
}

class AnchorIndex {
  constructor(private readonly stores: TrustStore[]) {}

  candidatesFor(child: ParsedCertificate): Anchor[] {
    return this.stores.flatMap((store) => store.withSubject(child.x509.issuer).map((cert) => ({ cert, store: store.name })));
  }

  exact(cert: ParsedCertificate): Anchor | undefined {
    for (const store of this.stores) {
      const match = store.withSubject(cert.x509.subject).find((c) => c.der.equals(cert.der));
      if (match) return { cert: match, store: store.name };
    }
    return undefined;
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

/**
 * OpenSSL's check_ca (crypto/x509/v3_purp.c): 0 not a CA, 1 basicConstraints CA:TRUE, 3 a v1
 * self-signed root, 4 key usage allows certSign but there are no basic constraints.
 */
function caKind(cert: ParsedCertificate): 0 | 1 | 3 | 4 {
  if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) return 0;
  if (cert.basicConstraints.present) return cert.basicConstraints.ca ? 1 : 0;
  if (cert.version === 1 && cert.selfSigned) return 3;
  if (cert.keyUsage !== null) return 4;
  return 0;
}

// Server-gated crypto EKUs count as serverAuth for OpenSSL's XKU_SSL_SERVER | XKU_SGC.
const SERVER_EKUS = ['serverAuth', '2.16.840.1.113730.4.1', '1.3.6.1.4.1.311.10.3.3'];

/** OpenSSL's SSL-server purpose (check_purpose_ssl_server). */
function serverPurposeAllowed(cert: ParsedCertificate, asCA: boolean): boolean {
  if (cert.extKeyUsage && !cert.extKeyUsage.some((eku) => SERVER_EKUS.includes(eku))) return false;
  if (asCA) return true;
  const ku = cert.keyUsage;
  return !ku || ku.includes('digitalSignature') || ku.includes('keyEncipherment') || ku.includes('keyAgreement');
}

export interface VerifyOptions {
  /** OpenSSL's verify depth: at most this many certificates between the leaf and the anchor. */
  maxDepth?: number;
  /** More candidate intermediates, searched after the sent ones (as `openssl verify -untrusted`). */
  untrusted?: ParsedCertificate[];
}

export function buildPath(sent: ParsedCertificate[], stores: TrustStore[], now: Date, options: VerifyOptions = {}): { path: PathNode[]; trusted: boolean; tooLong: boolean } {
  const anchors = new AnchorIndex(stores);
  const path: PathNode[] = [{ cert: sent[0]!, sentIndex: 0, store: null }];
  // The untrusted pool: the sent chain in its order, then the extra intermediates (never "sent").
  const pool = [...sent, ...(options.untrusted ?? [])];
  const used = new Set<number>([0]);
  let trusted = false;
  let tooLong = false;
  for (;;) {
    const top = path[path.length - 1]!;
    if (top.cert.selfSigned) {
      const copy = top.store ? undefined : anchors.exact(top.cert);
      if (copy) top.store = copy.store;
      trusted = top.store !== null;
      break;
    }
    // build_chain stops looking once the chain holds depth + 2 certificates (leaf and anchor included).
    if (path.length >= (options.maxDepth ?? MAX_DEPTH) + 2) {
      tooLong = true;
      break;
    }
    const fromStore = bestIssuer(top.cert, anchors.candidatesFor(top.cert), now);
    if (fromStore) {
      const sentIndex = sent.findIndex((c, i) => !used.has(i) && c.der.equals(fromStore.cert.der));
      if (sentIndex >= 0) used.add(sentIndex);
      path.push({ cert: fromStore.cert, sentIndex: sentIndex >= 0 ? sentIndex : null, store: fromStore.store });
      continue;
    }
    // Once a store certificate is on the path, OpenSSL's build_chain looks only in the store.
    if (top.store !== null) break;
    const unused = pool.map((cert, index) => ({ cert, index })).filter(({ index }) => !used.has(index));
    const fromSent = bestIssuer(top.cert, unused, now);
    if (!fromSent) break;
    used.add(fromSent.index);
    path.push({ cert: fromSent.cert, sentIndex: fromSent.index < sent.length ? fromSent.index : null, store: null });
  }
  return { path, trusted, tooLong };
}

const WEAK_DIGESTS = /^(md5|sha1)With|SHA1$/i;

/** Security bits of a certificate's key, as OpenSSL's EVP_PKEY_get_security_bits (NIST SP 800-57). */
function keySecurityBits(cert: ParsedCertificate): number {
  const { keyType, keyBits } = keyDescription(cert.x509);
  if (keyBits === null) return 128;
  if (keyType === 'RSA') return keyBits >= 15360 ? 256 : keyBits >= 7680 ? 192 : keyBits >= 3072 ? 128 : keyBits >= 2048 ? 112 : keyBits >= 1024 ? 80 : 0;
  return keyBits / 2;
}

/** Verifies the sent chain against the union of `stores`, then the name when `hostname` is given. */
export function verifyChain(sent: ParsedCertificate[], stores: TrustStore[], now: Date, hostname: string | null, options: VerifyOptions = {}): ChainVerdict {
  if (sent.length === 0) throw new Error('verifyChain needs at least the leaf certificate');
  const { path, trusted, tooLong } = buildPath(sent, stores, now, options);
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
    if (tooLong) fail(22, n - 1);
    else if (top.cert.selfSigned) fail(n === 1 ? 18 : 19, n - 1);
    else {
      missingIssuer = top.cert.issuer;
      fail(top.store ? 2 : 20, n - 1);
    }
  }

  // check_extensions: CA flags, purpose (trust anchors too: they carry no explicit trust settings), path length.
  let nonSelfIssued = 0;
  for (let i = 0; i < n; i++) {
    const node = path[i]!;
    if (i > 0) {
      const kind = caKind(node.cert);
      // Below the top only a real CA:TRUE will do; the top may be a v1 root or key-usage-only CA.
      if (kind === 0 || (i + 1 < n && kind !== 1)) fail(24, i);
    }
    if (!serverPurposeAllowed(node.cert, i > 0)) fail(26, i);
    const pathLen = node.cert.basicConstraints.pathLen;
    if (i > 1 && pathLen !== null && nonSelfIssued > pathLen) fail(25, i);
    if (i > 0 && !node.cert.selfSigned) nonSelfIssued++;
  }

  // check_auth_level at security level 1 (80 bits): small keys, and weak digests below the anchor.
  // Node 20 / OpenSSL 3.0 report both as X509_V_ERR_UNSPECIFIED (1), not 66-68 (measured), so
  // the code follows what clients print and `detail` keeps the real reason.
  let detail: string | null = null;
  for (let i = 0; i < n; i++) {
    const cert = path[i]!.cert;
    const bits = keyDescription(cert.x509);
    if (keySecurityBits(cert) < 80) {
      fail(1, i);
      detail = `a ${bits.keyBits}-bit ${bits.keyType} key is too weak for OpenSSL 3's default security level`;
    }
    if (i < n - 1 && WEAK_DIGESTS.test(cert.details.signatureAlgorithm)) {
      fail(1, i);
      detail = `a ${cert.details.signatureAlgorithm} signature is too weak for OpenSSL 3's default security level`;
    }
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
      return { ok: false, opensslCode: 62, code: code.nodeCode, message: mismatch.message, depth: 0, path, trusted, missingIssuer, errorNode: path[0]!, detail: null };
    }
  }
  const code = verifyCode(error);
  const errorNode = depth === null ? null : (path[depth] ?? null);
  return { ok: error === 0, opensslCode: error, code: code.nodeCode, message: code.message, depth, path, trusted, missingIssuer, errorNode, detail: error === 1 ? detail : null };
}
