// A certificate's extensions decoded the way OpenSSL 3.0 caches them (ossl_x509v3_cache_extensions,
// crypto/x509/v3_purp.c): the ones it decodes mark the certificate invalid (EXFLAG_INVALID) when they
// fail to decode or appear twice; an unsupported critical one sets EXFLAG_CRITICAL. Never throws. Pure.
import { decodeOid, tryChildren, type Tlv } from './der.js';
import {
  bitString,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeCrlDistributionPoints,
  decodeOctetString,
  decodeOidList,
  decodeProxyCertInfo,
  type AuthorityKeyId,
  type Decoder,
} from './extension-decoders.js';
import {
  decodeNameConstraints,
  decodeSubjectAltName,
  type GeneralName,
  type NameConstraints,
} from './general-names.js';
import { decodeAsIdentifiers, decodeIpAddrBlocks, type AddressFamily, type AsIdentifiers } from './rfc3779-decode.js';

export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
  nsCertType: '2.16.840.1.113730.1.1',
  ipAddrBlocks: '1.3.6.1.5.5.7.1.7',
  asIdentifiers: '1.3.6.1.5.5.7.1.8',
  proxyCertInfo: '1.3.6.1.5.5.7.1.14',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

// X509_supported_extension: a critical extension outside this list is "unhandled" (34), whatever it holds.
const SUPPORTED_CRITICAL = new Set<string>([
  OID.nsCertType,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.crlDistributionPoints,
  OID.extKeyUsage,
  OID.ipAddrBlocks,
  OID.asIdentifiers,
  OID.ocspNoCheck,
  OID.policyConstraints,
  OID.proxyCertInfo,
  OID.nameConstraints,
  OID.policyMappings,
  OID.inhibitAnyPolicy,
]);

// keyUsage bits as OpenSSL packs them (first byte, then the second shifted left by 8).
export const KU = {
  digitalSignature: 0x80,
  nonRepudiation: 0x40,
  keyEncipherment: 0x20,
  dataEncipherment: 0x10,
  keyAgreement: 0x08,
  keyCertSign: 0x04,
  cRLSign: 0x02,
  encipherOnly: 0x01,
  decipherOnly: 0x8000,
} as const;
export const XKU = {
  sslServer: 0x1,
  sslClient: 0x2,
  smime: 0x4,
  codeSign: 0x8,
  sgc: 0x10,
  ocspSign: 0x20,
  timestamp: 0x40,
  dvcs: 0x80,
  anyEku: 0x100,
} as const;
export const NS = { sslServer: 0x40, sslCa: 0x04, anyCa: 0x07 } as const;

const EKU_FLAGS: Record<string, number> = {
  '1.3.6.1.5.5.7.3.1': XKU.sslServer,
  '1.3.6.1.5.5.7.3.2': XKU.sslClient,
  '1.3.6.1.5.5.7.3.4': XKU.smime,
  '1.3.6.1.5.5.7.3.3': XKU.codeSign,
  '1.3.6.1.4.1.311.10.3.3': XKU.sgc,
  '2.16.840.1.113730.4.1': XKU.sgc,
  '1.3.6.1.5.5.7.3.9': XKU.ocspSign,
  '1.3.6.1.5.5.7.3.8': XKU.timestamp,
  '1.3.6.1.5.5.7.3.10': XKU.dvcs,
  '2.5.29.37.0': XKU.anyEku,
};

export type { AuthorityKeyId };

export interface CertExtensions {
  /** EXFLAG_INVALID: the certificate cannot issue or be issued, and is never self-signed. */
  invalid: boolean;
  /** Why it is invalid, for reports. */
  invalidReasons: string[];
  /** EXFLAG_CRITICAL: the first critical extension OpenSSL does not handle. */
  unhandledCritical: string | null;
  basicConstraints: { present: boolean; critical: boolean; ca: boolean; pathLen: number | null };
  /** OpenSSL's ex_kusage bits, null without the extension. */
  keyUsageBits: number | null;
  /** OpenSSL's ex_xkusage bits, null without the extension. */
  extKeyUsageBits: number | null;
  extKeyUsageOids: string[] | null;
  nsCertType: number | null;
  subjectKeyId: Buffer | null;
  authorityKeyId: AuthorityKeyId | null;
  subjectAltName: GeneralName[] | null;
  nameConstraints: NameConstraints | null;
  /** RFC 3779 resources. */
  ipAddrBlocks: AddressFamily[] | null;
  asIdentifiers: AsIdentifiers | null;
  proxy: boolean;
}

export function decodeExtensions(list: RawExtension[]): CertExtensions {
  const counts = new Map<string, number>();
  for (const ext of list) counts.set(ext.oid, (counts.get(ext.oid) ?? 0) + 1);
  const out: CertExtensions = {
    invalid: false,
    invalidReasons: [],
    unhandledCritical: null,
    basicConstraints: { present: false, critical: false, ca: false, pathLen: null },
    keyUsageBits: null,
    extKeyUsageBits: null,
    extKeyUsageOids: null,
    nsCertType: null,
    subjectKeyId: null,
    authorityKeyId: null,
    subjectAltName: null,
    nameConstraints: null,
    ipAddrBlocks: null,
    asIdentifiers: null,
    proxy: false,
  };
  const invalid = (reason: string) => {
    out.invalid = true;
    out.invalidReasons.push(reason);
  };
  // X509_get_ext_d2i: absent gives null; twice, or undecodable, makes the certificate invalid.
  const decode = <T>(oid: string, what: string, decoder: Decoder<T>): { value: T; critical: boolean } | null => {
    const count = counts.get(oid) ?? 0;
    if (count === 0) return null;
    if (count > 1) {
      invalid(`${what} appears ${count} times`);
      return null;
    }
    const ext = list.find((e) => e.oid === oid)!;
    const value = decoder(ext.value);
    if (value === null) {
      invalid(`${what} does not decode`);
      return null;
    }
    return { value, critical: ext.critical };
  };

  const bc = decode(OID.basicConstraints, 'basicConstraints', decodeBasicConstraints);
  if (bc) {
    out.basicConstraints = { present: true, critical: bc.critical, ca: bc.value.ca, pathLen: bc.value.pathLen };
    if (bc.value.negative) invalid('basicConstraints has a negative pathLenConstraint');
  }
  if (decode(OID.proxyCertInfo, 'proxyCertInfo', decodeProxyCertInfo)) {
    out.proxy = true;
    if (out.basicConstraints.ca || counts.has(OID.subjectAltName) || counts.has(OID.issuerAltName))
      invalid('a proxy certificate is a CA or has alternative names');
  }
  const ku = decode(OID.keyUsage, 'keyUsage', bitString);
  if (ku) {
    out.keyUsageBits = (ku.value[0] ?? 0) | ((ku.value[1] ?? 0) << 8);
    if (out.keyUsageBits === 0) invalid('keyUsage is empty');
  }
  const eku = decode(OID.extKeyUsage, 'extKeyUsage', decodeOidList);
  if (eku) {
    out.extKeyUsageOids = eku.value;
    out.extKeyUsageBits = eku.value.reduce((bits, oid) => bits | (EKU_FLAGS[oid] ?? 0), 0);
  }
  const ns = decode(OID.nsCertType, 'nsCertType', bitString);
  if (ns) out.nsCertType = ns.value[0] ?? 0;
  out.subjectKeyId = decode(OID.subjectKeyId, 'subjectKeyIdentifier', decodeOctetString)?.value ?? null;
  out.authorityKeyId = decode(OID.authorityKeyId, 'authorityKeyIdentifier', decodeAuthorityKeyId)?.value ?? null;
  out.subjectAltName = decode(OID.subjectAltName, 'subjectAltName', decodeSubjectAltName)?.value ?? null;
  out.nameConstraints = decode(OID.nameConstraints, 'nameConstraints', decodeNameConstraints)?.value ?? null;
  decode(OID.crlDistributionPoints, 'cRLDistributionPoints', decodeCrlDistributionPoints);
  out.ipAddrBlocks = decode(OID.ipAddrBlocks, 'ipAddrBlocks', decodeIpAddrBlocks)?.value ?? null;
  out.asIdentifiers = decode(OID.asIdentifiers, 'autonomousSysIds', decodeAsIdentifiers)?.value ?? null;
  out.unhandledCritical = list.find((ext) => ext.critical && !SUPPORTED_CRITICAL.has(ext.oid))?.oid ?? null;
  return out;
}

/** The extensions of a TBSCertificate's [3] element, or null when they do not parse. */
export function readExtensionList(explicit: Tlv): RawExtension[] | null {
  const inner = tryChildren(explicit.value);
  const seq = inner?.length === 1 && inner[0]!.tag === 0x30 ? tryChildren(inner[0]!.value) : null;
  if (!seq) return null;
  const out: RawExtension[] = [];
  for (const ext of seq) {
    const parts = ext.tag === 0x30 ? tryChildren(ext.value) : null;
    if (!parts || parts.length < 2 || parts.length > 3 || parts[0]!.tag !== 0x06) return null;
    const hasCritical = parts.length === 3;
    if (hasCritical && (parts[1]!.tag !== 0x01 || parts[1]!.value.length !== 1)) return null;
    const value = parts[parts.length - 1]!;
    if (value.tag !== 0x04) return null;
    let oid: string;
    try {
      oid = decodeOid(parts[0]!.value);
    } catch {
      return null;
    }
    out.push({ oid, critical: hasCritical && parts[1]!.value[0] !== 0, value: value.value });
  }
  return out;
}
