// The DER value decoders for single certificate extensions, each null where OpenSSL's d2i would
// fail (the certificate is then invalid, see extensions.ts). Pure.
import { decodeOid, tryChildren } from './der.js';
import { decodeGeneralNamesContent, firstElement, validInteger, GEN_DIRNAME } from './general-names.js';
import type { ParsedName } from './canonical-name.js';

export interface AuthorityKeyId {
  keyId: Buffer | null;
  /** The first directoryName of authorityCertIssuer, the only one OpenSSL compares. */
  issuerName: ParsedName | null;
  /** authorityCertSerialNumber's contents. */
  serial: Buffer | null;
}

export type Decoder<T> = (value: Buffer) => T | null;

export function bitString(value: Buffer): Buffer | null {
  const tlv = firstElement(value);
  if (!tlv || tlv.tag !== 0x03 || tlv.value.length < 1 || tlv.value[0]! > 7) return null;
  const bits = Buffer.from(tlv.value.subarray(1));
  if (bits.length) bits[bits.length - 1]! &= 0xff << tlv.value[0]!;
  return bits;
}

export const decodeBasicConstraints: Decoder<{ ca: boolean; pathLen: number | null; negative: boolean }> = (value) => {
  const tlv = firstElement(value);
  const parts = tlv?.tag === 0x30 ? tryChildren(tlv.value) : null;
  if (!parts) return null;
  let ca = false;
  let pathLen: number | null = null;
  let negative = false;
  let next = 0;
  if (parts[next]?.tag === 0x01) {
    if (parts[next]!.value.length !== 1) return null;
    ca = parts[next]!.value[0] !== 0;
    next++;
  }
  if (parts[next]?.tag === 0x02) {
    const int = parts[next]!.value;
    if (!validInteger(int)) return null;
    negative = (int[0]! & 0x80) !== 0;
    // ASN1_INTEGER_get: beyond a long it gives -1, which OpenSSL reads as "no limit".
    const big = BigInt(`0x${int.toString('hex')}`);
    pathLen =
      negative || int.length > 8 ? null : big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
    next++;
  }
  return next === parts.length ? { ca, pathLen, negative } : null;
};

export const decodeOidList: Decoder<string[]> = (value) => {
  const tlv = firstElement(value);
  const items = tlv?.tag === 0x30 ? tryChildren(tlv.value) : null;
  if (!items || items.some((item) => item.tag !== 0x06 || !item.value.length)) return null;
  try {
    return items.map((item) => decodeOid(item.value));
  } catch {
    return null;
  }
};

export const decodeOctetString: Decoder<Buffer> = (value) => {
  const tlv = firstElement(value);
  return tlv?.tag === 0x04 ? tlv.value : null;
};

export const decodeAuthorityKeyId: Decoder<AuthorityKeyId> = (value) => {
  const tlv = firstElement(value);
  const parts = tlv?.tag === 0x30 ? tryChildren(tlv.value) : null;
  if (!parts) return null;
  const akid: AuthorityKeyId = { keyId: null, issuerName: null, serial: null };
  let next = 0;
  if (parts[next]?.tag === 0x80) akid.keyId = parts[next++]!.value;
  if (parts[next]?.tag === 0xa1) {
    const names = decodeGeneralNamesContent(parts[next++]!.value);
    if (!names) return null;
    akid.issuerName = names.find((n) => n.type === GEN_DIRNAME)?.name ?? null;
  }
  if (parts[next]?.tag === 0x82) {
    if (!validInteger(parts[next]!.value)) return null;
    akid.serial = parts[next++]!.value;
  }
  return next === parts.length ? akid : null;
};

/** CRLDistributionPoints, with setup_dp's rule: a point needs a name or a CRL issuer. */
export const decodeCrlDistributionPoints: Decoder<true> = (value) => {
  const tlv = firstElement(value);
  const points = tlv?.tag === 0x30 ? tryChildren(tlv.value) : null;
  if (!points) return null;
  for (const point of points) {
    const parts = point.tag === 0x30 ? tryChildren(point.value) : null;
    if (!parts) return null;
    let next = 0;
    let named = false;
    if (parts[next]?.tag === 0xa0) {
      const choice = tryChildren(parts[next++]!.value);
      if (!choice || choice.length !== 1) return null;
      if (choice[0]!.tag === 0xa0) {
        if (!decodeGeneralNamesContent(choice[0]!.value)) return null;
      } else if (choice[0]!.tag !== 0xa1 || !tryChildren(choice[0]!.value)) return null;
      named = true;
    }
    if (parts[next]?.tag === 0x81) next++;
    let issuers = 0;
    if (parts[next]?.tag === 0xa2) {
      const names = decodeGeneralNamesContent(parts[next++]!.value);
      if (!names) return null;
      issuers = names.length;
    }
    if (next !== parts.length || (!named && issuers === 0)) return null;
  }
  return true;
};

/** ProxyCertInfo ::= SEQUENCE { pCPathLenConstraint INTEGER OPTIONAL, proxyPolicy SEQUENCE }. */
export const decodeProxyCertInfo: Decoder<true> = (value) => {
  const tlv = firstElement(value);
  const parts = tlv?.tag === 0x30 ? tryChildren(tlv.value) : null;
  if (!parts) return null;
  const policy = parts[parts[0]?.tag === 0x02 ? 1 : 0];
  return policy?.tag === 0x30 && parts.length === (parts[0]?.tag === 0x02 ? 2 : 1) ? true : null;
};
