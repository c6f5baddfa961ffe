// One certificate parsed once: node:crypto's X509Certificate for keys, names and signatures, and a
// direct DER read for what X509Certificate does not expose (criticality, key usage bits, AKI/SKI, path length).
import { createHash, X509Certificate } from 'node:crypto';
import { derToPem } from './pem.js';
import { accessUris, authorityKeyId, basicConstraints, formatNameDer, keyUsage, oidList, readTbsFields, subjectKeyId } from './x509-fields.js';
import type { ChainEntry } from '../types.js';

export { formatNameDer };

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

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const EXT_KEY_USAGE = '2.5.29.37';
const SUBJECT_KEY_ID = '2.5.29.14';
const AUTHORITY_KEY_ID = '2.5.29.35';
const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const OCSP = '1.3.6.1.5.5.7.48.1';

/** The subject Name of a certificate as DER, exactly as encoded in it. */
export function subjectNameDer(certificateDer: Buffer): Buffer {
  return Buffer.from(readTbsFields(certificateDer).subjectDer);
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  return new ParsedCertificate(der);
}

function decodeDetails(der: Buffer): CertificateDetails {
  const tbs = readTbsFields(der);
  const ext = (oid: string) => tbs.extensions.get(oid);
  const aia = { caIssuers: [] as string[], ocsp: [] as string[] };
  for (const [method, uri] of accessUris(ext(AUTHORITY_INFO_ACCESS))) {
    if (method === CA_ISSUERS) aia.caIssuers.push(uri);
    else if (method === OCSP) aia.ocsp.push(uri);
  }
  const subject = formatNameDer(tbs.subjectDer);
  const issuer = formatNameDer(tbs.issuerDer);
  const ski = subjectKeyId(ext(SUBJECT_KEY_ID));
  const aki = authorityKeyId(ext(AUTHORITY_KEY_ID));
  return {
    subject,
    issuer,
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
    basicConstraints: basicConstraints(ext(BASIC_CONSTRAINTS)),
    keyUsage: keyUsage(ext(KEY_USAGE)),
    extKeyUsage: oidList(ext(EXT_KEY_USAGE))?.map((oid) => EKU_NAMES[oid] ?? oid) ?? null,
    subjectKeyId: ski,
    authorityKeyId: aki,
    aia,
    signatureAlgorithm: SIGNATURE_NAMES[tbs.signatureAlgorithm] ?? tbs.signatureAlgorithm,
    version: tbs.version,
    selfSigned: (tbs.subjectDer.equals(tbs.issuerDer) || subject === issuer) && (aki === null || aki === ski),
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
