import test from 'ava';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { readTlv } from '../../src/trust/der.js';
import { ParsedCertificate, spkiSha256 } from '../../src/trust/certificate.js';
import { canonicalSpki, spkiOfCertificate } from '../../src/trust/spki-bytes.js';
import { makeTestCa } from '../helpers/pki.js';

const spkiOf = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
const keys: Array<[string, KeyObject]> = [
  ['RSA-2048', generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey],
  ['RSA-1024', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
  ['RSA-2048, exponent 3', generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).publicKey],
  ['P-256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey],
  ['P-384', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey],
  ['P-521', generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).publicKey],
  ['Ed25519', generateKeyPairSync('ed25519').publicKey],
  ['Ed448', generateKeyPairSync('ed448').publicKey],
];

test("OpenSSL's own encoding of each common key is taken as it is", (t) => {
  for (const [name, key] of keys) {
    const der = spkiOf(key);
    t.deepEqual(canonicalSpki(readTlv(der).tlv, key.asymmetricKeyType), der, name);
  }
});

test('anything OpenSSL would write otherwise is left to it', (t) => {
  const rsa = spkiOf(keys[0]![1]);
  const ec = spkiOf(keys[3]![1]);
  const no = (der: Buffer, type = 'rsa') => t.is(canonicalSpki(readTlv(der).tlv, type), null, der.toString('hex'));
  // RSA without the NULL parameters.
  const algorithm = Buffer.from('300d06092a864886f70d0101010500', 'hex');
  const body = rsa.subarray(4 + algorithm.length);
  const withoutNull = Buffer.from('300b06092a864886f70d010101', 'hex');
  no(Buffer.concat([Buffer.from([0x30, 0x82]), u16(withoutNull.length + body.length), withoutNull, body]));
  // A length in more octets than needed.
  no(Buffer.concat([Buffer.from([0x30, 0x81]), ec.subarray(1)]), 'ec');
  // A compressed point, another curve's key size, or another key type than node:crypto read.
  const compressed = Buffer.from(ec);
  compressed[ec.length - 65] = 0x02;
  no(compressed, 'ec');
  no(ec, 'rsa');
  no(rsa, 'ec');
  // A modulus with a needless leading zero octet.
  const n = rsa.indexOf(Buffer.from('0282010100', 'hex'));
  t.true(n > 0);
  const padded = Buffer.concat([
    rsa.subarray(0, n),
    Buffer.from('0282010200', 'hex'),
    Buffer.from([0]),
    rsa.subarray(n + 5),
  ]);
  padded.writeUInt16BE(padded.length - 4, 2);
  no(padded);
});

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

test("a certificate's SPKI hash from its own bytes is the one OpenSSL's encoder gives", async (t) => {
  for (const kind of ['rsa', 'ec'] as const) {
    const ca = await makeTestCa(`spki ${kind}`, kind);
    const leaf = await ca.issue(['spki.example']);
    for (const pem of [ca.pem, leaf.pem]) {
      const x509 = new X509Certificate(pem);
      const spki = spkiOfCertificate(x509.raw);
      t.truthy(spki && canonicalSpki(spki, x509.publicKey.asymmetricKeyType), `${kind}: read from the bytes`);
      t.is(new ParsedCertificate(x509.raw).spkiSha256, spkiSha256(x509));
    }
  }
});
