// The TBSCertificate fields X509Certificate does not expose (RFC 5280 4.1): names as DER and as
// RFC 4514 text, validity, extensions with their criticality. A hand-walked DER read: a certificate
// takes microseconds, where a schema-driven ASN.1 library cost tens of milliseconds at start-up. Pure.
import { children, decodeCertificateTime, decodeOid, decodeString, DerError, readTlv, type Tlv } from './der.js';
import { readExtensionList, type RawExtension } from './extensions.js';

export interface Extension {
  critical: boolean;
  value: Buffer;
}

export interface TbsFields {
  version: number;
  /** The serialNumber INTEGER's contents. */
  serial: Buffer;
  issuerDer: Buffer;
  subjectDer: Buffer;
  /** Null when the time is not one OpenSSL accepts (X509_cmp_time): verification reports 13 or 14. */
  notBefore: Date | null;
  notAfter: Date | null;
  /** The outer signatureAlgorithm OID. */
  signatureAlgorithm: string;
  /** The signature OID inside the TBSCertificate, which OpenSSL matches against the issuer's key. */
  innerSignatureAlgorithm: string;
  /** First occurrence of each extension. */
  extensions: Map<string, Extension>;
  /** Every extension in order, duplicates included; null when the list does not parse. */
  extensionList: RawExtension[] | null;
  /** The tag of the key's AlgorithmIdentifier parameters (0x06 named curve, 0x30 explicit), null without. */
  keyParametersTag: number | null;
}

const SEQUENCE = 0x30;

function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`expected ${what}`);
  return tlv;
}

function algorithmOid(tlv: Tlv | undefined): string {
  return decodeOid(expect(children(expect(tlv, SEQUENCE, 'AlgorithmIdentifier').value)[0], 0x06, 'algorithm').value);
}

export function readTbsFields(der: Buffer): TbsFields {
  const certificate = expect(readTlv(der).tlv, SEQUENCE, 'Certificate');
  const [tbsTlv, algorithm] = children(certificate.value);
  const tbs = children(expect(tbsTlv, SEQUENCE, 'TBSCertificate').value);
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) {
    const inner = children(tbs[0].value)[0];
    version = (inner?.value[inner.value.length - 1] ?? 0) + 1;
    i++;
  }
  const serial = expect(tbs[i++], 0x02, 'serialNumber').value;
  const innerSignatureAlgorithm = algorithmOid(tbs[i++]);
  const issuer = expect(tbs[i++], SEQUENCE, 'issuer Name');
  const validity = children(expect(tbs[i++], SEQUENCE, 'Validity').value);
  const subject = expect(tbs[i++], SEQUENCE, 'subject Name');
  const spki = tbs[i++];
  // SubjectPublicKeyInfo.algorithm.parameters: a curve OID, or a SEQUENCE of explicit curve parameters.
  const keyParameters =
    spki?.tag === SEQUENCE
      ? children(expect(children(spki.value)[0], SEQUENCE, 'AlgorithmIdentifier').value)[1]
      : undefined;
  let extensionList: RawExtension[] | null = [];
  for (; i < tbs.length; i++) {
    if (tbs[i]!.tag === 0xa3) extensionList = readExtensionList(tbs[i]!); // [1], [2] are unique IDs
  }
  const extensions = new Map<string, Extension>();
  for (const ext of extensionList ?? [])
    if (!extensions.has(ext.oid)) extensions.set(ext.oid, { critical: ext.critical, value: ext.value });
  return {
    version,
    serial,
    issuerDer: issuer.whole,
    subjectDer: subject.whole,
    notBefore: validity[0] ? decodeCertificateTime(validity[0]) : null,
    notAfter: validity[1] ? decodeCertificateTime(validity[1]) : null,
    signatureAlgorithm: algorithmOid(algorithm),
    innerSignatureAlgorithm,
    extensions,
    extensionList,
    keyParametersTag: keyParameters?.tag ?? null,
  };
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

function escapeRdnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/** RFC 4514 text of a DER Name: most specific RDN first, as `CN=R11,O=Let's Encrypt,C=US`. */
export function formatNameDer(der: Buffer): string {
  const name = expect(readTlv(der).tlv, SEQUENCE, 'Name');
  return children(name.value)
    .reverse()
    .map((rdn) =>
      children(rdn.value)
        .map((atv) => {
          const [type, value] = children(atv.value);
          const oid = decodeOid(expect(type, 0x06, 'attribute type').value);
          const text = value ? decodeString(value) : null;
          // RFC 4514 2.4: a value of another type is written as # and its DER in hex.
          return `${ATTRIBUTE_NAMES[oid] ?? oid}=${text === null ? `#${value?.whole.toString('hex') ?? ''}` : escapeRdnValue(text)}`;
        })
        .join('+'),
    )
    .join(',');
}

export const hexColons = (bytes: Buffer) =>
  bytes
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

/** accessMethod OID -> URIs, from an AuthorityInfoAccess extension. */
export function accessUris(ext: Extension | undefined): Array<[string, string]> {
  if (!ext) return [];
  const out: Array<[string, string]> = [];
  // OpenSSL does not decode AIA while verifying, so a broken one is only skipped here.
  try {
    for (const description of children(expect(readTlv(ext.value).tlv, SEQUENCE, 'AuthorityInfoAccess').value)) {
      const [method, location] = description.tag === SEQUENCE ? children(description.value) : [];
      // uniformResourceIdentifier [6] IA5String
      if (method?.tag === 0x06 && location?.tag === 0x86)
        out.push([decodeOid(method.value), location.value.toString('latin1')]);
    }
  } catch {
    // keep what was read before the damage
  }
  return out;
}
