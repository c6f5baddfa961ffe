// The MITM leaf written without node-forge: the fields the general builder gives a server leaf, and OpenSSL
// accepting it for its names on a real handshake.
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { buildCertificate, type CertificateSpec } from '../../src/ca/certificate-builder.js';
import { timeDer } from '../../src/ca/certificate-parts.js';
import { buildLeafCertificate, LeafTemplate, type LeafSpec } from '../../src/ca/leaf-certificate.js';
import { ParsedCertificate, subjectNameDer } from '../../src/trust/certificate.js';
import { children, readTlv } from '../../src/trust/der.js';

const DAY = 86_400_000;

async function setup(caKeys: 'rsa' | 'ec') {
  const ca =
    caKeys === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caCert = await buildCertificate({
    subject: [{ type: 'CN', value: 'Leaf Test CA' }],
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    isCA: true,
  });
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spec = (dnsNames: string[], ipAddresses: string[] = []): LeafSpec => ({
    commonName: dnsNames[0] ?? ipAddresses[0]!,
    issuerNameDer: subjectNameDer(caCert.der),
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 10 * DAY),
    publicKey: leafKey.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    dnsNames,
    ipAddresses,
  });
  return { caCert, caPublicKey: ca.publicKey, leafKey: leafKey.privateKey, spec };
}

/** What a careful client reads from a leaf, without the parts that differ on every build. */
function fields(der: Buffer) {
  const d = new ParsedCertificate(der).details;
  return {
    version: d.version,
    issuer: d.issuer,
    subject: d.subject,
    basicConstraints: d.basicConstraints,
    keyUsage: d.keyUsage,
    extKeyUsage: d.extKeyUsage,
    subjectKeyId: d.subjectKeyId,
    authorityKeyId: d.authorityKeyId,
    signatureOid: d.signatureOid,
    innerSignatureOid: d.innerSignatureOid,
    san: new ParsedCertificate(der).x509.subjectAltName,
  };
}

/** The general builder's certificate for a leaf's spec, with the extensions a TLS server leaf has. */
function generalLeaf(leafSpec: LeafSpec, overrides: Partial<CertificateSpec> = {}) {
  return buildCertificate({
    subject: [{ type: 'CN', value: leafSpec.commonName }],
    issuerNameDer: leafSpec.issuerNameDer,
    notBefore: leafSpec.notBefore,
    notAfter: leafSpec.notAfter,
    publicKey: leafSpec.publicKey,
    signingKey: leafSpec.signingKey,
    issuerPublicKey: leafSpec.issuerPublicKey,
    dnsNames: leafSpec.dnsNames,
    ipAddresses: leafSpec.ipAddresses,
    keyUsage: ['digitalSignature'],
    extKeyUsage: ['serverAuth'],
    ...overrides,
  });
}

for (const caKeys of ['rsa', 'ec'] as const) {
  test(`a leaf signed by an ${caKeys} CA has the fields the general builder gives one`, async (t) => {
    const { spec, caPublicKey } = await setup(caKeys);
    const leafSpec = spec(['shop.example', 'www.shop.example'], ['10.1.2.3', '::1']);
    const ours = await buildLeafCertificate(leafSpec);
    const general = await generalLeaf(leafSpec);
    t.deepEqual(fields(ours.der), fields(general.der));
    const x509 = new ParsedCertificate(ours.der).x509;
    t.true(x509.verify(caPublicKey));
    t.is(x509.checkIP('::1'), '::1');
    t.is(new ParsedCertificate(ours.der).details.serial[0]! & 0x80, 0, 'a positive serial');
  });
}

/** The TBSCertificate's fields, each as its whole DER element. */
const tbsFields = (der: Buffer) =>
  children(children(readTlv(der).tlv.value)[0]!.value).map((field) => field.whole.toString('hex'));

for (const caKeys of ['rsa', 'ec'] as const)
  test(`a leaf signed by an ${caKeys} CA is byte for byte the general builder's, but for its serial and UTF8String name`, async (t) => {
    const { spec } = await setup(caKeys);
    const leafSpec = spec(['shop.example', '*.shop.example'], ['10.1.2.3', '::1']);
    const ours = await buildLeafCertificate(leafSpec);
    const fieldsOfOurs = tbsFields(ours.der);
    // The general builder writes a common name as a PrintableString (no "_" or "*" allowed in one):
    // given ours and our serial, every byte of the TBSCertificate must agree.
    const general = await generalLeaf(leafSpec, {
      subject: [],
      subjectNameDer: Buffer.from(fieldsOfOurs[5]!, 'hex'),
      serialHex: new ParsedCertificate(ours.der).details.serial.toString('hex'),
    });
    t.deepEqual(fieldsOfOurs, tbsFields(general.der));
    t.is(fieldsOfOurs.length, 8, 'version, serial, signature, issuer, validity, subject, key, extensions');
    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String (0x0c) } } }
    t.is(fieldsOfOurs[5]!.slice(22, 24), '0c', 'the common name is a UTF8String');
  });

test('serial numbers are 16 bytes, positive, minimally encoded and all different, across the random pool refills', async (t) => {
  const { spec } = await setup('ec');
  const template = new LeafTemplate(spec(['serial.test']));
  // 600 leaves: more than two pools of 256 serials.
  const serials = await Promise.all(
    Array.from({ length: 600 }, async () => {
      const { der } = await template.build(spec(['serial.test']));
      return new ParsedCertificate(der).details.serial;
    }),
  );
  t.is(new Set(serials.map((serial) => serial.toString('hex'))).size, 600);
  for (const serial of serials) {
    // Non-zero first byte below 0x80: positive, and no leading zero byte DER would forbid (X.690 8.3.2).
    if (serial.length !== 16 || serial[0]! === 0 || serial[0]! >= 0x80) t.fail(serial.toString('hex'));
  }
});

test('OpenSSL accepts the leaf for its name and refuses it for another', async (t) => {
  const { caCert, leafKey, spec } = await setup('rsa');
  const leaf = await buildLeafCertificate(spec(['under_score.test', '*.wild.test']));
  const server = createServer({ key: leafKey.export({ type: 'pkcs8', format: 'pem' }), cert: leaf.pem }, (socket) =>
    socket.end(),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const handshake = (servername: string) =>
    new Promise<string | null>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername,
        ca: caCert.pem,
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  t.is(await handshake('under_score.test'), null);
  t.is(await handshake('a.wild.test'), null);
  t.is(await handshake('other.test'), 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('times are UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', (t) => {
  t.is(timeDer(new Date('2049-12-31T23:59:59Z')).toString('latin1'), '\x17\x0d491231235959Z');
  t.is(timeDer(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z');
});
