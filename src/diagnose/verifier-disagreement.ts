// tlswitness's verdict on a chain against OpenSSL's own on the same connection; pure. Both should
// agree on ok and, when both refuse, on Node's error code (what a Node client's authorizationError
// says). A difference is a verifier bug: it is reported, never hidden.
import type { OpensslVerdict, StrictWarning, Verification } from '../types.js';

export const VERIFIER_DISAGREEMENT = 'VERIFIER_DISAGREEMENT';

function describe(ok: boolean, code: string | null, message: string | null): string {
  if (ok) return 'ok';
  return message && message !== code ? `${code} (${message.trim()})` : String(code);
}

export function verifierDisagreement(ours: Verification, openssl: OpensslVerdict): StrictWarning | null {
  if (ours.ok === openssl.ok && (ours.ok || ours.code === openssl.code)) return null;
  return {
    code: VERIFIER_DISAGREEMENT,
    clients: [],
    message: `tlswitness's verifier says ${describe(ours.ok, ours.code, ours.message)} but OpenSSL's own verification of this handshake says ${describe(openssl.ok, openssl.code, openssl.message)}: trust OpenSSL's verdict, and please report this as a tlswitness bug`,
  };
}
