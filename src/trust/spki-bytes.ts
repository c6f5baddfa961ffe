// A certificate's SubjectPublicKeyInfo as its own DER bytes, when they are exactly what OpenSSL would write for the
// key again: the SPKI hash is then the hash of these bytes, without KeyObject.export (OpenSSL 3's encoders, ~0.25 ms
// a key, 0.7 ms for a run's first). Only the common keys in strict DER qualify (RSA with its NULL parameters, EC on
// P-256/P-384/P-521 with an uncompressed point, Ed25519, Ed448); anything else is for export to answer. Pure.
import { children, readTlv, type Tlv } from './der.js';

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;

/** The AlgorithmIdentifiers OpenSSL writes for these keys, with the key's size in its BIT STRING (0: RSA's SEQUENCE). */
const ALGORITHMS: ReadonlyArray<{ der: Buffer; keyBytes: number; type: string }> = [
  { der: Buffer.from('300d06092a864886f70d0101010500', 'hex'), keyBytes: 0, type: 'rsa' },
  { der: Buffer.from('301306072a8648ce3d020106082a8648ce3d030107', 'hex'), keyBytes: 65, type: 'ec' },
  { der: Buffer.from('301006072a8648ce3d020106052b81040022', 'hex'), keyBytes: 97, type: 'ec' },
  { der: Buffer.from('301006072a8648ce3d020106052b81040023', 'hex'), keyBytes: 133, type: 'ec' },
  { der: Buffer.from('300506032b6570', 'hex'), keyBytes: 32, type: 'ed25519' },
  { der: Buffer.from('300506032b6571', 'hex'), keyBytes: 57, type: 'ed448' },
];

/** Whether the element's length is written in the fewest octets (DER), as OpenSSL writes it. */
function minimalHeader(tlv: Tlv): boolean {
  const header = tlv.whole.length - tlv.value.length;
  const length = tlv.value.length;
  return header === 2 ? length < 0x80 : length >= 0x80 && header === 2 + Math.ceil(Math.log2(length + 1) / 8);
}

/** A positive INTEGER in the fewest octets. */
function minimalPositiveInteger(tlv: Tlv): boolean {
  const v = tlv.value;
  if (tlv.tag !== INTEGER || !minimalHeader(tlv) || !v.length || v[0]! & 0x80) return false;
  return !(v.length > 1 && v[0] === 0 && !(v[1]! & 0x80));
}

/** RSAPublicKey (RFC 8017 A.1.1): a SEQUENCE of two positive INTEGERs, nothing else. */
function strictRsaKey(key: Buffer): boolean {
  const { tlv, next } = readTlv(key);
  if (tlv.tag !== SEQUENCE || !minimalHeader(tlv) || next !== key.length) return false;
  const parts = children(tlv.value);
  return parts.length === 2 && parts.every(minimalPositiveInteger);
}

/**
 * The SubjectPublicKeyInfo element `spki` itself when OpenSSL would encode its key to the same bytes; else null.
 * `keyType` is node:crypto's asymmetricKeyType for the key it read from the same certificate.
 */
export function canonicalSpki(spki: Tlv, keyType: string | undefined): Buffer | null {
  try {
    if (spki.tag !== SEQUENCE || !minimalHeader(spki)) return null;
    const [algorithm, key, ...rest] = children(spki.value);
    const known = ALGORITHMS.find((a) => algorithm?.whole.equals(a.der));
    if (
      !known ||
      known.type !== keyType ||
      !key ||
      rest.length ||
      key.tag !== BIT_STRING ||
      !minimalHeader(key) ||
      key.value[0] !== 0
    )
      return null;
    const bits = key.value.subarray(1);
    if (known.keyBytes === 0) return strictRsaKey(bits) ? spki.whole : null;
    // EC: an uncompressed point (0x04, then x and y); Ed25519 and Ed448: the raw key.
    return bits.length === known.keyBytes && (known.type !== 'ec' || bits[0] === 0x04) ? spki.whole : null;
  } catch {
    return null;
  }
}

/** The certificate's SubjectPublicKeyInfo element (the seventh field of its TBSCertificate, version included). */
export function spkiOfCertificate(der: Buffer): Tlv | null {
  try {
    const certificate = readTlv(der).tlv;
    const tbs = children(children(certificate.value)[0]!.value);
    return tbs[tbs[0]?.tag === 0xa0 ? 6 : 5] ?? null;
  } catch {
    return null;
  }
}
