// The TBSCertificate fields X509Certificate does not expose (RFC 5280 4.1): names as DER and as
// RFC 4514 text, validity, extensions with their criticality. A hand-walked DER read: a certificate
// takes microseconds, where a schema-driven ASN.1 library cost tens of milliseconds at start-up. Pure.
import { children, decodeOid, decodeString, decodeTime, DerError, readTlv, type Tlv } from './der.js';

export interface Extension {
  critical: boolean;
  value: Buffer;
}

export interface TbsFields {
  version: number;
  issuerDer: Buffer;
  subjectDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithm: string;
  extensions: Map<string, Extension>;
}

const SEQUENCE = 0x30;

function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`expected ${what}`);
  return tlv;
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
  i++; // serialNumber: X509Certificate has it
  i++; // signature (inside TBS); the outer one is reported
  const issuer = expect(tbs[i++], SEQUENCE, 'issuer Name');
  const validity = children(expect(tbs[i++], SEQUENCE, 'Validity').value);
  const subject = expect(tbs[i++], SEQUENCE, 'subject Name');
  i++; // subjectPublicKeyInfo
  const extensions = new Map<string, Extension>();
  for (; i < tbs.length; i++) {
    if (tbs[i]!.tag !== 0xa3) continue; // issuerUniqueID [1], subjectUniqueID [2]
    const list = children(expect(children(tbs[i]!.value)[0], SEQUENCE, 'Extensions').value);
    for (const ext of list) {
      const parts = children(ext.value);
      const oid = decodeOid(expect(parts[0], 0x06, 'extnID').value);
      const critical = parts[1]?.tag === 0x01 ? parts[1].value[0] !== 0 : false;
      extensions.set(oid, { critical, value: expect(parts[parts.length - 1], 0x04, 'extnValue').value });
    }
  }
  const algorithmOid = decodeOid(expect(children(expect(algorithm, SEQUENCE, 'signatureAlgorithm').value)[0], 0x06, 'algorithm').value);
  return { version, issuerDer: issuer.whole, subjectDer: subject.whole, notBefore: decodeTime(validity[0]!), notAfter: decodeTime(validity[1]!), signatureAlgorithm: algorithmOid, extensions };
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

export interface BasicConstraints {
  present: boolean;
  critical: boolean;
  ca: boolean;
  pathLen: number | null;
}

export function basicConstraints(ext: Extension | undefined): BasicConstraints {
  if (!ext) return { present: false, critical: false, ca: false, pathLen: null };
  let ca = false;
  let pathLen: number | null = null;
  for (const part of children(expect(readTlv(ext.value).tlv, SEQUENCE, 'BasicConstraints').value)) {
    if (part.tag === 0x01) ca = part.value[0] !== 0;
    else if (part.tag === 0x02) pathLen = part.value.length <= 4 ? part.value.readUIntBE(0, part.value.length) : Number.MAX_SAFE_INTEGER;
  }
  return { present: true, critical: ext.critical, ca, pathLen };
}

const KEY_USAGE_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

export function keyUsage(ext: Extension | undefined): string[] | null {
  if (!ext) return null;
  const bits = expect(readTlv(ext.value).tlv, 0x03, 'KeyUsage BIT STRING').value.subarray(1);
  return KEY_USAGE_NAMES.filter((_, bit) => ((bits[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
}

export function oidList(ext: Extension | undefined): string[] | null {
  if (!ext) return null;
  return children(expect(readTlv(ext.value).tlv, SEQUENCE, 'ExtKeyUsage').value).map((oid) => decodeOid(oid.value));
}

const hexColons = (bytes: Buffer) =>
  bytes
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

export function subjectKeyId(ext: Extension | undefined): string | null {
  return ext ? hexColons(expect(readTlv(ext.value).tlv, 0x04, 'SubjectKeyIdentifier').value) : null;
}

export function authorityKeyId(ext: Extension | undefined): string | null {
  if (!ext) return null;
  const keyId = children(expect(readTlv(ext.value).tlv, SEQUENCE, 'AuthorityKeyIdentifier').value).find((part) => part.tag === 0x80);
  return keyId ? hexColons(keyId.value) : null;
}

/** accessMethod OID -> URIs, from an AuthorityInfoAccess extension. */
export function accessUris(ext: Extension | undefined): Array<[string, string]> {
  if (!ext) return [];
  const out: Array<[string, string]> = [];
  for (const description of children(expect(readTlv(ext.value).tlv, SEQUENCE, 'AuthorityInfoAccess').value)) {
    const [method, location] = children(description.value);
    // uniformResourceIdentifier [6] IA5String
    if (method?.tag === 0x06 && location?.tag === 0x86) out.push([decodeOid(method.value), location.value.toString('latin1')]);
  }
  return out;
}
