// The only differences the differential test accepts: places where `openssl verify` and a Node 20 client
// contradict each other, so no verifier can equal both. Each rule names the chains it covers and why;
// a difference that is the verifier's own mistake never belongs here.
import type { DiffCase, Difference } from './compare.js';

export interface AllowRule {
  id: string;
  reason: string;
  applies(c: DiffCase, d: Difference): boolean;
}

// OpenSSL 3.0 texts of the auth-level errors (crypto/x509/x509_txt.c); Node names none of them, so they
// arrive as UNSPECIFIED with this message.
const AUTH_LEVEL_TEXTS = new Set([
  'EE certificate key too weak',
  'CA certificate key too weak',
  'CA signature digest algorithm too weak',
]);
// X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL, X509_V_ERR_CA_MD_TOO_WEAK.
const AUTH_LEVEL_CODES = new Set([66, 67, 68]);

export const ALLOW_LIST: AllowRule[] = [
  {
    id: 'auth-level',
    reason:
      'Weak keys and SHA-1 signatures below the anchor: `openssl verify` runs at auth level 0 unless given -auth_level, ' +
      'a Node client at security level 1 refuses them (66/67/68). Allowed only when `openssl verify -auth_level 1` refuses ' +
      "with nothing but auth-level errors (it stops at the first, Node's callback goes on to the last) and the verifier " +
      'reports what Node does (it follows Node, the client it stands in for); where Node cannot even complete a handshake ' +
      '(a leaf key on a curve TLS cannot use), the verifier must report one of those auth-level errors.',
    applies: (c, d) => {
      if (d.kind !== 'ok' || !c.openssl.ok || c.opensslAuthLevel1 === null || c.opensslAuthLevel1.ok) return false;
      if (
        c.opensslAuthLevel1.errors.length === 0 ||
        !c.opensslAuthLevel1.errors.every((e) => AUTH_LEVEL_CODES.has(e.code))
      )
        return false;
      const nodeAnswered = c.node.servable && c.node.handshakeError === null;
      if (!nodeAnswered)
        return (
          c.subject.code === 'UNSPECIFIED' && c.subject.message !== null && AUTH_LEVEL_TEXTS.has(c.subject.message)
        );
      return (
        c.node.code === 'UNSPECIFIED' &&
        c.node.message !== null &&
        AUTH_LEVEL_TEXTS.has(c.node.message) &&
        c.subject.code === c.node.code &&
        c.subject.message === c.node.message
      );
    },
  },
  {
    id: 'name-check',
    reason:
      "The name check itself: OpenSSL's X509_check_host and Node's checkServerIdentity (which https and the proxy's " +
      'gate use) disagree on some names (e.g. CN fallback, wildcard and trailing-dot rules). Allowed only when the chain ' +
      "otherwise verifies in both (openssl reports nothing but 62, Node authorizes) and the verifier gives Node's answer.",
    applies: (c, d) =>
      d.kind === 'ok' &&
      c.node.authorized &&
      ((c.openssl.errors.length === 1 && c.openssl.errors[0]!.code === 62 && c.node.code === null) ||
        (c.openssl.ok && c.node.code === 'ERR_TLS_CERT_ALTNAME_INVALID')) &&
      c.subject.code === c.node.code,
  },
];
