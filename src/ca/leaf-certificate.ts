// The MITM leaf certificate, written as DER directly: the proxy mints one per new host, and building it
// through node-forge would load forge (~10 MB of heap) into every proxy at start-up for one fixed shape.
import { sign as signNative, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { encodeTlv } from '../trust/der.js';
import { derToPem } from '../trust/pem.js';
import {
  generalNameDer,
  keyIdentifier,
  oidDer,
  randomSerialHex,
  signatureAlgorithm,
  spkiDer,
  timeDer,
} from './certificate-parts.js';

const signAsync = promisify(signNative);

export interface LeafSpec {
  commonName: string;
  /** The issuer Name, byte for byte the CA's subject (RFC 5280 7.1 name chaining). */
  issuerNameDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerPublicKey: KeyObject;
  dnsNames: string[];
  ipAddresses: string[];
}

const SEQUENCE = 0x30;
const CRITICAL = Buffer.from([0x01, 0x01, 0xff]);

function extension(oid: string, critical: boolean, valueDer: Buffer): Buffer {
  return encodeTlv(SEQUENCE, oidDer(oid), ...(critical ? [CRITICAL] : []), encodeTlv(0x04, valueDer));
}

/** The extensions of a TLS server leaf, in the order the general builder writes them. */
function leafExtensions(spec: LeafSpec): Buffer {
  const names = [...spec.dnsNames.map((n) => `DNS:${n}`), ...spec.ipAddresses.map((ip) => `IP:${ip}`)];
  const list = [
    // basicConstraints, critical, cA FALSE (the DEFAULT, so DER leaves it out: X.690 11.5).
    extension('2.5.29.19', true, encodeTlv(SEQUENCE)),
    // keyUsage, critical: digitalSignature (bit 0), a BIT STRING with 7 unused bits.
    extension('2.5.29.15', true, Buffer.from([0x03, 0x02, 0x07, 0x80])),
    // extKeyUsage: id-kp-serverAuth.
    extension('2.5.29.37', false, encodeTlv(SEQUENCE, oidDer('1.3.6.1.5.5.7.3.1'))),
    ...(names.length ? [extension('2.5.29.17', false, encodeTlv(SEQUENCE, ...names.map(generalNameDer)))] : []),
    extension('2.5.29.14', false, encodeTlv(0x04, keyIdentifier(spec.publicKey))),
    // authorityKeyIdentifier: keyIdentifier [0] only.
    extension('2.5.29.35', false, encodeTlv(SEQUENCE, encodeTlv(0x80, keyIdentifier(spec.issuerPublicKey)))),
  ];
  return encodeTlv(0xa3, encodeTlv(SEQUENCE, ...list));
}

/** Builds and signs one leaf; the signature runs on libuv's thread pool. */
export async function buildLeafCertificate(spec: LeafSpec): Promise<{ der: Buffer; pem: string }> {
  const { hash, der: algorithm } = signatureAlgorithm(spec.signingKey, 'sha256');
  // The common name as a UTF8String (RFC 5280 4.1.2.6): PrintableString has no "_" or "*".
  const subject = encodeTlv(
    SEQUENCE,
    encodeTlv(0x31, encodeTlv(SEQUENCE, oidDer('2.5.4.3'), encodeTlv(0x0c, Buffer.from(spec.commonName, 'utf8')))),
  );
  const tbs = encodeTlv(
    SEQUENCE,
    // version [0] v3 (2)
    Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]),
    encodeTlv(0x02, Buffer.from(randomSerialHex(), 'hex')),
    algorithm,
    spec.issuerNameDer,
    encodeTlv(SEQUENCE, timeDer(spec.notBefore), timeDer(spec.notAfter)),
    subject,
    spkiDer(spec.publicKey),
    leafExtensions(spec),
  );
  const signature = await signAsync(hash, tbs, spec.signingKey);
  // BIT STRING with zero unused bits.
  const der = encodeTlv(SEQUENCE, tbs, algorithm, encodeTlv(0x03, Buffer.from([0]), signature));
  return { der, pem: derToPem(der) };
}
