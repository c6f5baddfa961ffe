// OpenSSL 3.0's internal_verify (crypto/x509/x509_vfy.c): from the top of the chain down, the
// issuer's keyUsage (32), its key (6), the signature (7), then each certificate's dates (13, 9, 14, 10).
// A top that is not self-issued is only an issuer: its own signature and dates are not checked. Pure.
import type { ParsedCertificate } from './certificate.js';
import type { Report } from './extension-checks.js';
import { KU } from './extensions.js';
import { likelyIssued, timeErrors } from './issuer-match.js';

export function internalVerify(chain: ParsedCertificate[], now: Date, report: Report): void {
  let n = chain.length - 1;
  let issuer = chain[n]!;
  let subject: ParsedCertificate;
  if (likelyIssued(issuer, issuer)) subject = issuer;
  else if (n <= 0) {
    // A lone leaf whose issuer was never found (no partial chains in Node or the CLI).
    report(21, 0);
    subject = issuer; // only its dates are checked
  } else {
    n--;
    subject = chain[n]!;
  }
  for (;;) {
    // A self-signed top is not checked at all (X509_V_FLAG_CHECK_SS_SIGNATURE is off): not its
    // keyUsage, not its key, not its signature.
    if (subject !== issuer) {
      const ext = issuer.details.extensions;
      // RFC 5280 6.1.4 (n): the issuer's keyUsage must allow signing certificates.
      if (ext.keyUsageBits !== null) {
        const proxy = subject.details.extensions.proxy;
        if (proxy ? !(ext.keyUsageBits & KU.digitalSignature) : !(ext.keyUsageBits & KU.keyCertSign))
          report(proxy ? 39 : 32, n + 1);
      }
      // Both read once per certificate pair (ParsedCertificate keeps them), not once per record.
      if (!issuer.publicKey) report(6, n + 1);
      else if (!subject.signedBy(issuer)) report(7, n);
    }
    for (const code of timeErrors(subject, now)) report(code, n);
    if (--n < 0) break;
    issuer = subject;
    subject = chain[n]!;
  }
}
