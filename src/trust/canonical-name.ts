// X.509 Names compared as OpenSSL compares them (X509_NAME_cmp over the canonical encoding built by
// x509_name_canon in crypto/x509/x_name.c): strings to UTF-8, ASCII case and white space folded,
// each RDN re-encoded as a sorted SET. Two empty names are equal. Pure.
import { children, decodeOid, encodeTlv, readTlv, type Tlv } from './der.js';

export interface NameAttribute {
  oid: string;
  /** Index of the RDN (SET) holding it: attributes of a multi-valued RDN share it. */
  rdn: number;
  /** The attribute value as encoded (tag and contents). */
  value: Tlv;
}

export interface ParsedName {
  attributes: NameAttribute[];
  /** OpenSSL's canonical encoding: the RDN SETs concatenated, empty for an empty name. */
  canonical: Buffer;
  /** The canonical SET of each non-empty RDN, in order. */
  rdns: Buffer[];
}

const UTF8 = 0x0c;
// ASN1_MASK_CANON: the string types converted to UTF-8 and folded; others are kept as they are.
const LATIN1_TYPES = new Set([0x13, 0x14, 0x16, 0x1a]); // Printable, T61, IA5, Visible
const SPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

/** ASN1_STRING_to_UTF8 for the canonical types; null when OpenSSL's conversion fails. */
export function stringToUtf8(value: Tlv): Buffer | null {
  const bytes = value.value;
  switch (value.tag) {
    case UTF8: {
      const text = bytes.toString('utf8');
      return Buffer.from(text, 'utf8').equals(bytes) ? Buffer.from(bytes) : null;
    }
    case 0x1e: {
      if (bytes.length % 2) return null;
      let text = '';
      for (let i = 0; i < bytes.length; i += 2) {
        const unit = bytes.readUInt16BE(i);
        if (unit >= 0xd800 && unit < 0xe000) return null;
        text += String.fromCharCode(unit);
      }
      return Buffer.from(text, 'utf8');
    }
    case 0x1c: {
      if (bytes.length % 4) return null;
      let text = '';
      for (let i = 0; i < bytes.length; i += 4) {
        const point = bytes.readUInt32BE(i);
        if (point > 0x10ffff || (point >= 0xd800 && point < 0xe000)) return null;
        text += String.fromCodePoint(point);
      }
      return Buffer.from(text, 'utf8');
    }
    default:
      return LATIN1_TYPES.has(value.tag) ? Buffer.from(bytes.toString('latin1'), 'utf8') : null;
  }
}

/** asn1_string_canon: trim, collapse and lower-case ASCII only; bytes with the high bit pass through. */
function fold(utf8: Buffer): Buffer {
  let start = 0;
  let end = utf8.length;
  while (start < end && SPACE.has(utf8[start]!)) start++;
  while (end > start && SPACE.has(utf8[end - 1]!)) end--;
  const out: number[] = [];
  for (let i = start; i < end;) {
    const c = utf8[i]!;
    if (c >= 0x80) {
      out.push(c);
      i++;
    } else if (SPACE.has(c)) {
      out.push(0x20);
      while (i < end && SPACE.has(utf8[i]!)) i++;
    } else {
      out.push(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
      i++;
    }
  }
  return Buffer.from(out);
}

function canonicalValue(value: Tlv): Buffer | null {
  if (value.tag !== UTF8 && value.tag !== 0x1e && value.tag !== 0x1c && !LATIN1_TYPES.has(value.tag))
    return value.whole;
  const utf8 = stringToUtf8(value);
  return utf8 ? encodeTlv(UTF8, fold(utf8)) : null;
}

/** Parses a DER Name; null when it does not decode (OpenSSL rejects it then too). */
export function parseName(der: Buffer): ParsedName | null {
  try {
    const name = readTlv(der).tlv;
    if (name.tag !== 0x30) return null;
    const attributes: NameAttribute[] = [];
    const sets: Buffer[] = [];
    for (const [index, rdn] of children(name.value).entries()) {
      if (rdn.tag !== 0x31) return null;
      const entries: Buffer[] = [];
      for (const atv of children(rdn.value)) {
        const [type, value, extra] = atv.tag === 0x30 ? children(atv.value) : [];
        if (!type || type.tag !== 0x06 || !value || extra) return null;
        const canonical = canonicalValue(value);
        if (!canonical) return null;
        attributes.push({ oid: decodeOid(type.value), rdn: index, value });
        entries.push(encodeTlv(0x30, type.whole, canonical));
      }
      // An empty SET adds nothing; DER sorts a SET OF by encoding.
      if (entries.length) sets.push(encodeTlv(0x31, ...entries.sort(Buffer.compare)));
    }
    return { attributes, canonical: Buffer.concat(sets), rdns: sets };
  } catch {
    return null;
  }
}

/** The index key of a Name for store lookups: equal keys exactly when X509_NAME_cmp says equal. */
export function canonicalKey(canonical: Buffer): string {
  return `n:${canonical.toString('hex')}`;
}

export function nameKeyOfDer(der: Buffer): string | null {
  const parsed = parseName(der);
  return parsed ? canonicalKey(parsed.canonical) : null;
}
