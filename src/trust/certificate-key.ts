// What a certificate's public key is: its type and size as reports and security levels name them,
// and the SHA-256 of its SubjectPublicKeyInfo (the pin HPKP and `openssl pkey -pubin` hash).
import { createHash, type KeyObject, type X509Certificate } from 'node:crypto';
import { canonicalSpki, spkiOfCertificate } from './spki-bytes.js';

export interface KeyDescription {
  keyType: string;
  keyBits: number | null;
}

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** The certificate's public key, or null when node:crypto cannot read it. Each call builds a new KeyObject. */
export function readPublicKey(x509: X509Certificate): KeyObject | null {
  try {
    return x509.publicKey;
  } catch {
    return null;
  }
}

export function describeKey(key: KeyObject | null): KeyDescription {
  if (!key) return { keyType: 'unknown', keyBits: null };
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { keyType: 'RSA', keyBits: details.modulusLength ?? null };
    case 'ec': {
      // Curve names carry their size (secp112r1, prime192v1, brainpoolP256r1, sect163k1).
      const curve = details.namedCurve ?? '';
      const sized = /(\d{3})/.exec(curve);
      return { keyType: 'EC', keyBits: CURVE_BITS[curve] ?? (sized ? Number(sized[1]) : null) };
    }
    case 'ed25519':
      return { keyType: 'Ed25519', keyBits: 256 };
    case 'ed448':
      return { keyType: 'Ed448', keyBits: 456 };
    case 'dsa':
      return { keyType: 'DSA', keyBits: details.modulusLength ?? null };
    default:
      return { keyType: String(key.asymmetricKeyType ?? 'unknown'), keyBits: null };
  }
}

export function keyDescription(x509: X509Certificate): KeyDescription {
  return describeKey(readPublicKey(x509));
}

/** Base64 SHA-256 of the SubjectPublicKeyInfo; '' for a key node:crypto cannot read. */
export function spkiSha256OfKey(key: KeyObject | null): string {
  try {
    return key
      ? createHash('sha256')
          .update(key.export({ type: 'spki', format: 'der' }))
          .digest('base64')
      : '';
  } catch {
    return '';
  }
}

/**
 * As spkiSha256OfKey, from the certificate's own SubjectPublicKeyInfo bytes where OpenSSL would write the key to
 * the same ones (spki-bytes.ts), which spares OpenSSL's encoder; `key` is the certificate's (null: unreadable).
 */
export function spkiSha256OfCertificate(der: Buffer, key: KeyObject | null): string {
  if (!key) return '';
  const spki = spkiOfCertificate(der);
  const own = spki && canonicalSpki(spki, key.asymmetricKeyType);
  return own ? createHash('sha256').update(own).digest('base64') : spkiSha256OfKey(key);
}

export function spkiSha256(x509: X509Certificate): string {
  return spkiSha256OfKey(readPublicKey(x509));
}
