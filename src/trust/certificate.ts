// One certificate parsed once: node:crypto's X509Certificate for keys, names and signatures, and a
// direct DER read for what X509Certificate does not expose (criticality, key usage bits, AKI/SKI,
// canonical names, name constraints). Decoding never throws once X509Certificate has parsed the DER.
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { parseName, type ParsedName } from './canonical-name.js';
import { describeKey, readPublicKey, spkiSha256OfCertificate, type KeyDescription } from './certificate-key.js';
import { decodeExtensions, KU, OID, type CertExtensions } from './extensions.js';
import { derToPem } from './pem.js';
import { signatureAlgorithmName, signatureFitsKey } from './signature-algorithms.js';
import { accessUris, formatNameDer, hexColons, readTbsFields } from './x509-fields.js';
import type { ChainEntry } from '../types.js';

export { formatNameDer };
export { keyDescription, spkiSha256 } from './certificate-key.js';

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
 * What is read from it (key, SPKI hash, signatures checked) is kept too: a certificate shared by many
 * chains (CertificateCache, a store's root) is judged in every record without reading it again.
 */
export class ParsedCertificate {
  readonly x509: X509Certificate;
  private cached: CertificateDetails | undefined;
  private key: KeyObject | null | undefined;
  private keyInfo: KeyDescription | undefined;
  private spki: string | undefined;
  private pemText: string | undefined;
  private legacy: { peer: PeerCertificate } | { error: unknown } | undefined;
  /** Whether each issuer's key verified this certificate's signature (deterministic: both DERs are fixed). */
  private readonly signers = new WeakMap<ParsedCertificate, boolean>();

  constructor(readonly der: Buffer) {
    this.x509 = new X509Certificate(der);
  }

  get details(): CertificateDetails {
    return (this.cached ??= decodeDetails(this));
  }
  /** The public key, or null when node:crypto cannot read it (read once: each x509.publicKey read parses it again). */
  get publicKey(): KeyObject | null {
    if (this.key === undefined) this.key = readPublicKey(this.x509);
    return this.key;
  }
  /** Node's asymmetricKeyType, or null when node:crypto cannot read the key. */
  get keyType(): string | null {
    return this.publicKey?.asymmetricKeyType ?? null;
  }
  /** The key's type and size as reports name them. */
  get keyDescription(): KeyDescription {
    return (this.keyInfo ??= describeKey(this.publicKey));
  }
  /** Base64 SHA-256 of the SubjectPublicKeyInfo ('' when the key cannot be read). */
  get spkiSha256(): string {
    return (this.spki ??= spkiSha256OfCertificate(this.der, this.publicKey));
  }
  get pem(): string {
    return (this.pemText ??= derToPem(this.der));
  }
  /** The certificate as Node's checkServerIdentity reads it (throws as toLegacyObject did). */
  get peerCertificate(): PeerCertificate {
    if (!this.legacy) {
      try {
        this.legacy = { peer: this.x509.toLegacyObject() as PeerCertificate };
      } catch (error) {
        this.legacy = { error };
      }
    }
    if ('error' in this.legacy) throw this.legacy.error;
    return this.legacy.peer;
  }
  /** Whether `issuer`'s key verifies this certificate's signature (false when it cannot be checked). */
  signedBy(issuer: ParsedCertificate): boolean {
    let verified = this.signers.get(issuer);
    if (verified === undefined) {
      const key = issuer.publicKey;
      try {
        verified = !!key && this.x509.verify(key);
      } catch {
        verified = false;
      }
      this.signers.set(issuer, verified);
    }
    return verified;
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
    spkiSha256: parsed.spkiSha256,
    isCA: cert.basicConstraints.ca,
    selfSigned: cert.selfSigned,
    ...parsed.keyDescription,
    aia: cert.aia,
    basicConstraints: cert.basicConstraints,
    keyUsage: cert.keyUsage,
    extKeyUsage: cert.extKeyUsage,
    subjectKeyId: cert.subjectKeyId,
    authorityKeyId: cert.authorityKeyId,
    signatureAlgorithm: cert.signatureAlgorithm,
    pem: parsed.pem,
  };
}
