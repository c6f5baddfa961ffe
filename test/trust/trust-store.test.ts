// The lazy trust store: subject lookups and name normalisation (its on-disk copy: store-cache.test.ts).
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { makeFixturePki, type FixturePki } from '../../scripts/fixture-pki.js';
import { certificatesFromIssuerBody } from '../../src/net/fetch-issuer.js';
import { parseName } from '../../src/trust/canonical-name.js';
import { encodeTlv } from '../../src/trust/der.js';
import { subjectKeyOfDer, TrustStore } from '../../src/trust/trust-store.js';
import { readTbsFields } from '../../src/trust/x509-fields.js';

let pki: FixturePki;
test.before(async () => {
  pki = await makeFixturePki(mkdtempSync(join(tmpdir(), 'tlswitness-store-')));
});

const canonical = (der: Buffer) => parseName(readTbsFields(der).subjectDer)!.canonical;

test('subject keys follow OpenSSL canonical names: case and white space folded, string types alike', (t) => {
  const name = (value: string, tag = 0x13) =>
    encodeTlv(
      0x30,
      encodeTlv(
        0x31,
        encodeTlv(0x30, encodeTlv(0x06, Buffer.from('550403', 'hex')), encodeTlv(tag, Buffer.from(value))),
      ),
    );
  t.true(parseName(name('Example  Root'))!.canonical.equals(parseName(name(' example root ', 0x0c))!.canonical));
  t.false(parseName(name('Root A'))!.canonical.equals(parseName(name('Root B'))!.canonical));
  t.is(parseName(encodeTlv(0x30))!.canonical.length, 0, 'an empty name has an empty canonical form');
  t.is(subjectKeyOfDer(Buffer.from('not a certificate')), '');
});

test('withSubject parses only what it is asked for when the index is known', (t) => {
  const ders = [pki.publicRoot.der, pki.corporateRoot.der, pki.unknownRoot.der];
  const keys = [subjectKeyOfDer(pki.publicRoot.der), subjectKeyOfDer(pki.corporateRoot.der), 'garbage-never-parsed'];
  let built = false;
  const store = new TrustStore('system', ders, keys, () => (built = true));
  const found = store.withSubject(canonical(pki.corporateRoot.der));
  t.is(found.length, 1);
  t.true(found[0]!.der.equals(pki.corporateRoot.der));
  t.false(built, 'a known index is not rebuilt');
});

test('without an index the first lookup builds it and reports it for caching', (t) => {
  let reported: string[] = [];
  const store = new TrustStore(
    'system',
    [pki.publicRoot.der, Buffer.from('not a certificate')],
    null,
    (keys) => (reported = keys),
  );
  t.is(store.withSubject(canonical(pki.corporateRoot.der)).length, 0);
  t.is(store.withSubject(canonical(pki.publicRoot.der)).length, 1);
  t.deepEqual(reported, [subjectKeyOfDer(pki.publicRoot.der), ''], 'an unparseable entry is skipped');
});

test('an AIA body may be DER, PEM or a certs-only PKCS#7', async (t) => {
  t.deepEqual(await certificatesFromIssuerBody(pki.publicIntermediate.der), [pki.publicIntermediate.der]);
  t.deepEqual(await certificatesFromIssuerBody(Buffer.from(pki.publicIntermediate.pem)), [pki.publicIntermediate.der]);
  const p7 = forge.pkcs7.createSignedData();
  p7.addCertificate(forge.pki.certificateFromPem(pki.publicRoot.pem));
  const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  const certs = await certificatesFromIssuerBody(der);
  t.is(certs.length, 1);
  t.true(certs[0]!.equals(pki.publicRoot.der));
  await t.throwsAsync(certificatesFromIssuerBody(Buffer.from('<html>404</html>')));
});
