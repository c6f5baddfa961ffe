// Signature algorithm OIDs: their names, the key type each needs (OpenSSL's check_sig_alg_match in
// crypto/x509/v3_purp.c) and the security bits of their digest (x509_sig_info_init: SHA-1 rates 63). Pure.

interface SignatureAlgorithm {
  name: string;
  /** Node's asymmetricKeyType of the signing key. */
  keyType: 'rsa' | 'rsa-pss' | 'ec' | 'dsa' | 'ed25519' | 'ed448';
  /** Security bits OpenSSL 3.0 gives the signature (half the digest size; MD5 39, SHA-1 63). */
  bits: number;
}

const ALGORITHMS: Record<string, SignatureAlgorithm> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', keyType: 'rsa', bits: 0 },
  '1.2.840.113549.1.1.3': { name: 'md4WithRSAEncryption', keyType: 'rsa', bits: 0 },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', keyType: 'rsa', bits: 39 },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', keyType: 'rsa', bits: 63 },
  '1.3.14.3.2.29': { name: 'sha1WithRSA', keyType: 'rsa', bits: 63 },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', keyType: 'rsa', bits: 112 },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', keyType: 'rsa', bits: 128 },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', keyType: 'rsa', bits: 192 },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', keyType: 'rsa', bits: 256 },
  '1.2.840.113549.1.1.15': { name: 'sha512-224WithRSAEncryption', keyType: 'rsa', bits: 112 },
  '1.2.840.113549.1.1.16': { name: 'sha512-256WithRSAEncryption', keyType: 'rsa', bits: 128 },
  '2.16.840.1.101.3.4.3.13': { name: 'RSA-SHA3-224', keyType: 'rsa', bits: 112 },
  '2.16.840.1.101.3.4.3.14': { name: 'RSA-SHA3-256', keyType: 'rsa', bits: 128 },
  '2.16.840.1.101.3.4.3.15': { name: 'RSA-SHA3-384', keyType: 'rsa', bits: 192 },
  '2.16.840.1.101.3.4.3.16': { name: 'RSA-SHA3-512', keyType: 'rsa', bits: 256 },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', keyType: 'rsa-pss', bits: 128 },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', keyType: 'ec', bits: 63 },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', keyType: 'ec', bits: 112 },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', keyType: 'ec', bits: 128 },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', keyType: 'ec', bits: 192 },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', keyType: 'ec', bits: 256 },
  '2.16.840.1.101.3.4.3.9': { name: 'ecdsa_with_SHA3-224', keyType: 'ec', bits: 112 },
  '2.16.840.1.101.3.4.3.10': { name: 'ecdsa_with_SHA3-256', keyType: 'ec', bits: 128 },
  '2.16.840.1.101.3.4.3.11': { name: 'ecdsa_with_SHA3-384', keyType: 'ec', bits: 192 },
  '2.16.840.1.101.3.4.3.12': { name: 'ecdsa_with_SHA3-512', keyType: 'ec', bits: 256 },
  '1.2.840.10040.4.3': { name: 'dsa_with_SHA1', keyType: 'dsa', bits: 63 },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa_with_SHA224', keyType: 'dsa', bits: 112 },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', keyType: 'dsa', bits: 128 },
  '1.3.101.112': { name: 'ED25519', keyType: 'ed25519', bits: 128 },
  '1.3.101.113': { name: 'ED448', keyType: 'ed448', bits: 224 },
};

export function signatureAlgorithmName(oid: string): string {
  return ALGORITHMS[oid]?.name ?? oid;
}

/** check_sig_alg_match: the key type the algorithm needs, where an RSA key also fits RSA-PSS. */
export function signatureFitsKey(oid: string, keyType: string | null): boolean {
  const algorithm = ALGORITHMS[oid];
  if (!algorithm || !keyType) return false;
  return algorithm.keyType === keyType || (algorithm.keyType === 'rsa-pss' && keyType === 'rsa');
}

/** The signature's security bits; 0 for an algorithm OpenSSL cannot rate (check_sig_level then fails). */
export function signatureSecurityBits(oid: string): number {
  return ALGORITHMS[oid]?.bits ?? 0;
}
