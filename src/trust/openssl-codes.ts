// OpenSSL verify return codes with Node's error codes and OpenSSL 3.0's texts
// (include/openssl/x509_vfy.h and crypto/x509/x509_txt.c; Node's err.code drops the X509_V_ERR_ prefix).

export interface VerifyCode {
  opensslCode: number;
  nodeCode: string | null;
  message: string;
}

const TABLE: VerifyCode[] = [
  { opensslCode: 0, nodeCode: null, message: 'ok' },
  { opensslCode: 1, nodeCode: 'UNSPECIFIED', message: 'unspecified certificate verification error' },
  { opensslCode: 2, nodeCode: 'UNABLE_TO_GET_ISSUER_CERT', message: 'unable to get issuer certificate' },
  { opensslCode: 7, nodeCode: 'CERT_SIGNATURE_FAILURE', message: 'certificate signature failure' },
  { opensslCode: 9, nodeCode: 'CERT_NOT_YET_VALID', message: 'certificate is not yet valid' },
  { opensslCode: 10, nodeCode: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
  { opensslCode: 18, nodeCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
  { opensslCode: 19, nodeCode: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' },
  { opensslCode: 20, nodeCode: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'unable to get local issuer certificate' },
  { opensslCode: 21, nodeCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' },
  { opensslCode: 22, nodeCode: 'CERT_CHAIN_TOO_LONG', message: 'certificate chain too long' },
  { opensslCode: 24, nodeCode: 'INVALID_CA', message: 'invalid CA certificate' },
  { opensslCode: 25, nodeCode: 'PATH_LENGTH_EXCEEDED', message: 'path length constraint exceeded' },
  { opensslCode: 26, nodeCode: 'INVALID_PURPOSE', message: 'unsupported certificate purpose' },
  { opensslCode: 66, nodeCode: 'EE_KEY_TOO_SMALL', message: 'EE certificate key too weak' },
  { opensslCode: 67, nodeCode: 'CA_KEY_TOO_SMALL', message: 'CA certificate key too weak' },
  { opensslCode: 68, nodeCode: 'CA_MD_TOO_WEAK', message: 'CA signature digest algorithm too weak' },
  { opensslCode: 62, nodeCode: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'hostname mismatch' },
];

const BY_NUMBER = new Map(TABLE.map((c) => [c.opensslCode, c]));
const BY_NODE = new Map(TABLE.filter((c) => c.nodeCode).map((c) => [c.nodeCode!, c]));

export function verifyCode(opensslCode: number): VerifyCode {
  return BY_NUMBER.get(opensslCode) ?? { opensslCode, nodeCode: `X509_V_ERR_${opensslCode}`, message: `verify error ${opensslCode}` };
}

export function verifyCodeForNode(nodeCode: string): VerifyCode | undefined {
  return BY_NODE.get(nodeCode);
}
