// Reads a PKCS#12 (.p12/.pfx) file (RFC 7292): checks its MAC with the password, then returns the
// certificates (DER) and, when asked, the private keys (PKCS#8 DER). Pure over bytes and a password.
// Handles what OpenSSL 3 writes by default (PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC, HMAC-SHA256 MAC), its
// -legacy files (RC2-40 and 3DES, SHA-1 MAC), Java keytool's and Windows' (3DES, SHA-1 MAC).
import { children, decodeOid, DerError, readTlv, type Tlv } from './der.js';
import { macMatches, passwordForms, pbeDecrypt, Pkcs12Error, type Password } from './pkcs12-pbe.js';

export { Pkcs12Error } from './pkcs12-pbe.js';

export interface Pkcs12Contents {
  certificates: Buffer[];
  /** Per certificate: its bag carries Oracle's trusted-key-usage attribute, so Java loads it as a trusted entry. */
  javaTrusted: boolean[];
  /** PKCS#8 PrivateKeyInfo DER of each key bag (empty unless `keys` was asked for). */
  keys: Buffer[];
  /** How many key bags the file holds (counted, not decrypted, when `keys` was not asked for). */
  keyBags: number;
  /** e.g. "sha256, 2048 iterations"; null for a file without a MAC (`openssl pkcs12 -nomac`). */
  mac: string | null;
  /** The encryption schemes met, for a human summary. */
  schemes: string[];
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  // Java's PKCS12KeyStore keeps a key-less certificate only when its bag carries this attribute (see pkcs12-truststore.ts).
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
};

function hasAttribute(attributes: Tlv | undefined, wanted: string): boolean {
  if (attributes?.tag !== 0x31) return false;
  return children(attributes.value).some((attribute) => {
    const [type] = children(attribute.value);
    return type?.tag === 0x06 && decodeOid(type.value) === wanted;
  });
}

function malformed(what: string): never {
  throw new Pkcs12Error('malformed', what);
}

/** One element that must fill `data` exactly. */
function whole(data: Buffer, what: string): Tlv {
  const { tlv, next } = readTlv(data);
  if (next !== data.length) malformed(`${what} has trailing bytes`);
  return tlv;
}

/** An OCTET STRING's bytes; BER's constructed form (some Windows and NSS exports) is joined. */
function octetString(tlv: Tlv | undefined, what: string, implicitTag = 0x04): Buffer {
  if (!tlv) malformed(`missing ${what}`);
  if (tlv.tag === implicitTag) return tlv.value;
  if (tlv.tag === (implicitTag | 0x20))
    return Buffer.concat(children(tlv.value).map((part) => octetString(part, what)));
  return malformed(`${what} is not an OCTET STRING`);
}

/** [0] EXPLICIT content of a ContentInfo or SafeBag. */
function explicit0(tlv: Tlv | undefined, what: string): Tlv {
  if (!tlv || tlv.tag !== 0xa0) malformed(`missing ${what}`);
  return whole(tlv.value, what);
}

function oid(tlv: Tlv | undefined, what: string): string {
  if (!tlv || tlv.tag !== 0x06) malformed(`missing ${what}`);
  return decodeOid(tlv.value);
}

/** PKCS#8 PrivateKeyInfo's outline: one whole SEQUENCE that opens with its version INTEGER. */
function isPrivateKeyInfo(der: Buffer): boolean {
  try {
    const { tlv, next } = readTlv(der);
    return tlv.tag === 0x30 && next === der.length && children(tlv.value)[0]?.tag === 0x02;
  } catch (error) {
    if (error instanceof DerError) return false;
    throw error;
  }
}

/**
 * Decrypted bytes that do not parse. A wrong password passes CBC padding about once in 256 tries, so
 * where no MAC vouched for the password (no MAC, or one that failed) that is what they mean; under a
 * matching MAC the file itself is damaged.
 */
function undecryptable(walk: Walk, what: string): never {
  if (walk.out.mac === null) throw new Pkcs12Error('wrong-password', `decryption failed (the ${what} does not parse)`);
  return malformed(`the ${what} does not parse`);
}

interface Walk {
  password: Password;
  wantKeys: boolean;
  out: Pkcs12Contents;
}

/** RFC 7292 section 4.2: SafeContents, a SEQUENCE of SafeBag. */
function readSafeContents(der: Buffer, walk: Walk, depth = 0): void {
  if (depth > 4) malformed('safe contents nested too deep');
  const seq = whole(der, 'SafeContents');
  for (const bag of children(seq.value)) {
    const [idTlv, valueTlv, attributes] = children(bag.value);
    const bagId = oid(idTlv, 'bag type');
    if (bagId === OID.certBag) {
      const [certType, certValue] = children(explicit0(valueTlv, 'certificate bag').value);
      // Other certificate types (SDSI) are not X.509: skip them as OpenSSL does.
      if (oid(certType, 'certificate type') === OID.x509Certificate) {
        walk.out.certificates.push(Buffer.from(octetString(explicit0(certValue, 'certificate'), 'certificate')));
        walk.out.javaTrusted.push(hasAttribute(attributes, OID.oracleTrustedKeyUsage));
      }
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(explicit0(valueTlv, 'nested safe contents').whole, walk, depth + 1);
    } else if (bagId === OID.keyBag || bagId === OID.shroudedKeyBag) {
      walk.out.keyBags++;
      if (!walk.wantKeys) continue;
      if (bagId === OID.keyBag) {
        walk.out.keys.push(Buffer.from(explicit0(valueTlv, 'key bag').whole));
        continue;
      }
      // EncryptedPrivateKeyInfo (RFC 5958): algorithm, then the encrypted PrivateKeyInfo.
      const [algorithm, encrypted] = children(explicit0(valueTlv, 'shrouded key bag').value);
      if (!algorithm) malformed('key bag without an algorithm');
      const { scheme, plain } = pbeDecrypt(algorithm, octetString(encrypted, 'encrypted key'), walk.password);
      if (!isPrivateKeyInfo(plain)) undecryptable(walk, 'decrypted key');
      walk.out.schemes.push(`key: ${scheme}`);
      walk.out.keys.push(plain);
    }
    // CRL and secret bags carry nothing a certificate tool shows.
  }
}

/** RFC 7292 section 4.1: one ContentInfo of the AuthenticatedSafe, plain or password-encrypted. */
function readContentInfo(info: Tlv, walk: Walk): void {
  const [typeTlv, content] = children(info.value);
  const type = oid(typeTlv, 'content type');
  if (type === OID.data) return readSafeContents(octetString(explicit0(content, 'data'), 'data'), walk);
  if (type !== OID.encryptedData)
    throw new Pkcs12Error('unsupported', `content type ${type} (public-key privacy mode) is not supported`);
  // EncryptedData (RFC 5652 section 8): version, EncryptedContentInfo { type, algorithm, [0] IMPLICIT content }.
  const [, encryptedContentInfo] = children(explicit0(content, 'encrypted data').value);
  const [, algorithm, encrypted] = encryptedContentInfo ? children(encryptedContentInfo.value) : [];
  if (!algorithm) malformed('encrypted data without an algorithm');
  const { scheme, plain } = pbeDecrypt(algorithm, octetString(encrypted, 'encrypted content', 0x80), walk.password);
  try {
    readSafeContents(plain, walk);
  } catch (error) {
    if (error instanceof DerError || (error instanceof Pkcs12Error && error.reason === 'malformed'))
      undecryptable(walk, 'decrypted certificate safe');
    throw error;
  }
  walk.out.schemes.push(`certificates: ${scheme}`);
}

/**
 * Does this start like a PFX (a SEQUENCE holding INTEGER 3, then a SEQUENCE)? Looks only at the first
 * bytes, so a truncated file is still recognised and reported as a damaged PKCS#12.
 */
export function looksLikePkcs12(data: Buffer): boolean {
  if (data[0] !== 0x30 || data.length < 2) return false;
  const header = data[1]! & 0x80 ? 2 + (data[1]! & 0x7f) : 2;
  return data.subarray(header, header + 4).equals(Buffer.from([0x02, 0x01, 0x03, 0x30]));
}

function walkSafe(authenticated: Buffer, password: Password, wantKeys: boolean, mac: string | null): Pkcs12Contents {
  const out: Pkcs12Contents = { certificates: [], javaTrusted: [], keys: [], keyBags: 0, mac, schemes: [] };
  const walk: Walk = { password, wantKeys, out };
  for (const info of children(whole(authenticated, 'authenticated safe').value)) readContentInfo(info, walk);
  return out;
}

/**
 * The MAC failed: a wrong password, or bytes changed after the file was written. Decrypting tells them
 * apart: under a wrong password CBC padding fails (255 times in 256); contents that decrypt and parse
 * under this password mean the password is right and the file was altered.
 */
function macMismatch(authenticated: Buffer, password: Password): Pkcs12Error {
  try {
    const contents = walkSafe(authenticated, password, true, null);
    if (contents.schemes.length)
      return new Pkcs12Error('malformed', 'its MAC does not match, yet its contents decrypt with this password');
  } catch (error) {
    if (error instanceof Pkcs12Error && error.reason === 'wrong-password')
      return new Pkcs12Error('wrong-password', 'its MAC does not match and its contents do not decrypt');
  }
  return new Pkcs12Error('wrong-password', 'its MAC does not match: a wrong password, or a damaged file');
}

/**
 * Opens a PFX. A wrong password is told by the MAC (RFC 7292 section 5.2), before any decryption; a file
 * without a MAC is told by the padding. Throws Pkcs12Error (reason wrong-password, malformed or unsupported).
 */
export function readPkcs12(data: Buffer, password: string, options: { keys?: boolean } = {}): Pkcs12Contents {
  try {
    const pfx = whole(data, 'PFX');
    const [version, authSafe, macData] = children(pfx.value);
    if (!version || version.tag !== 0x02 || version.value[0] !== 3) malformed('not a PKCS#12 version 3 file');
    const [typeTlv, content] = authSafe ? children(authSafe.value) : [];
    if (oid(typeTlv, 'authenticated safe type') !== OID.data)
      throw new Pkcs12Error('unsupported', 'public-key integrity mode (a signed PFX) is not supported');
    const authenticated = octetString(explicit0(content, 'authenticated safe'), 'authenticated safe');
    const forms = passwordForms(password);
    let mac: string | null = null;
    if (macData) {
      let check = macMatches(macData, authenticated, forms.bmp);
      // An empty password: OpenSSL writes either the encoded "" (two zero bytes) or no bytes at all
      // (a NULL password), and tries both when reading; so do we.
      if (!check.matches && password === '') {
        const none = macMatches(macData, authenticated, Buffer.alloc(0));
        if (none.matches) {
          check = none;
          forms.bmp = Buffer.alloc(0);
        }
      }
      mac = `${check.digest}, ${check.iterations} iterations`;
      if (!check.matches) throw macMismatch(authenticated, forms);
    }
    return walkSafe(authenticated, forms, options.keys ?? false, mac);
  } catch (error) {
    if (error instanceof DerError) throw new Pkcs12Error('malformed', error.message);
    throw error;
  }
}
