// Certificates that verify for OpenSSL's default checks but that stricter clients refuse; pure.
// Python 3.13 sets VERIFY_X509_STRICT by default (docs.python.org/3.13/library/ssl.html,
// ssl.create_default_context), which turns on RFC 5280 profile checks in OpenSSL 3
// (X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER 85, _SUBJECT_KEY_IDENTIFIER 86, CA_BCONS_NOT_CRITICAL 89,
// CA_CERT_MISSING_KEY_USAGE 92). Chrome and Go ignore the subject CN (RFC 6125 6.4.4, Go 1.15).
import type { ParsedCertificate } from '../trust/certificate.js';
import type { StrictWarning } from '../types.js';
import { count } from '../plural.js';

const PYTHON_STRICT = ['Python >= 3.13 (VERIFY_X509_STRICT)'];

export function strictClientWarnings(path: ParsedCertificate[], extraCerts: number): StrictWarning[] {
  const warnings: StrictWarning[] = [];
  path.forEach((cert, depth) => {
    const d = cert.details;
    const who = `${depth === 0 ? 'the leaf' : `CA "${d.subject}"`} (depth ${depth})`;
    if (depth > 0 && d.basicConstraints.present && !d.basicConstraints.critical) {
      warnings.push({
        code: 'ca-basic-constraints-not-critical',
        clients: PYTHON_STRICT,
        message: `${who}: basic constraints are not marked critical (RFC 5280 4.2.1.9); strict clients refuse it even when it is trusted`,
      });
    }
    if (depth > 0 && d.keyUsage === null) {
      warnings.push({
        code: 'ca-missing-key-usage',
        clients: PYTHON_STRICT,
        message: `${who}: has no key usage extension (RFC 5280 4.2.1.3 requires keyCertSign on CAs)`,
      });
    }
    if (depth > 0 && d.subjectKeyId === null) {
      warnings.push({
        code: 'ca-missing-subject-key-identifier',
        clients: PYTHON_STRICT,
        message: `${who}: has no subject key identifier (RFC 5280 4.2.1.2)`,
      });
    }
    if (!d.selfSigned && d.authorityKeyId === null) {
      warnings.push({
        code: 'missing-authority-key-identifier',
        clients: PYTHON_STRICT,
        message: `${who}: has no authority key identifier (RFC 5280 4.2.1.1)`,
      });
    }
  });
  const leaf = path[0];
  if (leaf && !leaf.x509.subjectAltName) {
    warnings.push({
      code: 'leaf-without-san',
      clients: ['Chrome', 'Go >= 1.15', 'Firefox'],
      message:
        'the leaf names its host only in the subject CN, which modern clients ignore: reissue it with a subjectAltName',
    });
  }
  if (extraCerts > 0) {
    warnings.push({
      code: 'unrelated-certificates',
      clients: ['TLS 1.2 strict peers (RFC 5246 7.4.2)'],
      message: `the server sent ${count(extraCerts, 'certificate')} that ${extraCerts === 1 ? 'is' : 'are'} not part of its chain: remove ${extraCerts === 1 ? 'it' : 'them'} from the served bundle`,
    });
  }
  return warnings;
}
