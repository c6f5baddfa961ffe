// OpenSSL 3.0 verify return codes with their texts and the code string Node gives each one
// (include/openssl/x509_vfy.h, crypto/x509/x509_txt.c; Node's X509ErrorCode in crypto_common.cc).

export interface VerifyCode {
  opensslCode: number;
  /** What Node puts in `authorizationError` / `err.code`; null for 0. */
  nodeCode: string | null;
  message: string;
}

// Node names only these codes (the X509_V_ERR_ prefix dropped); every other one is 'UNSPECIFIED'
// with OpenSSL's text as the message.
const NODE_NAMED = new Set([
  2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 62, 79,
]);

const TABLE: Array<[number, string, string]> = [
  [0, 'OK', 'ok'],
  [1, 'UNSPECIFIED', 'unspecified certificate verification error'],
  [2, 'UNABLE_TO_GET_ISSUER_CERT', 'unable to get issuer certificate'],
  [3, 'UNABLE_TO_GET_CRL', 'unable to get certificate CRL'],
  [4, 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', "unable to decrypt certificate's signature"],
  [5, 'UNABLE_TO_DECRYPT_CRL_SIGNATURE', "unable to decrypt CRL's signature"],
  [6, 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'unable to decode issuer public key'],
  [7, 'CERT_SIGNATURE_FAILURE', 'certificate signature failure'],
  [8, 'CRL_SIGNATURE_FAILURE', 'CRL signature failure'],
  [9, 'CERT_NOT_YET_VALID', 'certificate is not yet valid'],
  [10, 'CERT_HAS_EXPIRED', 'certificate has expired'],
  [11, 'CRL_NOT_YET_VALID', 'CRL is not yet valid'],
  [12, 'CRL_HAS_EXPIRED', 'CRL has expired'],
  [13, 'ERROR_IN_CERT_NOT_BEFORE_FIELD', "format error in certificate's notBefore field"],
  [14, 'ERROR_IN_CERT_NOT_AFTER_FIELD', "format error in certificate's notAfter field"],
  [15, 'ERROR_IN_CRL_LAST_UPDATE_FIELD', "format error in CRL's lastUpdate field"],
  [16, 'ERROR_IN_CRL_NEXT_UPDATE_FIELD', "format error in CRL's nextUpdate field"],
  [17, 'OUT_OF_MEM', 'out of memory'],
  [18, 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  [19, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
  [20, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  [21, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  [22, 'CERT_CHAIN_TOO_LONG', 'certificate chain too long'],
  [23, 'CERT_REVOKED', 'certificate revoked'],
  [24, 'NO_ISSUER_PUBLIC_KEY', "issuer certificate doesn't have a public key"],
  [25, 'PATH_LENGTH_EXCEEDED', 'path length constraint exceeded'],
  [26, 'INVALID_PURPOSE', 'unsuitable certificate purpose'],
  [27, 'CERT_UNTRUSTED', 'certificate not trusted'],
  [28, 'CERT_REJECTED', 'certificate rejected'],
  [32, 'KEYUSAGE_NO_CERTSIGN', 'key usage does not include certificate signing'],
  [34, 'UNHANDLED_CRITICAL_EXTENSION', 'unhandled critical extension'],
  [37, 'INVALID_NON_CA', 'invalid non-CA certificate (has CA markings)'],
  [39, 'KEYUSAGE_NO_DIGITAL_SIGNATURE', 'key usage does not include digital signature'],
  [40, 'PROXY_CERTIFICATES_NOT_ALLOWED', 'proxy certificates not allowed, please set the appropriate flag'],
  [47, 'PERMITTED_VIOLATION', 'permitted subtree violation'],
  [48, 'EXCLUDED_VIOLATION', 'excluded subtree violation'],
  [49, 'SUBTREE_MINMAX', 'name constraints minimum and maximum not supported'],
  [51, 'UNSUPPORTED_CONSTRAINT_TYPE', 'unsupported name constraint type'],
  [52, 'UNSUPPORTED_CONSTRAINT_SYNTAX', 'unsupported or invalid name constraint syntax'],
  [53, 'UNSUPPORTED_NAME_SYNTAX', 'unsupported or invalid name syntax'],
  [62, 'HOSTNAME_MISMATCH', 'hostname mismatch'],
  [64, 'IP_ADDRESS_MISMATCH', 'IP address mismatch'],
  [46, 'UNNESTED_RESOURCE', "RFC 3779 resource not subset of parent's resources"],
  [66, 'EE_KEY_TOO_SMALL', 'EE certificate key too weak'],
  [67, 'CA_KEY_TOO_SMALL', 'CA certificate key too weak'],
  [68, 'CA_MD_TOO_WEAK', 'CA signature digest algorithm too weak'],
  [72, 'PROXY_SUBJECT_NAME_VIOLATION', 'proxy subject name violation'],
  [79, 'INVALID_CA', 'invalid CA certificate'],
  [94, 'EC_KEY_EXPLICIT_PARAMS', 'Certificate public key has explicit ECC parameters'],
];

/** OpenSSL's own name for a code (X509_V_ERR_<name>), for reports that want the real one. */
export const OPENSSL_NAMES = new Map(TABLE.map(([code, name]) => [code, name]));

const BY_NUMBER = new Map<number, VerifyCode>(
  TABLE.map(([opensslCode, name, message]) => [
    opensslCode,
    { opensslCode, nodeCode: opensslCode === 0 ? null : NODE_NAMED.has(opensslCode) ? name : 'UNSPECIFIED', message },
  ]),
);
// Node reports a name mismatch from its own checkServerIdentity, never from OpenSSL (which the CLI
// reports as 62 for a hostname, 64 for an IP address).
BY_NUMBER.set(62, { opensslCode: 62, nodeCode: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'hostname mismatch' });
BY_NUMBER.set(64, { opensslCode: 64, nodeCode: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'IP address mismatch' });

const BY_NODE = new Map(
  [...BY_NUMBER.values()].filter((c) => c.nodeCode && c.nodeCode !== 'UNSPECIFIED').map((c) => [c.nodeCode!, c]),
);

export function verifyCode(opensslCode: number): VerifyCode {
  return (
    BY_NUMBER.get(opensslCode) ?? {
      opensslCode,
      nodeCode: NODE_NAMED.has(opensslCode) ? `X509_V_ERR_${opensslCode}` : 'UNSPECIFIED',
      message: `verify error ${opensslCode}`,
    }
  );
}

export function verifyCodeForNode(nodeCode: string): VerifyCode | undefined {
  return BY_NODE.get(nodeCode);
}
