// DER encoding primitives for the test certificate builder: just enough ASN.1 to write any certificate byte by byte.
import { isIPv4, isIPv6 } from 'node:net';

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octets = (content: Buffer): Buffer => tlv(0x04, content);
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);
/** Context-specific tag: constructed (EXPLICIT or IMPLICIT over a constructed type) or primitive IMPLICIT. */
export const ctx = (n: number, content: Buffer, constructed: boolean): Buffer =>
  tlv((constructed ? 0xa0 : 0x80) | n, content);

/** Two's-complement minimal INTEGER content. */
export function integerContent(value: number | bigint): Buffer {
  let n = BigInt(value);
  const bytes: number[] = [];
  if (n === 0n) return Buffer.from([0]);
  if (n > 0n) {
    while (n > 0n) {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    if (bytes[0]! & 0x80) bytes.unshift(0);
  } else {
    let length = 1;
    while (n < -(1n << BigInt(8 * length - 1))) length++;
    let v = (1n << BigInt(8 * length)) + n;
    for (let i = 0; i < length; i++) {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    }
  }
  return Buffer.from(bytes);
}

export const integer = (value: number | bigint): Buffer => tlv(0x02, integerContent(value));

export function oidContent(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const first = parts[0]! * 40n + parts[1]!;
  const out: number[] = [];
  for (const arc of [first, ...parts.slice(2)]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return Buffer.from(out);
}

export const oid = (dotted: string): Buffer => tlv(0x06, oidContent(dotted));

/** BIT STRING from named bit positions (DER: trailing zero bits dropped). */
export function namedBits(positions: number[]): Buffer {
  if (positions.length === 0) return tlv(0x03, Buffer.from([0]));
  const last = Math.max(...positions);
  const bytes = Buffer.alloc((last >> 3) + 1);
  for (const p of positions) bytes[p >> 3]! |= 0x80 >> (p & 7);
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (last & 7)]), bytes]));
}

export const bitString = (content: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));

export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'latin1'));
  return tlv(0x18, Buffer.from(`${digits}Z`, 'latin1'));
}

const STRING_TAGS = {
  utf8: 0x0c,
  numeric: 0x12,
  printable: 0x13,
  t61: 0x14,
  ia5: 0x16,
  visible: 0x1a,
  universal: 0x1c,
  bmp: 0x1e,
} as const;

export function stringValue(kind: keyof typeof STRING_TAGS, value: string): Buffer {
  if (kind === 'bmp') return tlv(STRING_TAGS.bmp, Buffer.from(value, 'utf16le').swap16());
  if (kind === 'universal')
    return tlv(
      STRING_TAGS.universal,
      Buffer.concat([...value].map((ch) => Buffer.from([0, 0, ch.codePointAt(0)! >> 8, ch.codePointAt(0)! & 0xff]))),
    );
  return tlv(STRING_TAGS[kind], Buffer.from(value, kind === 'utf8' ? 'utf8' : 'latin1'));
}

/** Address bytes of an IPv4/IPv6 literal. */
export function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  const [head, tail] = address.split('::') as [string, string | undefined];
  // Groups of 16 bits; a trailing dotted IPv4 part (::ffff:10.1.2.3) counts as two.
  const groups = (s: string | undefined) =>
    s
      ? s.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Address and mask bytes of 'addr/prefix' (a name-constraint base). */
export function ipRangeBytes(range: string): Buffer {
  const [address, prefix] = range.split('/') as [string, string];
  const addr = ipBytes(address);
  const mask = Buffer.alloc(addr.length);
  for (let bit = 0; bit < Number(prefix); bit++) mask[bit >> 3]! |= 0x80 >> (bit & 7);
  return Buffer.concat([addr, mask]);
}
