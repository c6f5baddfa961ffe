// The security-level checks a Node 20 client makes at OpenSSL's default level 1 (80 bits;
// check_key_level / check_sig_level in crypto/x509/x509_vfy.c): the leaf key (66) before anything
// else, then CA keys (67) and every signature but the top certificate's (68). Pure.
import type { ParsedCertificate } from './certificate.js';
import type { Report } from './extension-checks.js';
import { signatureSecurityBits } from './signature-algorithms.js';

export const AUTH_LEVEL_1_BITS = 80;

/** EVP_PKEY_get_security_bits (NIST SP 800-57 for RSA and DSA; half the order size for EC). */
export function keySecurityBits(cert: ParsedCertificate): number {
  const { keyType, keyBits } = cert.keyDescription;
  if (keyBits === null) return keyType === 'unknown' ? 0 : 128;
  if (keyType === 'Ed448') return 224;
  if (keyType === 'RSA' || keyType === 'DSA')
    return keyBits >= 15360
      ? 256
      : keyBits >= 7680
        ? 192
        : keyBits >= 3072
          ? 128
          : keyBits >= 2048
            ? 112
            : keyBits >= 1024
              ? 80
              : 0;
  if (keyType === 'EC') {
    // ec_security_bits: stepped by the group order's size, half of it below 160 bits.
    return keyBits >= 512
      ? 256
      : keyBits >= 384
        ? 192
        : keyBits >= 256
          ? 128
          : keyBits >= 224
            ? 112
            : keyBits >= 160
              ? 80
              : Math.floor(keyBits / 2);
  }
  return Math.floor(keyBits / 2);
}

/** Why a code from these checks was given, for reports. */
export function weakKeyDetail(cert: ParsedCertificate): string {
  const { keyType, keyBits } = cert.keyDescription;
  return `a ${keyBits ?? 'unknown'}-bit ${keyType} key is too weak for OpenSSL 3's default security level`;
}

export function weakDigestDetail(cert: ParsedCertificate): string {
  return `a ${cert.details.signatureAlgorithm} signature is too weak for OpenSSL 3's default security level`;
}

export function leafKeyTooWeak(leaf: ParsedCertificate): boolean {
  return keySecurityBits(leaf) < AUTH_LEVEL_1_BITS;
}

/** check_auth_level; `detail` receives the reason of each report. */
export function checkAuthLevel(chain: ParsedCertificate[], report: Report, detail: (text: string) => void): void {
  const n = chain.length;
  for (let i = 0; i < n; i++) {
    const cert = chain[i]!;
    if (i > 0 && keySecurityBits(cert) < AUTH_LEVEL_1_BITS) {
      report(67, i);
      detail(weakKeyDetail(cert));
    }
    if (i < n - 1 && signatureSecurityBits(cert.details.signatureOid) < AUTH_LEVEL_1_BITS) {
      report(68, i);
      detail(weakDigestDetail(cert));
    }
  }
}
