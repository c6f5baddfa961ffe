// The trust-store PKCS#12 writer: Java's keytool lists every certificate as a trustedCertEntry, and
// openssl and this project's reader get the same certificates back under the same password.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixturePki, type FixturePki } from '../../scripts/fixture-pki.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { readPkcs12 } from '../../src/trust/pkcs12.js';
import { trustedEntries, trustStorePkcs12 } from '../../src/trust/pkcs12-truststore.js';
import { hasKeytool, keytoolEntries } from '../helpers/pkcs12.js';
import { testNeeding } from '../helpers/requires.js';

let pki: FixturePki;
let dir: string;
test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswitness-p12-trust-'));
  pki = await makeFixturePki(join(dir, 'pki'));
});

const salt = Buffer.alloc(16, 7);
const roots = () => [pki.publicRoot.der, pki.publicIntermediate.der];

test('every certificate bag carries the Oracle trusted-key-usage attribute (anyExtendedKeyUsage)', (t) => {
  const file = trustStorePkcs12(trustedEntries(roots()), 'changeit', salt);
  // SEQUENCE { 2.16.840.1.113894.746875.1.1, SET { 2.5.29.37.0 } }, as `openssl asn1parse -genconf` encodes it.
  const attribute = Buffer.from('3016060c6086480186f966adca7b010131060604551d2500', 'hex');
  let count = 0;
  for (let i = file.indexOf(attribute); i >= 0; i = file.indexOf(attribute, i + 1)) count++;
  t.is(count, 2);
});

test('the reader and openssl get the certificates back; a wrong password fails the MAC', (t) => {
  const ders = roots();
  const file = trustStorePkcs12(trustedEntries(ders), 'changeit', salt);
  const read = readPkcs12(file, 'changeit');
  t.deepEqual(
    read.certificates.map((c) => c.toString('hex')),
    ders.map((c) => c.toString('hex')),
  );
  t.is(read.keyBags, 0);
  t.is(read.mac, 'sha256, 2048 iterations');
  const path = join(dir, 'read.p12');
  writeFileSync(path, file);
  const pem = execFileSync('openssl', ['pkcs12', '-in', path, '-passin', 'pass:changeit', '-nokeys'], {
    encoding: 'utf8',
  });
  t.deepEqual(
    pemCertificates(pem).map((c) => c.toString('hex')),
    ders.map((c) => c.toString('hex')),
  );
  t.throws(() => readPkcs12(file, 'wrong'));
});

test('aliases come from the subject CN, unique, lowercased as keytool shows them', (t) => {
  const [root] = roots();
  t.deepEqual(
    trustedEntries([root!, root!]).map((e) => e.alias),
    ['fixture public root r1', 'fixture public root r1-2'],
  );
});

testNeeding(hasKeytool() ? null : 'keytool is not installed here')(
  'keytool -list shows each certificate as a trustedCertEntry',
  (t) => {
    const path = join(dir, 'keytool.p12');
    writeFileSync(path, trustStorePkcs12(trustedEntries(roots()), 'changeit', salt));
    t.is(keytoolEntries(path, 'changeit').length, 2);
    t.true(keytoolEntries(path, 'changeit').every((e) => e.endsWith(', trustedCertEntry')));
  },
);
