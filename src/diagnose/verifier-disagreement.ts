// tlswitness's verdict on a chain against OpenSSL's own on the same connection; pure. Both should
// agree on ok and, when both refuse, on Node's error code (what a Node client's authorizationError
// says). A difference is a verifier bug: it is reported, never hidden, and OpenSSL's refusal wins,
// because the clients a user runs (curl, openssl s_client, Node) refuse what OpenSSL refuses.
import type { Diagnosis, OpensslVerdict, StrictWarning, Verification } from '../types.js';

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

/** The verdict as a phrase: "ok", or "CODE (n): message". */
export function describeVerdict(verdict: {
  ok: boolean;
  code: string | null;
  opensslCode: number | null;
  message: string;
}): string {
  if (verdict.ok) return 'ok';
  return `${verdict.code ?? 'error'}${verdict.opensslCode !== null && verdict.opensslCode >= 0 ? ` (${verdict.opensslCode})` : ''}: ${verdict.message}`;
}

/**
 * OpenSSL's refusal as a record's verification: its code and text, tlswitness's own verdict kept in
 * `detail`, OpenSSL's in `openssl` (which marks the verification as overruled, see diagnose()).
 * @param where what OpenSSL refused: "the live connection" (the proxy), "this handshake" (inspect)
 */
export function opensslVerification(openssl: OpensslVerdict, ours: Verification, where: string): Verification {
  return {
    ok: false,
    code: openssl.code,
    opensslCode: openssl.opensslCode ?? -1,
    message: openssl.message,
    depth: null,
    certificate: null,
    detail: `OpenSSL refused ${where} (${describeVerdict(openssl)}); tlswitness's verifier said ${describeVerdict(ours)}`,
    openssl,
  };
}

/**
 * The verification a cross-checked record carries: tlswitness's, unless OpenSSL refused the same
 * handshake that tlswitness accepted. A user must not be told "fine" when `openssl s_client` or curl
 * fail; where both refuse, tlswitness's verdict (with its depth and certificate) stays.
 */
export function crossCheckedVerification(ours: Verification, openssl: OpensslVerdict | null): Verification {
  if (!openssl || openssl.ok || !ours.ok) return ours;
  return opensslVerification(openssl, ours, 'this handshake');
}

/** Whether a verification is OpenSSL's refusal put over tlswitness's verdict (opensslVerification). */
export function isOverruled(v: Verification): v is Verification & { openssl: OpensslVerdict } {
  return !v.ok && v.openssl?.ok === false;
}

/** A diagnosis made from OpenSSL's refusal says so: both verdicts, and that the disagreement is a bug to report. */
export function overruledDiagnosis(v: Verification, base: Diagnosis): Diagnosis {
  return {
    ...base,
    confidence: 'medium',
    summary: `${v.detail ?? `OpenSSL refused this chain (${describeVerdict(v)})`}; a careful client (curl, openssl s_client, Node) refuses it too. ${base.summary}`,
    action: `${base.action}; and report the disagreement (VERIFIER_DISAGREEMENT) to tlswitness as a verifier bug`,
  };
}
