// GeneralName, GeneralNames and GeneralSubtrees (RFC 5280 4.2.1.6, 4.2.1.10) decoded as OpenSSL's
// templates accept them. Every decoder returns null instead of throwing: to OpenSSL a malformed
// extension is a decode failure (EXFLAG_INVALID), never an error of its own. Pure.
import { parseName, type ParsedName } from './canonical-name.js';
import { decodeOid, readTlv, tryChildren, type Tlv } from './der.js';

export const GEN_OTHERNAME = 0;
export const GEN_EMAIL = 1;
export const GEN_DNS = 2;
export const GEN_X400 = 3;
export const GEN_DIRNAME = 4;
export const GEN_EDIPARTY = 5;
export const GEN_URI = 6;
export const GEN_IPADD = 7;
export const GEN_RID = 8;

export interface GeneralName {
  type: number;
  /** The contents: IA5 text bytes, IP address bytes, OID bytes, or the whole constructed value. */
  bytes: Buffer;
  /** directoryName only. */
  name?: ParsedName;
  /** otherName only: type-id and the value inside its [0]. */
  typeId?: string;
  otherValue?: Tlv;
}

export interface GeneralSubtree {
  base: GeneralName;
  /** minimum is present and not zero, or maximum is present: OpenSSL refuses both (49). */
  hasMinMax: boolean;
}

export interface NameConstraints {
  permitted: GeneralSubtree[];
  excluded: GeneralSubtree[];
}

/** A valid INTEGER encoding (OpenSSL 3 rejects empty contents and non-minimal padding). */
export function validInteger(value: Buffer): boolean {
  if (!value.length) return false;
  if (value.length > 1 && ((value[0] === 0 && !(value[1]! & 0x80)) || (value[0] === 0xff && value[1]! & 0x80)))
    return false;
  return true;
}

export function decodeGeneralName(tlv: Tlv): GeneralName | null {
  const constructed = (tlv.tag & 0x20) !== 0;
  if ((tlv.tag & 0xc0) !== 0x80) return null;
  const type = tlv.tag & 0x1f;
  switch (type) {
    case GEN_EMAIL:
    case GEN_DNS:
    case GEN_URI:
    case GEN_IPADD:
      return constructed ? null : { type, bytes: tlv.value };
    case GEN_RID:
      if (constructed || !tlv.value.length) return null;
      try {
        decodeOid(tlv.value);
      } catch {
        return null;
      }
      return { type, bytes: tlv.value };
    case GEN_OTHERNAME: {
      const parts = constructed ? tryChildren(tlv.value) : null;
      if (!parts || parts.length !== 2 || parts[0]!.tag !== 0x06 || parts[1]!.tag !== 0xa0 || !parts[0]!.value.length)
        return null;
      const inner = tryChildren(parts[1]!.value);
      if (!inner || inner.length !== 1) return null;
      return { type, bytes: tlv.value, typeId: decodeOid(parts[0]!.value), otherValue: inner[0]! };
    }
    case GEN_X400:
    case GEN_EDIPARTY:
      return constructed && tryChildren(tlv.value) ? { type, bytes: tlv.value } : null;
    case GEN_DIRNAME: {
      const inner = constructed ? tryChildren(tlv.value) : null;
      if (!inner || inner.length !== 1) return null;
      const name = parseName(inner[0]!.whole);
      return name ? { type, bytes: tlv.value, name } : null;
    }
    default:
      return null;
  }
}

/** GeneralNames (a SEQUENCE OF GeneralName) from an element's contents. */
export function decodeGeneralNamesContent(content: Buffer): GeneralName[] | null {
  const items = tryChildren(content);
  if (!items) return null;
  const out: GeneralName[] = [];
  for (const item of items) {
    const name = decodeGeneralName(item);
    if (!name) return null;
    out.push(name);
  }
  return out;
}

/** The SubjectAltName extension value. */
export function decodeSubjectAltName(extnValue: Buffer): GeneralName[] | null {
  const outer = firstElement(extnValue);
  return outer?.tag === 0x30 ? decodeGeneralNamesContent(outer.value) : null;
}

function decodeSubtrees(content: Buffer): GeneralSubtree[] | null {
  const items = tryChildren(content);
  if (!items) return null;
  const out: GeneralSubtree[] = [];
  for (const item of items) {
    const parts = item.tag === 0x30 ? tryChildren(item.value) : null;
    if (!parts?.length) return null;
    const base = decodeGeneralName(parts[0]!);
    if (!base) return null;
    let hasMinMax = false;
    let next = 1;
    if (parts[next]?.tag === 0x80) {
      if (!validInteger(parts[next]!.value)) return null;
      if (parts[next]!.value.some((b) => b !== 0)) hasMinMax = true;
      next++;
    }
    if (parts[next]?.tag === 0x81) {
      if (!validInteger(parts[next]!.value)) return null;
      hasMinMax = true;
      next++;
    }
    if (next !== parts.length) return null;
    out.push({ base, hasMinMax });
  }
  return out;
}

/** The NameConstraints extension value. */
export function decodeNameConstraints(extnValue: Buffer): NameConstraints | null {
  const outer = firstElement(extnValue);
  const parts = outer?.tag === 0x30 ? tryChildren(outer.value) : null;
  if (!parts) return null;
  let permitted: GeneralSubtree[] = [];
  let excluded: GeneralSubtree[] = [];
  let next = 0;
  if (parts[next]?.tag === 0xa0) {
    const list = decodeSubtrees(parts[next]!.value);
    if (!list) return null;
    permitted = list;
    next++;
  }
  if (parts[next]?.tag === 0xa1) {
    const list = decodeSubtrees(parts[next]!.value);
    if (!list) return null;
    excluded = list;
    next++;
  }
  return next === parts.length ? { permitted, excluded } : null;
}

/** The first element of an extension value; bytes after it are ignored, as OpenSSL's d2i ignores them. */
export function firstElement(extnValue: Buffer): Tlv | null {
  try {
    return readTlv(extnValue).tlv;
  } catch {
    return null;
  }
}
