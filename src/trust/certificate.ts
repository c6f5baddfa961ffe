// One certificate parsed once: node:crypto's X509Certificate for keys, names and signatures, and a
// direct DER read for what X509Certificate does not expose (criticality, key usage bits, AKI/SKI,
// canonical names, name constraints). Decoding never throws once X509Certificate has parsed the DER.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { parseName, type ParsedName } from './canonical-name.js';
import { decodeExtensions, KU, OID, type CertExtensions } from './extensions.js';
import { derToPem } from './pem.js';
import { signatureAlgorithmName, signatureFitsKey } from './signature-algorithms.js';
import { accessUris, formatNameDer, hexColons, readTbsFields } from './x509-fields.js';
import type { ChainEntry } from '../types.js';

export { formatNameDer };

export interface CertificateDetails {
  subject: string;
  issuer: string;
  /** Falls back to the epoch when the field is malformed (see notBeforeValid). */
  notBefore: Date;
  notAfter: Date;
  notBeforeValid: boolean;
  notAfterValid: boolean;
  basicConstraints: { present: boolean; critical: boolean; ca: boolean; pathLen: number | null };
  keyUsage: string[] | null;
  extKeyUsage: string[] | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  aia: { caIssuers: string[]; ocsp: string[] };
  signatureAlgorithm: string;
  /** The outer signatureAlgorithm OID (what OpenSSL rates for the security level). */
  signatureOid: string;
  /** The signature OID inside the TBSCertificate (what OpenSSL matches with the issuer's key). */
  innerSignatureOid: string;
  /** 1 for X.509 v1 (no extensions), 3 for v3. */
  version: number;
  /** serialNumber's INTEGER contents. */
  serial: Buffer;
  /** An EC key given with explicit curve parameters rather than a named curve. */
  explicitCurve: boolean;
  subjectName: ParsedName;
  issuerName: ParsedName;
  extensions: CertExtensions;
  /** Subject and issuer names equal under OpenSSL's comparison (EXFLAG_SI), whatever the key. */
  selfIssued: boolean;
  /** OpenSSL's EXFLAG_SS on a valid certificate: self-issued, AKI agreeing with itself, signature algorithm fitting its own key. No signature check. */
  selfSigned: boolean;
}

/**
 * A certificate parsed once. X509Certificate is built eagerly (native, cheap); the ASN.1 details are
 * decoded on first use, so a trust store of hundreds of roots costs little until a root is on a path.
 */
export class ParsedCertificate {
  readonly x509: X509Certificate;
  private cached: CertificateDetails | undefined;
  private key: string | null | undefined;

  constructor(readonly der: Buffer) {
    this.x509 = new X509Certificate(der);
  }

  get details(): CertificateDetails {
    return (this.cached ??= decodeDetails(this));
  }
  /** Node's asymmetricKeyType, or null when node:crypto cannot read the key. */
  get keyType(): string | null {
    if (this.key === undefined) {
      try {
        this.key = this.x509.publicKey.asymmetricKeyType ?? null;
      } catch {
        this.key = null;
      }
    }
    return this.key;
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

const CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const OCSP = '1.3.6.1.5.5.7.48.1';

/** The subject Name of a certificate as DER, exactly as encoded in it. */
export function subjectNameDer(certificateDer: Buffer): Buffer {
  return Buffer.from(readTbsFields(certificateDer).subjectDer);
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  return new ParsedCertificate(der);
}

function keyUsageNames(bits: number | null): string[] | null {
  if (bits === null) return null;
  return (Object.entries(KU) as Array<[string, number]>).filter(([, bit]) => bits & bit).map(([name]) => name);
}

function safeFormat(der: Buffer): string {
  try {
    return formatNameDer(der);
  } catch {
    return `(unreadable name, ${der.length} bytes)`;
  }
}

/** X509_check_akid against the certificate itself (the self-signed test of cache_extensions). */
export function akidMatches(issuer: CertificateDetails, akid: CertExtensions['authorityKeyId']): boolean {
  if (!akid) return true;
  const skid = issuer.extensions.subjectKeyId;
  if (akid.keyId && skid && !akid.keyId.equals(skid)) return false;
  // ASN1_INTEGER_cmp: OpenSSL 3 refuses non-minimal INTEGERs, so equal values have equal bytes.
  if (akid.serial && !akid.serial.equals(issuer.serial)) return false;
  if (akid.issuerName && !akid.issuerName.canonical.equals(issuer.issuerName.canonical)) return false;
  return true;
}

const EMPTY_NAME: ParsedName = { attributes: [], canonical: Buffer.alloc(0), rdns: [] };

function decodeDetails(cert: ParsedCertificate): CertificateDetails {
  let tbs: ReturnType<typeof readTbsFields> | null = null;
  try {
    tbs = readTbsFields(cert.der);
  } catch {
    // X509Certificate accepted what this reader cannot walk (BER forms): treat it as invalid, never throw.
  }
  const extensions = decodeExtensions(tbs?.extensionList ?? []);
  if (!tbs || !tbs.extensionList) {
    extensions.invalid = true;
    extensions.invalidReasons.push('the certificate structure could not be read');
  }
  const ext = (oid: string) => tbs?.extensions.get(oid);
  const aia = { caIssuers: [] as string[], ocsp: [] as string[] };
  for (const [method, uri] of accessUris(ext(OID.authorityInfoAccess))) {
    if (method === CA_ISSUERS) aia.caIssuers.push(uri);
    else if (method === OCSP) aia.ocsp.push(uri);
  }
  const parsedSubject = tbs && parseName(tbs.subjectDer);
  const parsedIssuer = tbs && parseName(tbs.issuerDer);
  if (tbs && (!parsedSubject || !parsedIssuer)) {
    // OpenSSL would not have parsed such a name; never let it pass as empty (and so self-issued).
    extensions.invalid = true;
    extensions.invalidReasons.push('a name could not be read');
  }
  const subjectName = parsedSubject || EMPTY_NAME;
  const issuerName = parsedIssuer || EMPTY_NAME;
  const signatureOid = tbs?.signatureAlgorithm ?? '';
  const details: CertificateDetails = {
    subject: tbs ? safeFormat(tbs.subjectDer) : '',
    issuer: tbs ? safeFormat(tbs.issuerDer) : '',
    notBefore: tbs?.notBefore ?? new Date(0),
    notAfter: tbs?.notAfter ?? new Date(0),
    notBeforeValid: !!tbs?.notBefore,
    notAfterValid: !!tbs?.notAfter,
    basicConstraints: extensions.basicConstraints,
    keyUsage: keyUsageNames(extensions.keyUsageBits),
    extKeyUsage: extensions.extKeyUsageOids?.map((oid) => EKU_NAMES[oid] ?? oid) ?? null,
    subjectKeyId: extensions.subjectKeyId ? hexColons(extensions.subjectKeyId) : null,
    authorityKeyId: extensions.authorityKeyId?.keyId ? hexColons(extensions.authorityKeyId.keyId) : null,
    aia,
    signatureAlgorithm: signatureAlgorithmName(signatureOid),
    signatureOid,
    innerSignatureOid: tbs?.innerSignatureAlgorithm ?? '',
    version: tbs?.version ?? 3,
    serial: tbs?.serial ?? Buffer.alloc(0),
    explicitCurve: tbs?.keyParametersTag === 0x30,
    subjectName,
    issuerName,
    extensions,
    selfIssued: !!parsedSubject && !!parsedIssuer && subjectName.canonical.equals(issuerName.canonical),
    selfSigned: false,
  };
  details.selfSigned =
    details.selfIssued &&
    !extensions.invalid &&
    akidMatches(details, extensions.authorityKeyId) &&
    signatureFitsKey(details.innerSignatureOid, cert.keyType);
  return details;
}

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

export function keyDescription(x509: X509Certificate): { keyType: string; keyBits: number | null } {
  let key: KeyObject;
  try {
    key = x509.publicKey;
  } catch {
    return { keyType: 'unknown', keyBits: null };
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { keyType: 'RSA', keyBits: details.modulusLength ?? null };
    case 'ec': {
      // Curve names carry their size (secp112r1, prime192v1, brainpoolP256r1, sect163k1).
      const curve = details.namedCurve ?? '';
      const sized = /(\d{3})/.exec(curve);
      return { keyType: 'EC', keyBits: CURVE_BITS[curve] ?? (sized ? Number(sized[1]) : null) };
    }
    case 'ed25519':
      return { keyType: 'Ed25519', keyBits: 256 };
    case 'ed448':
      return { keyType: 'Ed448', keyBits: 456 };
    case 'dsa':
      return { keyType: 'DSA', keyBits: details.modulusLength ?? null };
    default:
      return { keyType: String(key.asymmetricKeyType ?? 'unknown'), keyBits: null };
  }
}

export function spkiSha256(x509: X509Certificate): string {
  try {
    return createHash('sha256')
      .update(x509.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
  } catch {
    return ''; // a key node:crypto cannot read
  }
}

/** Node's own SAN text, or nothing when it cannot print it. */
function sanList(x509: X509Certificate): string[] {
  try {
    return x509.subjectAltName ? x509.subjectAltName.split(', ') : [];
  } catch {
    return [];
  }
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
    san: sanList(x509),
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
