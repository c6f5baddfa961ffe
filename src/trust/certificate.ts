// One certificate parsed once: node:crypto's X509Certificate for keys, names and signatures,
// @peculiar/asn1-x509 for what X509Certificate does not expose (criticality, key usage bits, AKI/SKI, path length).
import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import { derToPem } from './pem.js';
import type { ChainEntry } from '../types.js';

export interface CertificateDetails {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  basicConstraints: { present: boolean; critical: boolean; ca: boolean; pathLen: number | null };
  keyUsage: string[] | null;
  extKeyUsage: string[] | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  aia: { caIssuers: string[]; ocsp: string[] };
  signatureAlgorithm: string;
  /** 1 for X.509 v1 (no extensions), 3 for v3. */
  version: number;
  /** Subject and issuer names equal, and any AKI matches the SKI (OpenSSL's EXFLAG_SS; no signature check). */
  selfSigned: boolean;
}

/**
 * A certificate parsed once. X509Certificate is built eagerly (native, cheap); the ASN.1 details are
 * decoded on first use, so a trust store of hundreds of roots costs little until a root is on a path.
 */
export class ParsedCertificate {
  readonly x509: X509Certificate;
  private cached: CertificateDetails | undefined;

  constructor(readonly der: Buffer) {
    this.x509 = new X509Certificate(der);
  }

  get details(): CertificateDetails {
    return (this.cached ??= decodeDetails(this.der));
  }
  get subject(): string {
    return this.details.subject;
  }
  get issuer(): string {
    return this.details.issuer;
  }
  get notBefore(): Date {
    return this.details.notBefore;
  }
  get notAfter(): Date {
    return this.details.notAfter;
  }
  get basicConstraints(): CertificateDetails['basicConstraints'] {
    return this.details.basicConstraints;
  }
  get keyUsage(): string[] | null {
    return this.details.keyUsage;
  }
  get extKeyUsage(): string[] | null {
    return this.details.extKeyUsage;
  }
  get selfSigned(): boolean {
    return this.details.selfSigned;
  }
  get version(): number {
    return this.details.version;
  }
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

const KEY_USAGE_NAMES: Array<[number, string]> = [
  [KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [KeyUsageFlags.cRLSign, 'cRLSign'],
  [KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
};

const CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const OCSP = '1.3.6.1.5.5.7.48.1';

/** RFC 4514 string of a DER Name: most specific RDN first, as `CN=R11,O=Let's Encrypt,C=US`. */
export function formatName(name: Name): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      [...rdn]
        .map((atv) => {
          const label = ATTRIBUTE_NAMES[atv.type] ?? atv.type;
          return `${label}=${escapeRdnValue(atv.value.toString())}`;
        })
        .join('+'),
    )
    .join(',');
}

function escapeRdnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/** The subject Name of a certificate as DER, exactly as encoded in it. */
export function subjectNameDer(certificateDer: Buffer): Buffer {
  return Buffer.from(AsnConvert.serialize(AsnConvert.parse(certificateDer, Certificate).tbsCertificate.subject));
}

export function formatNameDer(der: Uint8Array): string {
  return formatName(AsnConvert.parse(der, Name));
}

const hexColons = (buf: ArrayBuffer) =>
  Buffer.from(buf)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

export function parseCertificate(der: Buffer): ParsedCertificate {
  return new ParsedCertificate(der);
}

function decodeDetails(der: Buffer): CertificateDetails {
  const asn = AsnConvert.parse(der, Certificate);
  const tbs = asn.tbsCertificate;
  let basicConstraints = { present: false, critical: false, ca: false, pathLen: null as number | null };
  let keyUsage: string[] | null = null;
  let extKeyUsage: string[] | null = null;
  let subjectKeyId: string | null = null;
  let authorityKeyId: string | null = null;
  const aia = { caIssuers: [] as string[], ocsp: [] as string[] };
  for (const ext of tbs.extensions ?? []) {
    const value = ext.extnValue.buffer;
    switch (ext.extnID) {
      case id_ce_basicConstraints: {
        const bc = AsnConvert.parse(value, BasicConstraints);
        basicConstraints = { present: true, critical: ext.critical, ca: bc.cA, pathLen: bc.pathLenConstraint ?? null };
        break;
      }
      case id_ce_keyUsage: {
        const bits = AsnConvert.parse(value, KeyUsage).toNumber();
        keyUsage = KEY_USAGE_NAMES.filter(([flag]) => bits & flag).map(([, n]) => n);
        break;
      }
      case id_ce_extKeyUsage:
        extKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)].map((oid) => EKU_NAMES[oid] ?? oid);
        break;
      case id_ce_subjectKeyIdentifier:
        subjectKeyId = hexColons(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
        break;
      case id_ce_authorityKeyIdentifier: {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
        authorityKeyId = aki.keyIdentifier ? hexColons(aki.keyIdentifier.buffer) : null;
        break;
      }
      case id_pe_authorityInfoAccess:
        for (const desc of AsnConvert.parse(value, AuthorityInfoAccessSyntax)) {
          const uri = desc.accessLocation.uniformResourceIdentifier;
          if (!uri) continue;
          if (desc.accessMethod === CA_ISSUERS) aia.caIssuers.push(uri);
          else if (desc.accessMethod === OCSP) aia.ocsp.push(uri);
        }
        break;
    }
  }
  const subject = formatName(tbs.subject);
  const issuer = formatName(tbs.issuer);
  const sameName = Buffer.from(AsnConvert.serialize(tbs.subject)).equals(Buffer.from(AsnConvert.serialize(tbs.issuer)));
  return {
    subject,
    issuer,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    basicConstraints,
    keyUsage,
    extKeyUsage,
    subjectKeyId,
    authorityKeyId,
    aia,
    signatureAlgorithm: SIGNATURE_NAMES[asn.signatureAlgorithm.algorithm] ?? asn.signatureAlgorithm.algorithm,
    version: tbs.version + 1,
    selfSigned: (sameName || subject === issuer) && (authorityKeyId === null || authorityKeyId === subjectKeyId),
  };
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256 };

export function keyDescription(x509: X509Certificate): { keyType: string; keyBits: number | null } {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { keyType: 'RSA', keyBits: details.modulusLength ?? null };
    case 'ec':
      return { keyType: 'EC', keyBits: CURVE_BITS[details.namedCurve ?? ''] ?? null };
    case 'ed25519':
      return { keyType: 'Ed25519', keyBits: 256 };
    default:
      return { keyType: String(key.asymmetricKeyType ?? 'unknown'), keyBits: null };
  }
}

export function spkiSha256(x509: X509Certificate): string {
  return createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/** The SPEC chain entry for one certificate. */
export function describeCertificate(parsed: ParsedCertificate): ChainEntry {
  const { x509 } = parsed;
  const cert = parsed.details;
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    san: x509.subjectAltName ? x509.subjectAltName.split(', ') : [],
    sha256: x509.fingerprint256,
    sha1: x509.fingerprint,
    spkiSha256: spkiSha256(x509),
    isCA: cert.basicConstraints.ca,
    selfSigned: cert.selfSigned,
    ...keyDescription(x509),
    aia: cert.aia,
    basicConstraints: cert.basicConstraints,
    keyUsage: cert.keyUsage,
    extKeyUsage: cert.extKeyUsage,
    subjectKeyId: cert.subjectKeyId,
    authorityKeyId: cert.authorityKeyId,
    signatureAlgorithm: cert.signatureAlgorithm,
    pem: derToPem(parsed.der),
  };
}
