// OpenSSL 3.0's internal_verify (crypto/x509/x509_vfy.c): from the top of the chain down, the
// issuer's keyUsage (32), its key (6), the signature (7), then each certificate's dates (13, 9, 14, 10).
// A top that is not self-issued is only an issuer: its own signature and dates are not checked. Pure.
import type { KeyObject } from 'node:crypto';
import type { ParsedCertificate } from './certificate.js';
import type { Report } from './extension-checks.js';
import { KU } from './extensions.js';
import { likelyIssued, timeErrors } from './issuer-match.js';

function publicKey(cert: ParsedCertificate): KeyObject | null {
  try {
    return cert.x509.publicKey;
  } catch {
    return null;
  }
}

function signedBy(subject: ParsedCertificate, key: KeyObject): boolean {
  try {
    return subject.x509.verify(key);
  } catch {
    return false;
  }
}

export function internalVerify(chain: ParsedCertificate[], now: Date, report: Report): void {
  let n = chain.length - 1;
  let issuer = chain[n]!;
  let subject: ParsedCertificate;
  let checkTimeOnly = false;
  if (likelyIssued(issuer, issuer)) subject = issuer;
  else if (n <= 0) {
    // A lone leaf whose issuer was never found (no partial chains in Node or the CLI).
    report(21, 0);
    subject = issuer;
    checkTimeOnly = true;
  } else {
    n--;
    subject = chain[n]!;
  }
  for (;;) {
    if (!checkTimeOnly) {
      const sameCert = subject === issuer;
      const issuerDepth = sameCert ? n : n + 1;
      const ext = issuer.details.extensions;
      const issuerIsCa = ext.basicConstraints.present && ext.basicConstraints.ca;
      // RFC 5280 6.1.4 (n); RFC 6818 2 lets a self-issued end-entity certificate off.
      if (!(sameCert && !issuerIsCa) && ext.keyUsageBits !== null) {
        if (subject.details.extensions.proxy ? !(ext.keyUsageBits & KU.digitalSignature) : !(ext.keyUsageBits & KU.keyCertSign)) {
          report(subject.details.extensions.proxy ? 39 : 32, issuerDepth);
        }
      }
      const key = publicKey(issuer);
      if (!key) report(6, issuerDepth);
      // A self-signed top's own signature is not checked (X509_V_FLAG_CHECK_SS_SIGNATURE is off).
      else if (!sameCert && !signedBy(subject, key)) report(7, n);
    }
    checkTimeOnly = false;
    for (const code of timeErrors(subject, now)) report(code, n);
    if (--n < 0) break;
    issuer = subject;
    subject = chain[n]!;
  }
}
