// Chain verification over the certificates as sent plus a set of trust anchors; pure. Runs OpenSSL
// 3.0's X509_verify_cert as a Node 20 client does (verify_chain in crypto/x509/x509_vfy.c): every
// check runs and reports, and Node's callback accepts each error, so the last one reported is the
// verdict `authorizationError` gives; then Node's own hostname check when nothing failed.
import type { ParsedCertificate } from './certificate.js';
import { nodeIdentityCheck } from './identity-check.js';
import { checkAuthLevel, leafKeyTooWeak, weakKeyDetail } from './auth-level.js';
import { checkExtensions } from './extension-checks.js';
import { ABORT, checkNameConstraints } from './name-constraints.js';
import { verifyCode } from './openssl-codes.js';
import { buildChain, type BuildOptions, type PathNode } from './path-builder.js';
import { checkRfc3779 } from './rfc3779.js';
import { internalVerify } from './signature-checks.js';
import type { TrustStore } from './trust-store.js';

export type { TrustStore, PathNode, BuildOptions };

export interface ChainVerdict {
  ok: boolean;
  /** OpenSSL's number for the error (0 when ok; 62 for Node's hostname mismatch). */
  opensslCode: number;
  /** Node's code string: X509ErrorCode's name, 'UNSPECIFIED' outside its list, ERR_TLS_CERT_ALTNAME_INVALID for the name. */
  code: string | null;
  message: string;
  depth: number | null;
  path: PathNode[];
  trusted: boolean;
  /** The issuer name no store and no sent certificate provides, when the path stops short. */
  missingIssuer: string | null;
  /** The path node the reported error is about. */
  errorNode: PathNode | null;
  /** Why, when the code alone does not say (UNSPECIFIED codes: weak keys and digests, ...). */
  detail: string | null;
}

export type VerifyOptions = BuildOptions;

/** The path OpenSSL's build_chain would build (trusted-first), without judging it. */
export function buildPath(
  sent: ParsedCertificate[],
  stores: TrustStore[],
  now: Date,
  options: BuildOptions = {},
): { path: PathNode[]; trusted: boolean } {
  const { path, trusted } = buildChain(sent, stores, now, options);
  return { path, trusted };
}

/**
 * Verifies the sent chain against the union of `stores`, then the name when given (a hostname,
 * or an IP literal checked against IP SANs, as Node's checkServerIdentity does).
 */
export function verifyChain(
  sent: ParsedCertificate[],
  stores: TrustStore[],
  now: Date,
  name: string | null,
  options: VerifyOptions = {},
): ChainVerdict {
  if (sent.length === 0) throw new Error('verifyChain needs at least the leaf certificate');
  let error = 0;
  let depth: number | null = null;
  let detail: string | null = null;
  const report = (code: number, at: number, why?: string) => {
    error = code;
    depth = at;
    detail = why ?? null;
  };
  const explain = (text: string) => {
    detail = text;
  };

  // The leaf key first, before any chain exists.
  if (leafKeyTooWeak(sent[0]!)) {
    report(66, 0);
    explain(weakKeyDetail(sent[0]!));
  }
  const built = buildChain(sent, stores, now, options);
  const { path, trusted } = built;
  const chain = path.map((node) => node.cert);
  let missingIssuer: string | null = null;
  for (const { code } of built.errors) if (code === 2 || code === 20) missingIssuer = chain[chain.length - 1]!.issuer;
  if (built.errors.length && error !== 0) {
    // build_chain: "a preliminary error has become final" -- an error already recorded (the weak
    // leaf key) is reported again at the top instead of 22/18/19/2/20 (measured with Node 20).
    report(error, chain.length - 1, detail ?? undefined);
  } else {
    for (const { code, depth: at } of built.errors) report(code, at);
  }
  checkExtensions(chain, report);
  checkAuthLevel(chain, report, explain);
  internalVerify(chain, now, report);
  if (checkNameConstraints(chain, report) === ABORT) {
    if (error === 0) report(1, 0);
  } else checkRfc3779(chain, report);

  if (error === 0 && name) {
    const mismatch = hostnameMismatch(sent[0]!, name);
    if (mismatch) {
      // 62 for an IP literal too (the CLI's -verify_ip says 64): one number for Node's one code.
      const code = verifyCode(62);
      return {
        ok: false,
        opensslCode: code.opensslCode,
        code: code.nodeCode,
        message: mismatch,
        depth: 0,
        path,
        trusted,
        missingIssuer,
        errorNode: path[0]!,
        detail: null,
      };
    }
  }
  const code = verifyCode(error);
  const errorNode = depth === null ? null : (path[depth] ?? null);
  return {
    ok: error === 0,
    opensslCode: error,
    code: code.nodeCode,
    message: code.message,
    depth,
    path,
    trusted,
    missingIssuer,
    errorNode,
    detail: error === 0 ? null : detail,
  };
}

/** Node's checkServerIdentity on the leaf (its message), or null when the name matches (see identity-check.ts). */
function hostnameMismatch(leaf: ParsedCertificate, name: string): string | null {
  try {
    const mismatch = nodeIdentityCheck(name, leaf.peerCertificate);
    return mismatch ? mismatch.message : null;
  } catch (error) {
    return `the certificate's names could not be read: ${(error as Error).message}`;
  }
}
