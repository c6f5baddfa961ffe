// Name constraints as OpenSSL 3.0 applies them (check_name_constraints in crypto/x509/x509_vfy.c,
// NAME_CONSTRAINTS_check and its matchers in crypto/x509/v3_ncons.c): every CA above a certificate,
// trust anchor included, constrains its subject DN, emailAddress attributes, SAN entries and, for a
// leaf without DNS SAN, each CN that looks like a hostname. Pure.
import { stringToUtf8 } from './canonical-name.js';
import type { ParsedCertificate } from './certificate.js';
import type { Tlv } from './der.js';
import {
  GEN_DIRNAME,
  GEN_DNS,
  GEN_EMAIL,
  GEN_OTHERNAME,
  type GeneralName,
  type NameConstraints,
} from './general-names.js';
import type { Report } from './extension-checks.js';
import { DOT, matchSingle, OK, PERMITTED_VIOLATION, UNSUPPORTED_NAME_SYNTAX, type Subject } from './name-matchers.js';

export type { Subject } from './name-matchers.js';

const UNSPECIFIED = 1;
const EXCLUDED_VIOLATION = 48;
const SUBTREE_MINMAX = 49;
const PROXY_SUBJECT_NAME_VIOLATION = 72;
/** Verification stops (X509_verify_cert returns -1): a CN OpenSSL cannot convert to UTF-8. */
export const ABORT = -1;

const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
const COMMON_NAME = '2.5.4.3';
const SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';
// NAME_CHECK_MAX: names x constraints beyond this are refused rather than compared.
const NAME_CHECK_MAX = 1 << 20;

/** nc_match: subtrees of the same type only; permitted ones present but none matching is 47; an excluded match is 48. */
export function ncMatch(subject: Subject, nc: NameConstraints): number {
  const effectiveType =
    subject.type === GEN_OTHERNAME && subject.typeId === SMTP_UTF8_MAILBOX ? GEN_EMAIL : subject.type;
  const sameType = (base: GeneralName) =>
    base.type === effectiveType && (effectiveType !== GEN_OTHERNAME || base.typeId === subject.typeId);
  let match = 0;
  for (const sub of nc.permitted) {
    if (!sameType(sub.base)) continue;
    if (sub.hasMinMax) return SUBTREE_MINMAX;
    if (match === 2) continue;
    match = 1;
    const r = matchSingle(effectiveType, subject, sub.base);
    if (r === OK) match = 2;
    else if (r !== PERMITTED_VIOLATION) return r;
  }
  if (match === 1) return PERMITTED_VIOLATION;
  for (const sub of nc.excluded) {
    if (!sameType(sub.base)) continue;
    if (sub.hasMinMax) return SUBTREE_MINMAX;
    const r = matchSingle(effectiveType, subject, sub.base);
    if (r === OK) return EXCLUDED_VIOLATION;
    if (r !== PERMITTED_VIOLATION) return r;
  }
  return OK;
}

/** NAME_CONSTRAINTS_check: the subject DN, its emailAddress attributes, then each SAN entry. */
export function checkNames(cert: ParsedCertificate, nc: NameConstraints): number {
  const d = cert.details;
  const attributes = d.subjectName.attributes;
  const san = d.extensions.subjectAltName ?? [];
  const names = attributes.length + san.length;
  const constraints = nc.permitted.length + nc.excluded.length;
  if (names > 0 && constraints > NAME_CHECK_MAX / names) return UNSPECIFIED;
  if (attributes.length > 0) {
    const r = ncMatch({ type: GEN_DIRNAME, bytes: Buffer.alloc(0), name: d.subjectName }, nc);
    if (r !== OK) return r;
    for (const attribute of attributes) {
      if (attribute.oid !== EMAIL_ADDRESS) continue;
      if (attribute.value.tag !== 0x16) return UNSUPPORTED_NAME_SYNTAX;
      const r2 = ncMatch({ type: GEN_EMAIL, bytes: attribute.value.value }, nc);
      if (r2 !== OK) return r2;
    }
  }
  for (const name of san) {
    const r = ncMatch(name, nc);
    if (r !== OK) return r;
  }
  return OK;
}

// ASN1_STRING_to_UTF8 also converts these one-byte types, which a Name never folds.
const ONE_BYTE_EXTRA = new Set([0x12, 0x17, 0x18]);

/** cn2dnsid: the CN as a DNS name when it looks like one (two labels or more), '' when not, or an error. */
function cnAsDnsName(value: Tlv): Buffer | number {
  const utf8 = ONE_BYTE_EXTRA.has(value.tag)
    ? Buffer.from(value.value.toString('latin1'), 'utf8')
    : stringToUtf8(value);
  if (!utf8) return ABORT;
  let length = utf8.length;
  while (length > 0 && utf8[length - 1] === 0) length--;
  const text = utf8.subarray(0, length);
  if (text.includes(0)) return UNSUPPORTED_NAME_SYNTAX;
  let isDnsName = false;
  for (let i = 0; i < length; i++) {
    const c = text[i]!;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) continue;
    // A dot or hyphen only inside, and no dot next to a dot or hyphen.
    if (i > 0 && i < length - 1) {
      if (c === 0x2d) continue;
      if (c === DOT && text[i + 1] !== DOT && text[i - 1] !== 0x2d && text[i + 1] !== 0x2d) {
        isDnsName = true;
        continue;
      }
    }
    isDnsName = false;
    break;
  }
  return isDnsName ? text : Buffer.alloc(0);
}

/** NAME_CONSTRAINTS_check_CN: each hostname-like CN of the leaf as a dNSName. */
export function checkCommonNames(cert: ParsedCertificate, nc: NameConstraints): number {
  for (const attribute of cert.details.subjectName.attributes) {
    if (attribute.oid !== COMMON_NAME) continue;
    const dns = cnAsDnsName(attribute.value);
    if (typeof dns === 'number') return dns;
    if (!dns.length) continue;
    const r = ncMatch({ type: GEN_DNS, bytes: dns }, nc);
    if (r !== OK) return r;
  }
  return OK;
}

/**
 * RFC 3820 3.4 as check_name_constraints applies it to a proxy certificate: the subject is the
 * issuer's name plus one more RDN, a single commonName.
 */
function proxySubjectAllowed(cert: ParsedCertificate): boolean {
  const subject = cert.details.subjectName;
  const issuer = cert.details.issuerName;
  const n = subject.attributes.length;
  if (n < 2 || n !== issuer.attributes.length + 1) return false;
  const last = subject.attributes[n - 1]!;
  if (last.rdn === subject.attributes[n - 2]!.rdn || last.oid !== COMMON_NAME) return false;
  return Buffer.concat(subject.rdns.slice(0, -1)).equals(issuer.canonical);
}

/**
 * check_name_constraints over the chain: subjects from the top down, self-issued ones above the leaf
 * skipped, each against every certificate above it that carries constraints (top first). Returns
 * ABORT when verification stops, else OK.
 */
export function checkNameConstraints(chain: ParsedCertificate[], report: Report): number {
  for (let i = chain.length - 1; i >= 0; i--) {
    const cert = chain[i]!;
    if (i !== 0 && cert.details.selfIssued) continue;
    if (cert.details.extensions.proxy && !proxySubjectAllowed(cert))
      report(PROXY_SUBJECT_NAME_VIOLATION, i, "a proxy certificate's subject must be its issuer plus one CN");
    for (let j = chain.length - 1; j > i; j--) {
      const nc = chain[j]!.details.extensions.nameConstraints;
      if (!nc) continue;
      let rv = checkNames(cert, nc);
      if (rv === OK && i === 0 && !(cert.details.extensions.subjectAltName ?? []).some((n) => n.type === GEN_DNS))
        rv = checkCommonNames(cert, nc);
      if (rv === ABORT) return ABORT;
      if (rv !== OK)
        report(rv, i, `a name of "${cert.subject}" against the name constraints of "${chain[j]!.subject}"`);
    }
  }
  return OK;
}
