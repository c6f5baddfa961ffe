// Does this certificate issue that one, as OpenSSL 3.0 guesses before checking any signature
// (ossl_x509_likely_issued, crypto/x509/v3_purp.c), and is a certificate valid at a time
// (X509_cmp_time: to the second, notAfter itself already expired). Pure.
import { akidMatches, type ParsedCertificate } from './certificate.js';
import { signatureFitsKey } from './signature-algorithms.js';

/**
 * Names equal under X509_NAME_cmp, both certificates' extensions decode, the subject's AKID agrees
 * with the candidate (keyId only against an SKID, serial, first directoryName against the
 * candidate's issuer), and the subject's signature algorithm fits the candidate's key.
 */
export function likelyIssued(issuer: ParsedCertificate, subject: ParsedCertificate): boolean {
  const i = issuer.details;
  const s = subject.details;
  if (!i.subjectName.canonical.equals(s.issuerName.canonical)) return false;
  if (i.extensions.invalid || s.extensions.invalid) return false;
  if (!akidMatches(i, s.extensions.authorityKeyId)) return false;
  return signatureFitsKey(s.innerSignatureOid, issuer.keyType);
}

function seconds(now: Date): number {
  return Math.floor(now.getTime() / 1000) * 1000;
}

/** notBefore <= now < notAfter, both fields well formed. */
export function validAt(cert: ParsedCertificate, now: Date): boolean {
  const d = cert.details;
  const t = seconds(now);
  return d.notBeforeValid && d.notAfterValid && d.notBefore.getTime() <= t && d.notAfter.getTime() > t;
}

/** The validity errors of ossl_x509_check_cert_time, in its order: 13 or 9, then 14 or 10. */
export function timeErrors(cert: ParsedCertificate, now: Date): number[] {
  const d = cert.details;
  const t = seconds(now);
  const out: number[] = [];
  if (!d.notBeforeValid) out.push(13);
  else if (d.notBefore.getTime() > t) out.push(9);
  if (!d.notAfterValid) out.push(14);
  else if (d.notAfter.getTime() <= t) out.push(10);
  return out;
}

/**
 * Among candidates that issue `subject`: the first valid now, else the one expiring last (the first
 * of equals). The rule of both the store lookup and the untrusted search.
 */
export function bestIssuer<T extends { cert: ParsedCertificate }>(
  subject: ParsedCertificate,
  candidates: Iterable<T>,
  now: Date,
): T | undefined {
  let fallback: T | undefined;
  for (const candidate of candidates) {
    if (!likelyIssued(candidate.cert, subject)) continue;
    if (validAt(candidate.cert, now)) return candidate;
    const after = candidate.cert.details.notAfterValid ? candidate.cert.notAfter.getTime() : -Infinity;
    const best = fallback && fallback.cert.details.notAfterValid ? fallback.cert.notAfter.getTime() : -Infinity;
    if (!fallback || after > best) fallback = candidate;
  }
  return fallback;
}
