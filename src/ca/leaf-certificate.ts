// The MITM leaf certificate, written as DER directly: the proxy mints one per new host, and building it
// through node-forge would load forge (~10 MB of heap) into every proxy at start-up for one fixed shape.
// What every leaf of one minter shares (issuer, key, algorithm, all extensions but the names) is
// written once (LeafTemplate): a proxy mints too rarely for V8 to optimise the writing, which took
// ~0.5 ms of a new host's CPU in the interpreter.
import { sign as signNative, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { encodeTlv } from '../trust/der.js';
import { derToPem } from '../trust/pem.js';
import {
  generalNameDer,
  keyIdentifier,
  oidDer,
  randomSerial,
  signatureAlgorithm,
  spkiDer,
  timeDer,
} from './certificate-parts.js';

const signAsync = promisify(signNative);

/** What every leaf of one issuer and one key shares. */
export interface LeafIssuer {
  /** The issuer Name, byte for byte the CA's subject (RFC 5280 7.1 name chaining). */
  issuerNameDer: Buffer;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerPublicKey: KeyObject;
}

/** What differs from leaf to leaf. */
export interface LeafNames {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
}

export type LeafSpec = LeafIssuer & LeafNames;

const SEQUENCE = 0x30;
const CRITICAL = Buffer.from([0x01, 0x01, 0xff]);
// version [0] v3 (2)
const VERSION_3 = Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]);
const OID_COMMON_NAME = oidDer('2.5.4.3');
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

function extension(oid: string, critical: boolean, valueDer: Buffer): Buffer {
  return encodeTlv(SEQUENCE, oidDer(oid), ...(critical ? [CRITICAL] : []), encodeTlv(0x04, valueDer));
}

/** The leaves of one issuer and key, in the order the general builder writes their fields and extensions. */
export class LeafTemplate {
  private readonly hash: string | null;
  private readonly algorithm: Buffer;
  /** What comes between the serial and the validity, and between the subject and the extensions. */
  private readonly afterSerial: Buffer;
  private readonly spki: Buffer;
  /** basicConstraints, keyUsage, extKeyUsage before the names; the key identifiers after. */
  private readonly extensionsBefore: Buffer;
  private readonly extensionsAfter: Buffer;

  constructor(private readonly issuer: LeafIssuer) {
    const { hash, der } = signatureAlgorithm(issuer.signingKey, 'sha256');
    this.hash = hash;
    this.algorithm = der;
    this.afterSerial = Buffer.concat([der, issuer.issuerNameDer]);
    this.spki = spkiDer(issuer.publicKey);
    this.extensionsBefore = Buffer.concat([
      // basicConstraints, critical, cA FALSE (the DEFAULT, so DER leaves it out: X.690 11.5).
      extension('2.5.29.19', true, encodeTlv(SEQUENCE)),
      // keyUsage, critical: digitalSignature (bit 0), a BIT STRING with 7 unused bits.
      extension('2.5.29.15', true, Buffer.from([0x03, 0x02, 0x07, 0x80])),
      // extKeyUsage: id-kp-serverAuth.
      extension('2.5.29.37', false, encodeTlv(SEQUENCE, oidDer('1.3.6.1.5.5.7.3.1'))),
    ]);
    this.extensionsAfter = Buffer.concat([
      extension('2.5.29.14', false, encodeTlv(0x04, keyIdentifier(issuer.publicKey))),
      // authorityKeyIdentifier: keyIdentifier [0] only.
      extension('2.5.29.35', false, encodeTlv(SEQUENCE, encodeTlv(0x80, keyIdentifier(issuer.issuerPublicKey)))),
    ]);
  }

  /** Builds and signs one leaf; the signature runs on libuv's thread pool. */
  async build(leaf: LeafNames): Promise<{ der: Buffer; pem: string }> {
    const names = [...leaf.dnsNames.map((n) => `DNS:${n}`), ...leaf.ipAddresses.map((ip) => `IP:${ip}`)];
    const subjectAltName = names.length
      ? [extension(OID_SUBJECT_ALT_NAME, false, encodeTlv(SEQUENCE, ...names.map(generalNameDer)))]
      : [];
    // The common name as a UTF8String (RFC 5280 4.1.2.6): PrintableString has no "_" or "*".
    const subject = encodeTlv(
      SEQUENCE,
      encodeTlv(0x31, encodeTlv(SEQUENCE, OID_COMMON_NAME, encodeTlv(0x0c, Buffer.from(leaf.commonName, 'utf8')))),
    );
    const tbs = encodeTlv(
      SEQUENCE,
      VERSION_3,
      encodeTlv(0x02, randomSerial()),
      this.afterSerial,
      encodeTlv(SEQUENCE, timeDer(leaf.notBefore), timeDer(leaf.notAfter)),
      subject,
      this.spki,
      encodeTlv(0xa3, encodeTlv(SEQUENCE, this.extensionsBefore, ...subjectAltName, this.extensionsAfter)),
    );
    const signature = await signAsync(this.hash, tbs, this.issuer.signingKey);
    // BIT STRING with zero unused bits.
    const der = encodeTlv(SEQUENCE, tbs, this.algorithm, encodeTlv(0x03, Buffer.from([0]), signature));
    return { der, pem: derToPem(der) };
  }
}

/** Builds and signs one leaf (a template of its own: the minter keeps one for all its leaves). */
export function buildLeafCertificate(spec: LeafSpec): Promise<{ der: Buffer; pem: string }> {
  return new LeafTemplate(spec).build(spec);
}
