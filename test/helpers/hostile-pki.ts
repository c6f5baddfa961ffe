// A CA and a leaf whose names carry terminal controls: OSC "set title", "clear screen", the 8-bit
// CSI U+009B, a bidi override; in the subject, the issuer, the SAN and the AIA URL. Built with the
// project's certificate builder; the names are written as DER so every byte goes in as chosen.
import { generateKeyPairSync } from 'node:crypto';
import { buildCertificate } from '../../src/ca/certificate-builder.js';
import { encodeTlv } from '../../src/trust/der.js';

/** ESC ] 0 ; title BEL (window title), ESC [ 2 J (clear screen), CSI as one C1 character, RIGHT-TO-LEFT OVERRIDE. */
export const HOSTILE_TEXT = '\x1b]0;pwned\x07\x1b[2J\u009b31m\u202etxt.exe';

/** HOSTILE_TEXT as RFC 4514 text writes it in a DN (`;` escaped), as the records hold it. */
export const HOSTILE_RDN = HOSTILE_TEXT.replace(';', '\\;');

/** Raw controls as they would reach a terminal: ESC, BEL, any C1 (UTF-8 C2 80–C2 9F), bidi overrides and isolates. */
export const RAW_CONTROLS = /[\x07\x1b\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Where in `text` a raw control sits, with a little context, for a readable failure. */
export function rawControlAt(text: string): string | null {
  const match = RAW_CONTROLS.exec(text);
  return match ? JSON.stringify(text.slice(Math.max(0, match.index - 40), match.index + 20)) : null;
}

const CN = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);
const O = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x0a]);

/** A Name of one CN (UTF8String) and one O (PrintableString with a raw 0x9B byte, read as Latin-1). */
function hostileName(cn: string): Buffer {
  const atv = (type: Buffer, tag: number, value: Buffer) =>
    encodeTlv(0x31, encodeTlv(0x30, type, encodeTlv(tag, value)));
  return encodeTlv(
    0x30,
    atv(CN, 0x0c, Buffer.from(cn, 'utf8')),
    atv(O, 0x13, Buffer.from('Evil\x9b2J Corp', 'latin1')),
  );
}

export interface HostilePki {
  /** The DNS name the leaf is valid for (its first SAN). */
  host: string;
  rootPem: string;
  leafPem: string;
  keyPem: string;
}

export async function makeHostilePki(host = 'hostile.test'): Promise<HostilePki> {
  const now = Date.now();
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rootName = hostileName(`Root ${HOSTILE_TEXT} CA`);
  const root = await buildCertificate({
    subject: [],
    subjectNameDer: rootName,
    issuerNameDer: rootName,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 30 * 86_400_000),
    publicKey: rootKey.publicKey,
    signingKey: rootKey.privateKey,
    isCA: true,
  });
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const leaf = await buildCertificate({
    subject: [],
    subjectNameDer: hostileName(`${host} ${HOSTILE_TEXT}`),
    issuerNameDer: rootName,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 30 * 86_400_000),
    publicKey: leafKey.publicKey,
    signingKey: rootKey.privateKey,
    issuerPublicKey: rootKey.publicKey,
    // forge writes each character as one byte of the IA5String: ESC, BEL and 0x9B go in raw.
    dnsNames: [host, 'evil\x1b]0;san\x07.test', '\x9b2J.test'],
    aiaCaIssuers: ['http://127.0.0.1:9/\x1b[2J\x9bca.der'],
  });
  return {
    host,
    rootPem: root.pem,
    leafPem: leaf.pem,
    keyPem: leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
