// OpenSSL's own verdict on one live TLS connection (chain against the context's anchors, then the
// name), from the facts a socket shows; pure. Shared by inspect's cross-check and the proxy's gate.
import { verifyCode, verifyCodeForNode, type VerifyCode } from './openssl-codes.js';
import type { OpensslVerdict } from '../types.js';

/** What the live connection showed, read off the socket by the agent. */
export interface ConnectionFacts {
  /** `socket.authorized`: OpenSSL verified the chain against the context's anchors. */
  authorized: boolean;
  /** `socket.authorizationError`, Node's code (UNSPECIFIED for codes outside its list). */
  authorizationError: string | null;
  /** OpenSSL's text for that error, when it could be read. */
  verifyMessage: string | null;
  /** What `checkServerIdentity(name, peer)` returned for the name the app asked for. */
  identityError: { code?: string; reason?: string; message: string } | null;
}

let byMessage: Map<string, VerifyCode> | null = null;

/** A verify code by OpenSSL's text (X509_verify_cert_error_string), for the codes Node calls UNSPECIFIED. */
function verifyCodeForMessage(message: string): VerifyCode | undefined {
  if (!byMessage) {
    byMessage = new Map();
    // OpenSSL 3's verify codes run from 0 to 95 (include/openssl/x509_vfy.h.in); unknown ones print "verify error N".
    for (let code = 0; code < 128; code++) {
      const known = verifyCode(code);
      if (!/^verify error /.test(known.message) && !byMessage.has(known.message)) byMessage.set(known.message, known);
    }
  }
  return byMessage.get(message);
}

export function opensslVerdict(facts: ConnectionFacts): OpensslVerdict {
  if (!facts.authorized) {
    const code = facts.authorizationError ?? 'UNSPECIFIED';
    // By OpenSSL's text when there is one: Node's UNSPECIFIED stands for many numbers, not only 1.
    const known = facts.verifyMessage ? verifyCodeForMessage(facts.verifyMessage) : verifyCodeForNode(code);
    return {
      ok: false,
      code,
      opensslCode: known?.opensslCode ?? null,
      message: facts.verifyMessage ?? known?.message ?? code,
    };
  }
  if (facts.identityError) {
    // X509_V_ERR_HOSTNAME_MISMATCH (62) / X509_V_ERR_IP_ADDRESS_MISMATCH (64), as a client checking the name in OpenSSL reports.
    return {
      ok: false,
      code: facts.identityError.code ?? 'ERR_TLS_CERT_ALTNAME_INVALID',
      opensslCode: 62,
      message: facts.identityError.reason ?? facts.identityError.message,
    };
  }
  return { ok: true, code: null, opensslCode: 0, message: 'ok' };
}
