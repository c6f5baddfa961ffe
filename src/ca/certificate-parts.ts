// The parts of a certificate that depend on keys and randomness, as DER: serial, SubjectPublicKeyInfo, key
// identifiers, the signature algorithm, times. No node-forge here: the proxy's leaf minting uses them.
import { createHash, randomFillSync, type KeyObject } from 'node:crypto';
import { children, encodeTlv, readTlv } from '../trust/der.js';

/** Serial numbers drawn from one buffer of random bytes at a time: one call into OpenSSL per 256 of them. */
const serials = { pool: Buffer.alloc(16 * 256), used: 16 * 256 };

/**
 * A serial number's 16 octets: positive, non-zero, 126 random bits (the first octet's top bit cleared, its
 * lowest set): RFC 5280 4.1.2.2 and CA/B Forum 7.1 (at least 64) (Go rejects negative serials).
 */
export function randomSerial(): Buffer {
  if (serials.used === serials.pool.length) {
    randomFillSync(serials.pool);
    serials.used = 0;
  }
  const serial = Buffer.from(serials.pool.subarray(serials.used, (serials.used += 16)));
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

export function randomSerialHex(): string {
  return randomSerial().toString('hex');
}

// The minter signs with the same two keys for every host: their SPKI and key identifiers are
// computed once per KeyObject, not exported and parsed again for each leaf (~1 ms a mint).
const spkiCache = new WeakMap<KeyObject, Buffer>();
const keyIdCache = new WeakMap<KeyObject, Buffer>();

export function spkiDer(publicKey: KeyObject): Buffer {
  let der = spkiCache.get(publicKey);
  if (!der) spkiCache.set(publicKey, (der = publicKey.export({ type: 'spki', format: 'der' })));
  return der;
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING contents (after its unused-bits byte). */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const cached = keyIdCache.get(publicKey);
  if (cached) return cached;
  const bitString = children(readTlv(spkiDer(publicKey)).tlv.value)[1]!.value;
  const id = createHash('sha1').update(bitString.subarray(1)).digest();
  keyIdCache.set(publicKey, id);
  return id;
}

/** An OBJECT IDENTIFIER element from dotted text (X.690 8.19). */
export function oidDer(oid: string): Buffer {
  const [first = 0, second = 0, ...rest] = oid.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      base128.unshift((value & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return encodeTlv(0x06, Buffer.from(bytes));
}

type SignatureAlgorithm = { hash: string | null; der: Buffer };
// Per signing key too: reading a KeyObject's type and curve crosses into OpenSSL on every mint.
const algorithmCache = new WeakMap<KeyObject, Map<string, SignatureAlgorithm>>();

/** The AlgorithmIdentifier a key signs with and the digest to sign with (null: the algorithm has its own). */
export function signatureAlgorithm(key: KeyObject, digest: 'sha256' | 'sha1'): SignatureAlgorithm {
  let known = algorithmCache.get(key);
  if (!known) algorithmCache.set(key, (known = new Map()));
  let algorithm = known.get(digest);
  if (!algorithm) known.set(digest, (algorithm = algorithmFor(key, digest)));
  return algorithm;
}

function algorithmFor(key: KeyObject, digest: 'sha256' | 'sha1'): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    // RFC 4055 5: the parameters are NULL for the RSA PKCS#1 v1.5 algorithms.
    const oid = digest === 'sha1' ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11';
    return { hash: digest, der: encodeTlv(0x30, oidDer(oid), Buffer.from([0x05, 0x00])) };
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    // RFC 5758 3.2: ECDSA with the SHA-2 sized to the curve; the parameters are absent.
    const [oid, hash] =
      digest === 'sha1'
        ? ['1.2.840.10045.4.1', 'sha1']
        : curve === 'secp384r1'
          ? ['1.2.840.10045.4.3.3', 'sha384']
          : curve === 'secp521r1'
            ? ['1.2.840.10045.4.3.4', 'sha512']
            : ['1.2.840.10045.4.3.2', 'sha256'];
    return { hash, der: encodeTlv(0x30, oidDer(oid)) };
  }
  if (type === 'ed25519') return { hash: null, der: encodeTlv(0x30, oidDer('1.3.101.112')) };
  throw new Error(`cannot sign certificates with a ${type} key`);
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC to the second. */
export function timeDer(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const year = date.getUTCFullYear();
  return year < 2050 && year >= 1950
    ? encodeTlv(0x17, Buffer.from(text.slice(2), 'latin1'))
    : encodeTlv(0x18, Buffer.from(text, 'latin1'));
}

function ipBytes(text: string): Buffer {
  if (text.includes(':')) {
    const [head = '', tail = ''] = text.split('::');
    const groups = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
    const h = groups(head);
    const t = text.includes('::') ? groups(tail) : [];
    const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
    return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
  }
  return Buffer.from(text.split('.').map(Number));
}

/** A GeneralName from `DNS:`, `email:`, `URI:` or `IP:addr/mask` text, or DER as given. */
export function generalNameDer(name: string | Buffer): Buffer {
  if (Buffer.isBuffer(name)) return name;
  const colon = name.indexOf(':');
  const [kind, value] = [name.slice(0, colon), name.slice(colon + 1)];
  switch (kind) {
    case 'DNS':
      return encodeTlv(0x82, Buffer.from(value, 'latin1'));
    case 'email':
      return encodeTlv(0x81, Buffer.from(value, 'latin1'));
    case 'URI':
      return encodeTlv(0x86, Buffer.from(value, 'latin1'));
    case 'IP': {
      const [address = '', mask] = value.split('/');
      return encodeTlv(0x87, mask === undefined ? ipBytes(address) : Buffer.concat([ipBytes(address), ipBytes(mask)]));
    }
    default:
      throw new Error(`unknown general name kind in "${name}"`);
  }
}
