// The per-type matchers of OpenSSL 3.0's name constraints (nc_match_single and nc_dns, nc_email,
// nc_email_eai, nc_uri, nc_ip, nc_dn in crypto/x509/v3_ncons.c): one name against one subtree base. Pure.
import { domainToUnicode } from 'node:url';
import type { ParsedName } from './canonical-name.js';
import type { Tlv } from './der.js';
import {
  GEN_DIRNAME,
  GEN_DNS,
  GEN_EMAIL,
  GEN_IPADD,
  GEN_OTHERNAME,
  GEN_URI,
  type GeneralName,
} from './general-names.js';

export const OK = 0;
export const PERMITTED_VIOLATION = 47;
export const UNSUPPORTED_CONSTRAINT_TYPE = 51;
export const UNSUPPORTED_NAME_SYNTAX = 53;

/** A name to check: a GeneralName, or the subject DN / an attribute standing in for one. */
export interface Subject {
  type: number;
  bytes: Buffer;
  name?: ParsedName;
  typeId?: string;
  otherValue?: Tlv;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** ia5ncasecmp: equal ignoring ASCII case, NULs compared like any byte (3.0.19, measured). */
function caseEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && lower(a[i]!) !== lower(b[i]!)) return false;
  return true;
}

export const DOT = 0x2e;

function ncDns(dns: Buffer, base: Buffer): number {
  if (!base.length) return OK; // an empty base matches everything
  if (dns.length < base.length) return PERMITTED_VIOLATION;
  const tail = dns.subarray(dns.length - base.length);
  // More labels on the left: the base must start with a dot or be preceded by one.
  if (dns.length > base.length && base[0] !== DOT && dns[dns.length - base.length - 1] !== DOT)
    return PERMITTED_VIOLATION;
  return caseEqual(base, tail) ? OK : PERMITTED_VIOLATION;
}

function ncEmail(eml: Buffer, base: Buffer): number {
  const emlAt = eml.lastIndexOf(0x40);
  const baseAt = base.lastIndexOf(0x40);
  if (emlAt < 0) return UNSUPPORTED_NAME_SYNTAX;
  // A leading dot without @: suffix match on the whole address.
  if (baseAt < 0 && base.length > 0 && base[0] === DOT) {
    return eml.length > base.length && caseEqual(base, eml.subarray(eml.length - base.length))
      ? OK
      : PERMITTED_VIOLATION;
  }
  let baseHost = base;
  if (baseAt >= 0) {
    if (baseAt !== 0) {
      // A local part in the base: it must equal the address's, case-sensitively.
      if (baseAt !== emlAt) return PERMITTED_VIOLATION;
      if (base.subarray(0, baseAt).includes(0) || eml.subarray(0, emlAt).includes(0)) return UNSUPPORTED_NAME_SYNTAX;
      if (!base.subarray(0, baseAt).equals(eml.subarray(0, emlAt))) return PERMITTED_VIOLATION;
    }
    baseHost = base.subarray(baseAt + 1);
  }
  return caseEqual(baseHost, eml.subarray(emlAt + 1)) ? OK : PERMITTED_VIOLATION;
}

/** nc_email_eai: an SmtpUTF8Mailbox against an rfc822Name base (hosts compared as U-labels). */
function ncEmailEai(value: Tlv | undefined, base: Buffer): number {
  if (base.includes(0)) return UNSUPPORTED_NAME_SYNTAX;
  if (!value || value.tag !== 0x0c) return UNSUPPORTED_NAME_SYNTAX;
  const eml = value.value;
  const emlAt = eml.lastIndexOf(0x40);
  if (emlAt < 0) return UNSUPPORTED_NAME_SYNTAX;
  const text = base.toString('latin1');
  // ossl_a2ulabel: xn-- labels to Unicode, the rest as they are. For a '.' base OpenSSL prefixes
  // another '.', so the suffix it looks for starts with two dots (3.0 behaviour, replicated).
  const ulabel =
    (text.startsWith('.') ? '.' : '') +
    text
      .split('.')
      .map((label) => (label.startsWith('xn--') ? domainToUnicode(label) || label : label))
      .join('.');
  const u = Buffer.from(ulabel, 'utf8');
  if (text.startsWith('.'))
    return eml.length > u.length && caseEqual(u, eml.subarray(eml.length - u.length)) ? OK : PERMITTED_VIOLATION;
  return caseEqual(u, eml.subarray(emlAt + 1)) ? OK : PERMITTED_VIOLATION;
}

function ncUri(uri: Buffer, base: Buffer): number {
  const colon = uri.indexOf(0x3a);
  // scheme://: the first colon followed by two slashes
  if (colon < 0 || uri.length - colon < 3 || uri[colon + 1] !== 0x2f || uri[colon + 2] !== 0x2f)
    return UNSUPPORTED_NAME_SYNTAX;
  const hostStart = colon + 3;
  let end = uri.indexOf(0x3a, hostStart);
  if (end < 0) end = uri.indexOf(0x2f, hostStart);
  if (end < 0) end = uri.length;
  const host = uri.subarray(hostStart, end);
  if (!host.length) return UNSUPPORTED_NAME_SYNTAX;
  if (base.length > 0 && base[0] === DOT) {
    return host.length > base.length && caseEqual(host.subarray(host.length - base.length), base)
      ? OK
      : PERMITTED_VIOLATION;
  }
  return caseEqual(host, base) ? OK : PERMITTED_VIOLATION;
}

function ncIp(ip: Buffer, base: Buffer): number {
  if (ip.length !== 4 && ip.length !== 16) return UNSUPPORTED_NAME_SYNTAX;
  if (base.length !== 8 && base.length !== 32) return UNSUPPORTED_NAME_SYNTAX;
  if (ip.length * 2 !== base.length) return PERMITTED_VIOLATION; // IPv4 never matches IPv6
  // The mask is applied as given, contiguous or not.
  for (let i = 0; i < ip.length; i++)
    if ((ip[i]! & base[ip.length + i]!) !== (base[i]! & base[ip.length + i]!)) return PERMITTED_VIOLATION;
  return OK;
}

/** nc_dn: the base's canonical encoding is a byte prefix of the name's. */
function ncDn(name: ParsedName | undefined, base: ParsedName | undefined): number {
  const n = name?.canonical ?? Buffer.alloc(0);
  const b = base?.canonical ?? Buffer.alloc(0);
  return b.length <= n.length && n.subarray(0, b.length).equals(b) ? OK : PERMITTED_VIOLATION;
}

export function matchSingle(effectiveType: number, subject: Subject, base: GeneralName): number {
  switch (subject.type) {
    case GEN_OTHERNAME:
      return effectiveType === GEN_EMAIL ? ncEmailEai(subject.otherValue, base.bytes) : UNSUPPORTED_CONSTRAINT_TYPE;
    case GEN_DIRNAME:
      return ncDn(subject.name, base.name);
    case GEN_DNS:
      return ncDns(subject.bytes, base.bytes);
    case GEN_EMAIL:
      return ncEmail(subject.bytes, base.bytes);
    case GEN_URI:
      return ncUri(subject.bytes, base.bytes);
    case GEN_IPADD:
      return ncIp(subject.bytes, base.bytes);
    default:
      return UNSUPPORTED_CONSTRAINT_TYPE;
  }
}
