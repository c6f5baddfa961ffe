// RFC 3779 IP address blocks and AS identifiers decoded as OpenSSL 3.0 caches them
// (crypto/x509/v3_addr.c, v3_asid.c): null when the extension does not decode, which makes the
// certificate invalid. Pure.
import { tryChildren, type Tlv } from './der.js';
import { firstElement, validInteger } from './general-names.js';

export interface Bits {
  bytes: Buffer;
  unused: number;
}
export type AddressOrRange = { prefix: Bits } | { min: Bits; max: Bits };
export interface AddressFamily {
  afi: Buffer;
  /** null: inherit. */
  ranges: AddressOrRange[] | null;
}
export type AsIdOrRange = { min: bigint; max: bigint; range: boolean };
/** undefined: absent; null: inherit. */
export interface AsIdentifiers {
  asnum: AsIdOrRange[] | null | undefined;
  rdi: AsIdOrRange[] | null | undefined;
}

function bits(tlv: Tlv | undefined): Bits | null {
  if (!tlv || tlv.tag !== 0x03 || !tlv.value.length || tlv.value[0]! > 7) return null;
  const bytes = Buffer.from(tlv.value.subarray(1));
  const unused = bytes.length ? tlv.value[0]! : 0;
  if (bytes.length) bytes[bytes.length - 1]! &= 0xff << unused;
  return { bytes, unused };
}

export function decodeIpAddrBlocks(extnValue: Buffer): AddressFamily[] | null {
  const outer = firstElement(extnValue);
  const families = outer?.tag === 0x30 ? tryChildren(outer.value) : null;
  if (!families) return null;
  const out: AddressFamily[] = [];
  for (const family of families) {
    const parts = family.tag === 0x30 ? tryChildren(family.value) : null;
    if (!parts || parts.length !== 2 || parts[0]!.tag !== 0x04) return null;
    const choice = parts[1]!;
    if (choice.tag === 0x05) {
      if (choice.value.length) return null;
      out.push({ afi: parts[0]!.value, ranges: null });
      continue;
    }
    const items = choice.tag === 0x30 ? tryChildren(choice.value) : null;
    if (!items) return null;
    const ranges: AddressOrRange[] = [];
    for (const item of items) {
      if (item.tag === 0x03) {
        const prefix = bits(item);
        if (!prefix) return null;
        ranges.push({ prefix });
      } else {
        const pair = item.tag === 0x30 ? tryChildren(item.value) : null;
        const min = bits(pair?.[0]);
        const max = bits(pair?.[1]);
        if (!pair || pair.length !== 2 || !min || !max) return null;
        ranges.push({ min, max });
      }
    }
    out.push({ afi: parts[0]!.value, ranges });
  }
  return out;
}

function integer(tlv: Tlv | undefined): bigint | null {
  if (!tlv || tlv.tag !== 0x02 || !validInteger(tlv.value)) return null;
  const value = BigInt(`0x${tlv.value.toString('hex')}`);
  return tlv.value[0]! & 0x80 ? value - (1n << BigInt(tlv.value.length * 8)) : value;
}

function asChoice(tlv: Tlv): AsIdOrRange[] | null | false {
  const inner = tryChildren(tlv.value);
  if (!inner || inner.length !== 1) return false;
  const choice = inner[0]!;
  if (choice.tag === 0x05) return choice.value.length ? false : null;
  const items = choice.tag === 0x30 ? tryChildren(choice.value) : null;
  if (!items) return false;
  const out: AsIdOrRange[] = [];
  for (const item of items) {
    if (item.tag === 0x02) {
      const id = integer(item);
      if (id === null) return false;
      out.push({ min: id, max: id, range: false });
    } else {
      const pair = item.tag === 0x30 ? tryChildren(item.value) : null;
      const min = integer(pair?.[0]);
      const max = integer(pair?.[1]);
      if (!pair || pair.length !== 2 || min === null || max === null) return false;
      out.push({ min, max, range: true });
    }
  }
  return out;
}

export function decodeAsIdentifiers(extnValue: Buffer): AsIdentifiers | null {
  const outer = firstElement(extnValue);
  const parts = outer?.tag === 0x30 ? tryChildren(outer.value) : null;
  if (!parts) return null;
  const out: AsIdentifiers = { asnum: undefined, rdi: undefined };
  let next = 0;
  if (parts[next]?.tag === 0xa0) {
    const choice = asChoice(parts[next++]!);
    if (choice === false) return null;
    out.asnum = choice;
  }
  if (parts[next]?.tag === 0xa1) {
    const choice = asChoice(parts[next++]!);
    if (choice === false) return null;
    out.rdi = choice;
  }
  return next === parts.length ? out : null;
}
