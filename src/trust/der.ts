// A minimal DER reader (ITU-T X.690): just enough to walk a certificate's TBSCertificate. Pure,
// allocation-light (views into the input), and strict: any malformed length throws.
import { sameAcrossBundles } from '../cross-bundle.js';

export interface Tlv {
  /** The identifier octet: class, constructed bit and tag number (low tags only, as X.509 uses). */
  tag: number;
  /** The whole element, header included. */
  whole: Buffer;
  /** The contents octets. */
  value: Buffer;
}

export class DerError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'DerError');
  }

  constructor(message: string) {
    super(`malformed DER: ${message}`);
    this.name = 'DerError';
  }
}

/** Reads one element at `offset`; returns it and the offset after it. */
export function readTlv(data: Buffer, offset = 0): { tlv: Tlv; next: number } {
  if (offset + 2 > data.length) throw new DerError('truncated header');
  const tag = data[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in X.509');
  let length = data[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || offset + 2 + bytes > data.length) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + data[offset + 2 + i]!;
    header += bytes;
  }
  const end = offset + header + length;
  if (end > data.length) throw new DerError('element runs past its container');
  return { tlv: { tag, whole: data.subarray(offset, end), value: data.subarray(offset + header, end) }, next: end };
}

/** The elements inside a constructed value (SEQUENCE, SET, explicit tag). */
export function children(value: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = 0; offset < value.length;) {
    const { tlv, next } = readTlv(value, offset);
    out.push(tlv);
    offset = next;
  }
  return out;
}

export function decodeOid(value: Buffer): string {
  if (!value.length) throw new DerError('empty OID');
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of value) {
    arc = arc * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(arc);
      arc = 0;
    }
  }
  const first = arcs.shift()!;
  const top = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [top, first - top * 40, ...arcs].join('.');
}

/** UTCTime / GeneralizedTime as RFC 5280 4.1.2.5 encodes them (Z, seconds present). */
export function decodeTime(tlv: Tlv): Date {
  const text = tlv.value.toString('latin1');
  const match =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(text);
  if (!match) throw new DerError(`time "${text}"`);
  let year = Number(match[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(
    Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0)),
  );
}

/** The string types a Name or GeneralName holds. Null for anything else. */
export function decodeString(tlv: Tlv): string | null {
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return tlv.value.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return tlv.value.toString('latin1');
    case 0x14: // TeletexString: in practice Latin-1
      return tlv.value.toString('latin1');
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(tlv.value.subarray(0, tlv.value.length & ~1))
        .swap16()
        .toString('utf16le');
    case 0x1c: {
      // UniversalString: UTF-32BE
      let text = '';
      for (let i = 0; i + 3 < tlv.value.length; i += 4) text += String.fromCodePoint(tlv.value.readUInt32BE(i));
      return text;
    }
    default:
      return null;
  }
}

/** One DER element from a tag and its contents (definite, minimal length). */
export function encodeTlv(tag: number, ...contents: Buffer[]): Buffer {
  const value = Buffer.concat(contents);
  const n = value.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), value]);
}

/** Like children(), but null instead of an exception when the contents do not parse. */
export function tryChildren(value: Buffer): Tlv[] | null {
  try {
    return children(value);
  } catch {
    return null;
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A certificate time as OpenSSL's X509_cmp_time accepts it: exactly YYMMDDHHMMSSZ (UTCTime) or
 * YYYYMMDDHHMMSSZ (GeneralizedTime), digits in range. Null for anything else, which OpenSSL
 * reports as a format error (13 or 14) rather than rejecting the certificate.
 */
export function decodeCertificateTime(tlv: Tlv): Date | null {
  const text = tlv.value.toString('latin1');
  const utc = tlv.tag === 0x17;
  if ((!utc && tlv.tag !== 0x18) || text.length !== (utc ? 13 : 15) || !/^\d+Z$/.test(text)) return null;
  const digits = utc ? text.slice(0, 12) : text.slice(0, 14);
  let year = Number(digits.slice(0, utc ? 2 : 4));
  if (utc) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = (digits.slice(utc ? 2 : 4).match(/\d\d/g) ?? []).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month < 1 || month > 12) return null;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}
