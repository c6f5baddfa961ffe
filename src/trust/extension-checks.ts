// OpenSSL 3.0's check_extensions (crypto/x509/x509_vfy.c) over a built chain, leaf first: unhandled
// critical extensions (34), proxy certificates (40), CA status (79, 37), the SSL-server purpose (26)
// and path length (25). Reports every error through `report`, in OpenSSL's order. Pure.
import type { CertificateDetails, ParsedCertificate } from './certificate.js';
import { KU, NS, XKU } from './extensions.js';

/** Receives each error as OpenSSL reports it, with a reason for reports when the code alone says little. */
export type Report = (code: number, depth: number, detail?: string) => void;

/**
 * X509_check_ca: 0 not a CA (an invalid certificate, or a keyUsage without keyCertSign, included),
 * 1 basicConstraints cA, 3 a v1 self-signed root, 4 keyCertSign without basicConstraints, 5 Netscape CA.
 */
export function checkCa(d: CertificateDetails): 0 | 1 | 3 | 4 | 5 {
  const ext = d.extensions;
  if (ext.invalid) return 0;
  if (ext.keyUsageBits !== null && !(ext.keyUsageBits & KU.keyCertSign)) return 0;
  if (ext.basicConstraints.present) return ext.basicConstraints.ca ? 1 : 0;
  if (d.version === 1 && d.selfSigned) return 3;
  if (ext.keyUsageBits !== null) return 4;
  if (ext.nsCertType !== null && ext.nsCertType & NS.anyCa) return 5;
  return 0;
}

/** check_purpose_ssl_server; an invalid certificate passes outside strict mode (X509_check_purpose gives -1). */
export function serverPurposeAllowed(d: CertificateDetails, requireCa: boolean): boolean {
  const ext = d.extensions;
  if (ext.invalid) return true;
  if (ext.extKeyUsageBits !== null && !(ext.extKeyUsageBits & (XKU.sslServer | XKU.sgc))) return false;
  if (requireCa) {
    const ca = checkCa(d);
    return ca !== 0 && (ca !== 5 || (ext.nsCertType! & NS.sslCa) !== 0);
  }
  if (ext.nsCertType !== null && !(ext.nsCertType & NS.sslServer)) return false;
  if (ext.keyUsageBits !== null && !(ext.keyUsageBits & (KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement)))
    return false;
  return true;
}

export function checkExtensions(chain: ParsedCertificate[], report: Report): void {
  const n = chain.length;
  // -1: leaf (CA or not), 1: must be a CA, 0: must not be (after a proxy certificate).
  let mustBeCa = -1;
  let plen = 0;
  for (let i = 0; i < n; i++) {
    const d = chain[i]!.details;
    const ext = d.extensions;
    if (ext.unhandledCritical) report(34, i, `critical extension ${ext.unhandledCritical} is not one OpenSSL handles`);
    if (ext.proxy) report(40, i);
    const ca = checkCa(d);
    if (mustBeCa === 0 && ca !== 0) report(37, i);
    // An intermediate needs a real cA; the top may be a v1 root or a keyCertSign-only CA.
    if (mustBeCa === 1 && (ca === 0 || (i + 1 < n && ca !== 1))) report(79, i);
    // check_curve, for chains of two or more: an unreadable key is 1, explicit EC parameters 94.
    if (n > 1) {
      if (chain[i]!.keyType === null) report(1, i, 'a public key node:crypto cannot read');
      else if (chain[i]!.keyType === 'ec' && d.explicitCurve) report(94, i);
    }
    if (!serverPurposeAllowed(d, mustBeCa > 0)) report(26, i);
    const pathLen = ext.basicConstraints.pathLen;
    if (i > 1 && pathLen !== null && plen > pathLen) report(25, i);
    // Self-issued intermediates (same name, whatever the key) do not count (RFC 5280 6.1.4 (l)).
    if (i > 0 && !d.selfIssued) plen++;
    mustBeCa = ext.proxy ? 0 : 1;
  }
}
