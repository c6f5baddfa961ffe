// The PKCS#12 reader on files the real tools write (openssl 3 default and -legacy, Windows-style, Java's
// keytool): certificates and keys come back as they went in; a wrong password is told by the MAC; damaged
// files are errors, never silence.
import test from 'ava';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixturePki, type FixturePki } from '../../scripts/fixture-pki.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { looksLikePkcs12, Pkcs12Error, readPkcs12 } from '../../src/trust/pkcs12.js';
import { rc2DecryptBlock } from '../../src/trust/rc2.js';
import { hasKeytool, keytoolPkcs12, opensslPkcs12, type OpensslMode } from '../helpers/pkcs12.js';

let pki: FixturePki;
let dir: string;
test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswitness-p12-'));
  pki = await makeFixturePki(join(dir, 'pki'));
});

const der = (pem: string) => pemCertificates(pem)[0]!.toString('hex');
const sameKey = (a: Buffer, pem: string) =>
  createPrivateKey({ key: a, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'der' })
    .equals(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));

const MODES: Array<{ mode: OpensslMode; mac: RegExp; certs: RegExp | null; key: RegExp }> = [
  {
    mode: 'default',
    mac: /^sha256, 2048 iterations$/,
    certs: /PBES2 \(PBKDF2 HMAC-SHA256, AES-256-CBC/,
    key: /PBES2 \(PBKDF2 HMAC-SHA256, AES-256-CBC/,
  },
  { mode: 'legacy', mac: /^sha1, /, certs: /pbeWithSHA1And40BitRC2-CBC/, key: /pbeWithSHA1And3-KeyTripleDES-CBC/ },
  {
    mode: 'windows',
    mac: /^sha1, /,
    certs: /pbeWithSHA1And3-KeyTripleDES-CBC/,
    key: /pbeWithSHA1And3-KeyTripleDES-CBC/,
  },
  { mode: 'aes128-sha512', mac: /^sha512, /, certs: /AES-128-CBC/, key: /AES-128-CBC/ },
];

for (const { mode, mac, certs, key } of MODES) {
  test(`openssl pkcs12 -export (${mode}): an RSA leaf with its EC intermediate, and an EC client with its root`, (t) => {
    const valid = pki.scenarios.valid!;
    const rsa = readPkcs12(
      readFileSync(opensslPkcs12(dir, `rsa-${mode}`, valid.sent, valid.keyPem, 'secret', mode)),
      'secret',
      { keys: true },
    );
    t.deepEqual(rsa.certificates.map((c) => c.toString('hex')).sort(), valid.sent.map(der).sort());
    t.is(rsa.keys.length, 1);
    t.true(sameKey(rsa.keys[0]!, valid.keyPem));
    t.regex(rsa.mac!, mac);
    t.true(
      rsa.schemes.some((s) => certs!.test(s) && s.startsWith('certificates:')),
      rsa.schemes.join('; '),
    );
    t.true(
      rsa.schemes.some((s) => key.test(s) && s.startsWith('key:')),
      rsa.schemes.join('; '),
    );

    const ec = readPkcs12(
      readFileSync(
        opensslPkcs12(dir, `ec-${mode}`, [pki.client.pem, pki.clientRoot.pem], pki.client.keyPem, 'pässwörd', mode),
      ),
      'pässwörd',
      { keys: true },
    );
    t.deepEqual(
      ec.certificates.map((c) => c.toString('hex')).sort(),
      [pki.client.pem, pki.clientRoot.pem].map(der).sort(),
    );
    t.true(sameKey(ec.keys[0]!, pki.client.keyPem));
    t.is(new X509Certificate(ec.certificates[0]!).publicKey.asymmetricKeyType, 'ec');
  });

  test(`openssl pkcs12 -export (${mode}): a wrong password is told by the MAC`, (t) => {
    const file = readFileSync(opensslPkcs12(dir, `wrong-${mode}`, [pki.client.pem], pki.client.keyPem, 'secret', mode));
    const error = t.throws(() => readPkcs12(file, 'Secret'), { instanceOf: Pkcs12Error });
    t.is(error?.reason, 'wrong-password');
    t.is(t.throws(() => readPkcs12(file, ''), { instanceOf: Pkcs12Error })?.reason, 'wrong-password');
  });
}

test('without keys asked for, keys are counted and not decrypted', (t) => {
  const file = readFileSync(opensslPkcs12(dir, 'count', [pki.client.pem], pki.client.keyPem, 'secret', 'default'));
  const contents = readPkcs12(file, 'secret');
  t.is(contents.keyBags, 1);
  t.deepEqual(contents.keys, []);
  t.false(contents.schemes.some((s) => s.startsWith('key:')));
});

test('an empty password, and a file without a MAC', (t) => {
  const empty = readPkcs12(
    readFileSync(opensslPkcs12(dir, 'empty', [pki.client.pem], pki.client.keyPem, '', 'default')),
    '',
  );
  t.is(empty.certificates.length, 1);
  const nomac = readFileSync(opensslPkcs12(dir, 'nomac', [pki.client.pem], pki.client.keyPem, 'secret', 'nomac'));
  const read = readPkcs12(nomac, 'secret', { keys: true });
  t.is(read.mac, null);
  t.true(sameKey(read.keys[0]!, pki.client.keyPem));
  // -nomac leaves the certificates in the clear (nothing to check a password against) and encrypts the
  // key. Only its padding speaks: a wrong password fails it 255 times in 256, and otherwise leaves bytes
  // that do not parse. Either way an error, never a wrong key.
  t.is(readPkcs12(nomac, 'wrong').certificates.length, 1);
  const error = t.throws(() => readPkcs12(nomac, 'wrong', { keys: true }), { instanceOf: Pkcs12Error });
  t.true(['wrong-password', 'malformed'].includes(error!.reason));
});

(hasKeytool() ? test : test.skip)("Java keytool's PKCS12 keystore (PBES2 AES-256, HMAC-SHA256 MAC)", (t) => {
  const file = readFileSync(keytoolPkcs12(dir, 'java', 'changeit', 'java.example'));
  const contents = readPkcs12(file, 'changeit', { keys: true });
  t.is(contents.mac, 'sha256, 10000 iterations');
  t.deepEqual(contents.schemes.sort(), [
    'certificates: PBES2 (PBKDF2 HMAC-SHA256, AES-256-CBC, 10000 iterations)',
    'key: PBES2 (PBKDF2 HMAC-SHA256, AES-256-CBC, 10000 iterations)',
  ]);
  t.is(contents.certificates.length, 1);
  t.is(new X509Certificate(contents.certificates[0]!).subject, 'CN=java.example');
  t.true(
    new X509Certificate(contents.certificates[0]!).checkPrivateKey(
      createPrivateKey({ key: contents.keys[0]!, format: 'der', type: 'pkcs8' }),
    ),
  );
  t.is(t.throws(() => readPkcs12(file, 'changeme'), { instanceOf: Pkcs12Error })?.reason, 'wrong-password');
});

// A wrong password passes CBC padding about once in 256 tries and leaves bytes that are not a key. Among
// 2,000 wrong passwords some do so in all but 1 run in 2,500 ((255/256)^2000): each must still be a wrong
// password, never a key and never "the file is damaged".
test('a wrong password that happens to pass the padding is still a wrong password, with or without a MAC', (t) => {
  const key = forge.pki.privateKeyFromPem(
    generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  const cert = forge.pki.certificateFromPem(pki.publicRoot.pem);
  // One iteration keeps a thousand tries fast; the padding, not the count, is under test.
  const build = (useMac: boolean) =>
    Buffer.from(
      forge.asn1
        .toDer(forge.pkcs12.toPkcs12Asn1(key, [cert], 'secret', { algorithm: '3des', count: 1, useMac }))
        .getBytes(),
      'binary',
    );
  const withMac = build(true);
  const withoutMac = build(false);
  t.is(readPkcs12(withMac, 'secret', { keys: true }).keys.length, 1);
  t.is(readPkcs12(withoutMac, 'secret', { keys: true }).keys.length, 1);
  let paddingPassed = 0;
  for (let i = 0; i < 2000; i++) {
    const password = `wrong-${i}`;
    const macError = t.throws(() => readPkcs12(withMac, password), { instanceOf: Pkcs12Error }, password);
    t.is(macError?.reason, 'wrong-password', password);
    t.regex(macError!.message, /its MAC does not match and its contents do not decrypt/, password);
    const error = t.throws(
      () => readPkcs12(withoutMac, password, { keys: true }),
      { instanceOf: Pkcs12Error },
      password,
    );
    t.is(error?.reason, 'wrong-password', password);
    if (/does not parse/.test(error!.message)) paddingPassed++;
  }
  t.log(`${paddingPassed} of 2000 wrong passwords passed the padding`);
});

test('truncated and altered files are errors that say so', (t) => {
  const file = readFileSync(
    opensslPkcs12(dir, 'damage', pki.scenarios.valid!.sent, pki.scenarios.valid!.keyPem, 'secret', 'default'),
  );
  for (const length of [1, 8, 100, file.length - 40, file.length - 1]) {
    const cut = file.subarray(0, length);
    t.is(
      t.throws(() => readPkcs12(cut, 'secret'), { instanceOf: Pkcs12Error })?.reason,
      'malformed',
      `cut at ${length}`,
    );
    if (length >= 8) t.true(looksLikePkcs12(cut), `cut at ${length}`);
  }
  // The MAC value is the file's last OCTET STRING before the iteration count: altered, the contents still
  // decrypt under the right password, so the file (not the password) is at fault.
  const altered = Buffer.from(file);
  altered[altered.length - 20]! ^= 0x01;
  const error = t.throws(() => readPkcs12(altered, 'secret'), { instanceOf: Pkcs12Error });
  t.is(error?.reason, 'malformed');
  t.regex(error!.message, /MAC does not match, yet its contents decrypt/);
  t.false(looksLikePkcs12(pemCertificates(pki.publicRoot.pem)[0]!));
});

test('RC2 decrypts the RFC 2268 section 5 test vectors', (t) => {
  const vectors: Array<[string, number, string, string]> = [
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ];
  for (const [key, bits, plain, cipher] of vectors)
    t.is(rc2DecryptBlock(Buffer.from(key, 'hex'), bits, Buffer.from(cipher, 'hex')).toString('hex'), plain);
});
