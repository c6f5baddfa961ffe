// RC2-CBC decryption (RFC 2268), only to open PKCS#12 files that still use it: `openssl pkcs12 -export
// -legacy` encrypts the certificates with pbeWithSHA1And40BitRC2-CBC, and OpenSSL 3 keeps RC2 in its legacy
// provider, which Node does not load (crypto.getCiphers() has no rc2). Pure; decryption only.

// RFC 2268 section 2: PITABLE, a permutation of 0..255 derived from the digits of pi.
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2' +
    '179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82' +
    '54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
    '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7' +
    '08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec' +
    'c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
    '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9' +
    '0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** RFC 2268 section 2: the 64 16-bit subkeys for a key and an effective key length in bits. */
function expandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const L = new Uint8Array(128);
  L.set(key.subarray(0, 128));
  const T = Math.min(key.length, 128);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1]! + L[i - T]!) & 0xff]!;
  const T8 = Math.ceil(effectiveBits / 8);
  const TM = 0xff >> (8 * T8 - effectiveBits);
  L[128 - T8] = PITABLE[L[128 - T8]! & TM]!;
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1]! ^ L[i + T8]!]!;
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i]! | (L[2 * i + 1]! << 8);
  return K;
}

const SHIFTS = [1, 2, 3, 5];

/** RFC 2268 section 4: one 8-byte block, in place (five mixing rounds, a mash, six, a mash, five, in reverse). */
function decryptBlock(K: Uint16Array, block: Buffer): void {
  const R = [block.readUInt16LE(0), block.readUInt16LE(2), block.readUInt16LE(4), block.readUInt16LE(6)];
  let j = 63;
  const mix = () => {
    for (let i = 3; i >= 0; i--) {
      const r = R[i]!;
      R[i] = ((r >>> SHIFTS[i]!) | (r << (16 - SHIFTS[i]!))) & 0xffff;
      R[i] = (R[i]! - K[j--]! - (R[(i + 3) & 3]! & R[(i + 2) & 3]!) - (~R[(i + 3) & 3]! & R[(i + 1) & 3]!)) & 0xffff;
    }
  };
  const mash = () => {
    for (let i = 3; i >= 0; i--) R[i] = (R[i]! - K[R[(i + 3) & 3]! & 63]!) & 0xffff;
  };
  for (let round = 0; round < 16; round++) {
    mix();
    if (round === 4 || round === 10) mash();
  }
  R.forEach((word, i) => block.writeUInt16LE(word, 2 * i));
}

/** One block, for the RFC 2268 section 5 test vectors. */
export function rc2DecryptBlock(key: Buffer, effectiveBits: number, block: Buffer): Buffer {
  const out = Buffer.from(block);
  decryptBlock(expandKey(key, effectiveBits), out);
  return out;
}

/** RC2-CBC with PKCS#7 padding removed; null when the padding is wrong (a wrong key or damaged data). */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer | null {
  if (data.length === 0 || data.length % 8 !== 0 || iv.length !== 8) return null;
  const K = expandKey(key, effectiveBits);
  const out = Buffer.from(data);
  let previous = iv;
  for (let offset = 0; offset < out.length; offset += 8) {
    const block = out.subarray(offset, offset + 8);
    const cipher = Buffer.from(block);
    decryptBlock(K, block);
    for (let i = 0; i < 8; i++) block[i]! ^= previous[i]!;
    previous = cipher;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8 || !out.subarray(out.length - pad).every((b) => b === pad)) return null;
  return out.subarray(0, out.length - pad);
}
