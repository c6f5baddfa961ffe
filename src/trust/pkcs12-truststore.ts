// A certificate-only PKCS#12 that Java reads as trusted certificates: each certificate bag carries
// Oracle's trusted-key-usage attribute, as `openssl pkcs12 -export -nokeys -jdktrust anyExtendedKeyUsage` writes it.
import { createHmac, X509Certificate } from 'node:crypto';
import { encodeTlv } from './der.js';
import { passwordForms, pkcs12Kdf } from './pkcs12-pbe.js';

export interface TrustedEntry {
  der: Buffer;
  /** The keystore alias (friendlyName); keytool shows it in `-list`. */
  alias: string;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  // Java's PKCS12KeyStore keeps a key-less certificate bag only when it carries this attribute
  // (JDK-8150922 / sun.security.pkcs12.PKCS12KeyStore TrustedKeyUsage); without it `keytool -list` says "0 entries".
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  sha256: '2.16.840.1.101.3.4.2.1',
};

/** OpenSSL 3's default MAC iteration count. */
export const MAC_ITERATIONS = 2048;

function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const base128: number[] = [];
    for (let rest = part; ; rest = Math.floor(rest / 128)) {
      base128.unshift((rest % 128) | (base128.length ? 0x80 : 0));
      if (rest < 128) break;
    }
    bytes.push(...base128);
  }
  return encodeTlv(0x06, Buffer.from(bytes));
}

const sequence = (...items: Buffer[]) => encodeTlv(0x30, ...items);
const explicit0 = (...items: Buffer[]) => encodeTlv(0xa0, ...items);
const octets = (data: Buffer) => encodeTlv(0x04, data);
// DER's SET OF is sorted by encoding (X.690 11.6).
const setOf = (...items: Buffer[]) => encodeTlv(0x31, ...[...items].sort(Buffer.compare));
const attribute = (oid: string, value: Buffer) => sequence(encodeOid(oid), setOf(value));
const dataContentInfo = (content: Buffer) => sequence(encodeOid(OID.data), explicit0(octets(content)));

function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  if (!bytes.length || bytes[0]! & 0x80) bytes.unshift(0);
  return encodeTlv(0x02, Buffer.from(bytes));
}

function certBag(entry: TrustedEntry): Buffer {
  const bag = sequence(encodeOid(OID.x509Certificate), explicit0(octets(entry.der)));
  const bmp = Buffer.from(entry.alias, 'utf16le').swap16();
  const attributes = setOf(
    attribute(OID.friendlyName, encodeTlv(0x1e, bmp)),
    attribute(OID.oracleTrustedKeyUsage, encodeOid(OID.anyExtendedKeyUsage)),
  );
  return sequence(encodeOid(OID.certBag), explicit0(bag), attributes);
}

/** Aliases from each certificate's subject CN (keytool lowercases them), made unique; `certificate-N` without a CN. */
export function trustedEntries(ders: Buffer[]): TrustedEntry[] {
  const seen = new Set<string>();
  return ders.map((der, i) => {
    const cn = /^CN=(.*)$/m.exec(new X509Certificate(der).subject)?.[1]?.trim().toLowerCase();
    let alias = cn || `certificate-${i + 1}`;
    for (let n = 2; seen.has(alias); n++) alias = `${cn || 'certificate'}-${n}`;
    seen.add(alias);
    return { der, alias };
  });
}

/**
 * RFC 7292 PFX holding only certificate bags, each trusted for any purpose, MAC'd with HMAC-SHA256 under
 * `password`. Certificates are public, so (like node-forge's exports) the bags are not encrypted.
 * `salt` is the caller's random bytes (8 or more).
 */
export function trustStorePkcs12(
  entries: TrustedEntry[],
  password: string,
  salt: Buffer,
  iterations = MAC_ITERATIONS,
): Buffer {
  const authSafe = sequence(dataContentInfo(sequence(...entries.map(certBag))));
  const key = pkcs12Kdf('sha256', passwordForms(password).bmp, salt, 3, iterations, 32);
  const mac = createHmac('sha256', key).update(authSafe).digest();
  const digestInfo = sequence(sequence(encodeOid(OID.sha256), encodeTlv(0x05)), octets(mac));
  return sequence(integer(3), dataContentInfo(authSafe), sequence(digestInfo, octets(salt), integer(iterations)));
}
