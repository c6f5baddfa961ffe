// The anchors OpenSSL could reach from a chain: by subject and issuer names, transitively; the rest
// of the store is left out (and never parsed).
import test from 'ava';
import { anchorClosure } from '../../src/trust/anchor-closure.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const der = (pem: string) => pemCertificates(pem)[0]!;
const store = (name: 'public' | 'system' | 'extra', pems: string[]) => new TrustStore(name, pems.map(der));

test("a chain reaches its own root (through the issuer's name), not the store's other roots", (t) => {
  const pki = fixtures.pki;
  const roots = store('public', [pki.unknownRoot.pem, pki.publicRoot.pem, pki.corporateRoot.pem, pki.clientRoot.pem]);
  const chain = fixtures.pki.scenarios.valid!.sent.map(der);
  t.deepEqual(anchorClosure(chain, [roots]), [der(pki.publicRoot.pem)]);
  t.deepEqual(
    anchorClosure(fixtures.pki.scenarios.incomplete!.sent.map(der), [roots]),
    [],
    'a leaf alone names only its intermediate, which no store holds',
  );
});

test('an anchor that is not self-signed leads on to its issuer, in any store; excluded ones stay out', (t) => {
  const pki = fixtures.pki;
  const extra = store('extra', [pki.publicIntermediate.pem]);
  const roots = store('public', [pki.publicRoot.pem, pki.unknownRoot.pem]);
  const leafOnly = fixtures.pki.scenarios.incomplete!.sent.map(der);
  const found = anchorClosure(leafOnly, [roots, null, extra])
    .map((d) => d.toString('base64'))
    .sort();
  t.deepEqual(
    found,
    [der(pki.publicIntermediate.pem), der(pki.publicRoot.pem)].map((d) => d.toString('base64')).sort(),
  );
  roots.exclude(der(pki.publicRoot.pem));
  t.deepEqual(anchorClosure(leafOnly, [roots, extra]), [der(pki.publicIntermediate.pem)]);
});
