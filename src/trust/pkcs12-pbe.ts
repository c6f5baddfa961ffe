// Password-based keys and decryption as PKCS#12 files use them: the PKCS#12 KDF (RFC 7292 appendix B) for
// the MAC and the legacy PBE schemes, PBES2 with PBKDF2 (RFC 8018) for what OpenSSL 3 and Java write. Pure,
// node:crypto only (RC2 excepted, see rc2.ts).
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { children, decodeOid, type Tlv } from './der.js';
import { rc2CbcDecrypt } from './rc2.js';
import { sameAcrossBundles } from '../cross-bundle.js';

/** Why a PKCS#12 file could not be opened: the words a user needs, and a code for tests and callers. */
export class Pkcs12Error extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'Pkcs12Error');
  }

  constructor(
    readonly reason: 'wrong-password' | 'malformed' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs12Error';
  }
}

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The hash's block size in bytes: the KDF's v (RFC 7292 B.2). */
const BLOCK_BYTES: Record<string, number> = { sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/** RFC 8018 appendix B.1.2: the PRFs PBKDF2 names (hmacWithSHA1 is the default when absent). */
const HMACS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

/** PBES2 encryption schemes: Node cipher name and key length. */
const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24 },
};

/** RFC 7292 appendix C: pbeWithSHAAnd... (key length in bytes; RC2 also its effective bits). */
const PKCS12_PBE: Record<
  string,
  { name: string; cipher: string; keyLength: number; ivLength: number; rc2Bits?: number }
> = {
  '1.2.840.113549.1.12.1.3': {
    name: 'pbeWithSHA1And3-KeyTripleDES-CBC',
    cipher: 'des-ede3-cbc',
    keyLength: 24,
    ivLength: 8,
  },
  '1.2.840.113549.1.12.1.4': {
    name: 'pbeWithSHA1And2-KeyTripleDES-CBC',
    cipher: 'des-ede-cbc',
    keyLength: 16,
    ivLength: 8,
  },
  '1.2.840.113549.1.12.1.5': {
    name: 'pbeWithSHA1And128BitRC2-CBC',
    cipher: 'rc2',
    keyLength: 16,
    ivLength: 8,
    rc2Bits: 128,
  },
  '1.2.840.113549.1.12.1.6': {
    name: 'pbeWithSHA1And40BitRC2-CBC',
    cipher: 'rc2',
    keyLength: 5,
    ivLength: 8,
    rc2Bits: 40,
  },
};

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';

/**
 * A password in both encodings: `bmp` for the PKCS#12 KDF, BMPString (UTF-16BE) with a two-byte terminator
 * (RFC 7292 B.1); `utf8` for PBKDF2 (RFC 8018 leaves the encoding open; OpenSSL and Java use the bytes as typed).
 */
export interface Password {
  bmp: Buffer;
  utf8: Buffer;
}

export function passwordForms(password: string): Password {
  return {
    bmp: Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]),
    utf8: Buffer.from(password, 'utf8'),
  };
}

function repeatTo(data: Buffer, v: number): Buffer {
  const length = v * Math.ceil(data.length / v);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = data[i % data.length]!;
  return out;
}

/** RFC 7292 appendix B.2. id 1: cipher key, 2: IV, 3: MAC key. */
export function pkcs12Kdf(
  digest: string,
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const v = BLOCK_BYTES[digest] ?? 64;
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([
    salt.length ? repeatTo(salt, v) : Buffer.alloc(0),
    password.length ? repeatTo(password, v) : Buffer.alloc(0),
  ]);
  const out: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let A = createHash(digest).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(digest).update(A).digest();
    out.push(A);
    produced += A.length;
    // I_j = (I_j + B + 1) mod 2^(8v), B being A repeated to v bytes.
    const B = repeatTo(A, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

function integer(tlv: Tlv | undefined, what: string): number {
  if (!tlv || tlv.tag !== 0x02 || tlv.value.length > 6) throw new Pkcs12Error('malformed', `bad ${what}`);
  return tlv.value.reduce((n, byte) => n * 256 + byte, 0);
}

function octets(tlv: Tlv | undefined, what: string): Buffer {
  if (!tlv || tlv.tag !== 0x04) throw new Pkcs12Error('malformed', `bad ${what}`);
  return tlv.value;
}

function oidOf(tlv: Tlv | undefined, what: string): string {
  if (!tlv || tlv.tag !== 0x06) throw new Pkcs12Error('malformed', `bad ${what}`);
  return decodeOid(tlv.value);
}

/** Iteration counts past this are refused: a hostile file could otherwise pin the CPU for hours. */
const MAX_ITERATIONS = 10_000_000;

function iterationsOf(tlv: Tlv | undefined): number {
  const n = integer(tlv, 'iteration count');
  if (n < 1 || n > MAX_ITERATIONS) throw new Pkcs12Error('unsupported', `iteration count ${n} is out of range`);
  return n;
}

/** RFC 7292 section 4 MacData: HMAC over the authenticated safe with a key from the PKCS#12 KDF. */
export function macMatches(
  macData: Tlv,
  content: Buffer,
  password: Buffer,
): { matches: boolean; digest: string; iterations: number } {
  const [digestInfo, macSalt, iterationsTlv] = children(macData.value);
  const [algorithm, expected] = digestInfo ? children(digestInfo.value) : [];
  const oid = oidOf(algorithm ? children(algorithm.value)[0] : undefined, 'MAC algorithm');
  const digest = DIGESTS[oid];
  // PBMAC1 (RFC 9579) is what OpenSSL 3.4+ writes with -pbmac1_pbkdf2; not the default anywhere yet.
  if (!digest) throw new Pkcs12Error('unsupported', `MAC algorithm ${oid} is not supported`);
  const iterations = iterationsTlv ? iterationsOf(iterationsTlv) : 1;
  const want = octets(expected, 'MAC value');
  const key = pkcs12Kdf(digest, password, octets(macSalt, 'MAC salt'), 3, iterations, want.length);
  const got = createHmac(digest, key).update(content).digest();
  return { matches: got.length === want.length && timingSafeEqual(got, want), digest, iterations };
}

function nodeDecrypt(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    // Bad padding: a wrong password (when no MAC said so first) or damaged data.
    return null;
  }
}

/** Decrypts `data` under an AlgorithmIdentifier (PBES2 or a PKCS#12 PBE); returns the scheme's name with the plaintext. */
export function pbeDecrypt(algorithm: Tlv, data: Buffer, password: Password): { scheme: string; plain: Buffer } {
  const [oidTlv, params] = children(algorithm.value);
  const oid = oidOf(oidTlv, 'encryption algorithm');
  if (oid === PBES2) {
    const [kdf, scheme] = params ? children(params.value) : [];
    const [kdfOid, kdfParams] = kdf ? children(kdf.value) : [];
    if (oidOf(kdfOid, 'key derivation') !== PBKDF2)
      throw new Pkcs12Error('unsupported', 'PBES2 with a key derivation other than PBKDF2 is not supported');
    const fields = kdfParams ? children(kdfParams.value) : [];
    const salt = octets(fields[0], 'PBKDF2 salt');
    const iterations = iterationsOf(fields[1]);
    const rest = fields.slice(2);
    const prfTlv = rest.find((f) => f.tag === 0x30);
    const prfOid = prfTlv ? oidOf(children(prfTlv.value)[0], 'PBKDF2 PRF') : '1.2.840.113549.2.7';
    const hmac = HMACS[prfOid];
    if (!hmac) throw new Pkcs12Error('unsupported', `PBKDF2 PRF ${prfOid} is not supported`);
    const [schemeOid, ivTlv] = scheme ? children(scheme.value) : [];
    const encOid = oidOf(schemeOid, 'PBES2 cipher');
    const cipher = PBES2_CIPHERS[encOid];
    if (!cipher) throw new Pkcs12Error('unsupported', `PBES2 cipher ${encOid} is not supported`);
    const key = pbkdf2Sync(password.utf8, salt, iterations, cipher.keyLength, hmac);
    const plain = nodeDecrypt(cipher.cipher, key, octets(ivTlv, 'PBES2 IV'), data);
    if (!plain) throw new Pkcs12Error('wrong-password', 'decryption failed');
    return {
      scheme: `PBES2 (PBKDF2 HMAC-${hmac.toUpperCase()}, ${cipher.cipher.toUpperCase()}, ${iterations} iterations)`,
      plain,
    };
  }
  const pbe = PKCS12_PBE[oid];
  if (!pbe) throw new Pkcs12Error('unsupported', `encryption algorithm ${oid} is not supported`);
  const [saltTlv, iterationsTlv] = params ? children(params.value) : [];
  const salt = octets(saltTlv, 'PBE salt');
  const iterations = iterationsOf(iterationsTlv);
  const bmp = password.bmp;
  const key = pkcs12Kdf('sha1', bmp, salt, 1, iterations, pbe.keyLength);
  const iv = pkcs12Kdf('sha1', bmp, salt, 2, iterations, pbe.ivLength);
  const plain = pbe.rc2Bits ? rc2CbcDecrypt(key, pbe.rc2Bits, iv, data) : nodeDecrypt(pbe.cipher, key, iv, data);
  if (!plain) throw new Pkcs12Error('wrong-password', 'decryption failed');
  return { scheme: `${pbe.name} (${iterations} iterations)`, plain };
}
