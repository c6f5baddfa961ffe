// Builds X.509 certificates: structure with node-forge, signature with node:crypto (native, off the event loop).
// forge only knows RSA keys and signs in JavaScript, so the SubjectPublicKeyInfo and the
// signature AlgorithmIdentifier are spliced in as DER, and the TBSCertificate is signed natively.
import { sign as signNative, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type forge from 'node-forge';
import { derToPem } from '../trust/pem.js';
import { encodeTlv } from '../trust/der.js';
import { generalNameDer, keyIdentifier, randomSerialHex, signatureAlgorithm, spkiDer } from './certificate-parts.js';

// Older callers (tests, fixtures) import these from here.
export { generalNameDer, keyIdentifier, randomSerialHex };

type Forge = typeof forge;
type Asn1 = Forge['asn1'];
// Parts of forge's API that its type definitions leave out.
type ForgeX509 = { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
const signAsync = promisify(signNative);

/**
 * node-forge, loaded with the first certificate built: the built CLI keeps it in one file of its own
 * (dist/chunks/node-forge.mjs), which `convert --to p12` loads too, rather than a copy in each.
 */
async function loadForge(): Promise<Forge> {
  return (await import('node-forge')).default;
}

export interface NameAttribute {
  /** Short name known to forge: CN, O, OU, C, ST, L, E; or an OID. */
  type: string;
  value: string;
}

export interface CertificateSpec {
  subject: NameAttribute[];
  /** Defaults to the subject (self-signed). */
  issuer?: NameAttribute[];
  /** The issuer Name as DER, byte for byte the issuing CA's subject (wins over `issuer`). */
  issuerNameDer?: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** The certified key. */
  publicKey: KeyObject;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  signingKey: KeyObject;
  /** The issuer's public key, for the authority key identifier. Defaults to publicKey. */
  issuerPublicKey?: KeyObject;
  serialHex?: string;
  isCA?: boolean;
  pathLen?: number;
  /** CA/B Forum and RFC 5280 4.2.1.9 want it critical on CAs; some antivirus roots omit that. */
  basicConstraintsCritical?: boolean;
  omitBasicConstraints?: boolean;
  keyUsage?: Array<'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign'> | null;
  extKeyUsage?: Array<'serverAuth' | 'clientAuth'> | null;
  dnsNames?: string[];
  ipAddresses?: string[];
  aiaCaIssuers?: string[];
  aiaOcsp?: string[];
  omitAuthorityKeyId?: boolean;
  omitSubjectKeyId?: boolean;
  /** An X.509 v1 certificate: no version field, no extensions (old roots; test fixtures). */
  v1?: boolean;
  /** Signature digest; SHA-1 exists only to build fixtures that clients must refuse. */
  digest?: 'sha256' | 'sha1';
  /** The subject Name as DER, byte for byte (wins over `subject`): empty or unusual names in fixtures. */
  subjectNameDer?: Buffer;
  /** A nameConstraints extension (RFC 5280 4.2.1.10), names written `DNS:x`, `email:x`, `URI:x`, `IP:addr/mask` or given as GeneralName DER. */
  nameConstraints?: { permitted?: Array<string | Buffer>; excluded?: Array<string | Buffer>; critical?: boolean };
  /** Extensions added as given, after the others (fixtures for unknown, critical or malformed ones). */
  extraExtensions?: Array<{ oid: string; critical: boolean; valueDer: Buffer }>;
}

export interface BuiltCertificate {
  der: Buffer;
  pem: string;
}

const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const OID_OCSP = '1.3.6.1.5.5.7.48.1';

// A fixed RSA key stands in for the real one while forge assembles the TBSCertificate.
const placeholderKey = ({ pki, jsbn }: Forge) =>
  pki.setRsaPublicKey(new jsbn.BigInteger('00c3', 16), new jsbn.BigInteger('10001', 16));

function accessDescriptions(asn1: Asn1, entries: Array<[string, string]>): string {
  const seq = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    entries.map(([method, uri]) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(method).getBytes()),
        // GeneralName uniformResourceIdentifier [6] IA5String
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, uri),
      ]),
    ),
  );
  return asn1.toDer(seq).getBytes();
}

function nameConstraintsDer(nc: NonNullable<CertificateSpec['nameConstraints']>): Buffer {
  const subtrees = (tag: number, names: Array<string | Buffer>) =>
    encodeTlv(tag, Buffer.concat(names.map((n) => encodeTlv(0x30, generalNameDer(n)))));
  const parts: Buffer[] = [];
  if (nc.permitted) parts.push(subtrees(0xa0, nc.permitted));
  if (nc.excluded) parts.push(subtrees(0xa1, nc.excluded));
  return encodeTlv(0x30, Buffer.concat(parts));
}

function toForgeAttributes(attrs: NameAttribute[]): forge.pki.CertificateField[] {
  return attrs.map((a) =>
    /^[0-9.]+$/.test(a.type) ? { type: a.type, value: a.value } : { shortName: a.type, value: a.value },
  );
}

function extensionsFor(asn1: Asn1, spec: CertificateSpec): object[] {
  const ext: object[] = [];
  if (!spec.omitBasicConstraints) {
    const bc: Record<string, unknown> = {
      name: 'basicConstraints',
      cA: !!spec.isCA,
      critical: spec.basicConstraintsCritical ?? true,
    };
    if (spec.isCA && spec.pathLen !== undefined) bc.pathLenConstraint = spec.pathLen;
    ext.push(bc);
  }
  const keyUsage =
    spec.keyUsage === undefined ? (spec.isCA ? ['keyCertSign', 'cRLSign'] : ['digitalSignature']) : spec.keyUsage;
  if (keyUsage) {
    const ku: Record<string, unknown> = { name: 'keyUsage', critical: true };
    for (const usage of keyUsage) ku[usage] = true;
    ext.push(ku);
  }
  const eku = spec.extKeyUsage === undefined ? (spec.isCA ? null : ['serverAuth']) : spec.extKeyUsage;
  if (eku) {
    const e: Record<string, unknown> = { name: 'extKeyUsage' };
    for (const usage of eku) e[usage] = true;
    ext.push(e);
  }
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length) ext.push({ name: 'subjectAltName', altNames });
  if (!spec.omitSubjectKeyId) {
    ext.push({
      name: 'subjectKeyIdentifier',
      value: asn1
        .toDer(
          asn1.create(
            asn1.Class.UNIVERSAL,
            asn1.Type.OCTETSTRING,
            false,
            keyIdentifier(spec.publicKey).toString('binary'),
          ),
        )
        .getBytes(),
    });
  }
  if (!spec.omitAuthorityKeyId) {
    const issuerKey = spec.issuerPublicKey ?? spec.publicKey;
    ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: keyIdentifier(issuerKey).toString('binary') });
  }
  const aia: Array<[string, string]> = [
    ...(spec.aiaOcsp ?? []).map((u): [string, string] => [OID_OCSP, u]),
    ...(spec.aiaCaIssuers ?? []).map((u): [string, string] => [OID_CA_ISSUERS, u]),
  ];
  if (aia.length) ext.push({ id: OID_AIA, critical: false, value: accessDescriptions(asn1, aia) });
  if (spec.nameConstraints)
    ext.push({
      id: '2.5.29.30',
      critical: spec.nameConstraints.critical ?? true,
      value: nameConstraintsDer(spec.nameConstraints).toString('binary'),
    });
  for (const extra of spec.extraExtensions ?? [])
    ext.push({ id: extra.oid, critical: extra.critical, value: extra.valueDer.toString('binary') });
  return ext;
}

/** Builds and signs one certificate. The signature runs on libuv's thread pool. */
export async function buildCertificate(spec: CertificateSpec): Promise<BuiltCertificate> {
  const forge = await loadForge();
  const { asn1, pki } = forge;
  const cert = pki.createCertificate();
  cert.publicKey = placeholderKey(forge);
  cert.serialNumber = spec.serialHex ?? randomSerialHex();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(toForgeAttributes(spec.subject));
  cert.setIssuer(toForgeAttributes(spec.issuer ?? spec.subject));
  if (!spec.v1) cert.setExtensions(extensionsFor(asn1, spec));
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption!;

  const { hash, der: algorithm } = signatureAlgorithm(spec.signingKey, spec.digest ?? 'sha256');
  const algorithmDer = algorithm.toString('binary');
  const tbs = (pki as unknown as ForgeX509).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  fields[2] = asn1.fromDer(algorithmDer);
  fields[6] = asn1.fromDer(spkiDer(spec.publicKey).toString('binary'));
  if (spec.issuerNameDer) fields[3] = asn1.fromDer(spec.issuerNameDer.toString('binary'));
  if (spec.subjectNameDer) fields[5] = asn1.fromDer(spec.subjectNameDer.toString('binary'));
  // v1 is the DEFAULT version, which DER omits (RFC 5280 4.1).
  if (spec.v1) fields.shift();
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');

  const signature = await signAsync(hash, tbsDer, spec.signingKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.fromDer(algorithmDer),
    // BIT STRING with zero unused bits
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  const der = Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
  return { der, pem: derToPem(der) };
}
