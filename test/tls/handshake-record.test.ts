// anchorPemsIssuing: the few anchors a context with fetched intermediates needs, never one outside the stores.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { storeOf } from '../helpers/observe.js';
import { anchorPemsIssuing } from '../../src/tls/handshake-record.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const issuerOf = (pem: string) => new X509Certificate(pem).issuer;
const subjects = (pems: string[]) => pems.map((pem) => new X509Certificate(pem).subject).sort();

test('the anchors whose subject issued the links, from every store', (t) => {
  const { pki } = fixtures;
  const trust = { public: storeOf('public', [pki.publicRoot.pem, pki.unknownRoot.pem]), system: null, extra: storeOf('extra', [pki.corporateRoot.pem]) };
  t.deepEqual(subjects(anchorPemsIssuing(trust, [issuerOf(pki.publicIntermediate.pem)])), subjects([pki.publicRoot.pem]));
  t.deepEqual(subjects(anchorPemsIssuing(trust, [issuerOf(pki.corporateIntermediate.pem)])), subjects([pki.corporateRoot.pem]));
  t.deepEqual(anchorPemsIssuing(trust, ['CN=Nobody We Know']), []);
});

test('an intermediate kept in a store brings its own issuer along', (t) => {
  const { pki } = fixtures;
  const trust = { public: storeOf('public', [pki.publicRoot.pem, pki.publicIntermediate.pem]), system: null, extra: null };
  t.deepEqual(subjects(anchorPemsIssuing(trust, [issuerOf(pki.deepIntermediate.pem)])), subjects([pki.publicIntermediate.pem, pki.publicRoot.pem]));
});

test('an excluded certificate (the local CA) is never returned', (t) => {
  const { pki } = fixtures;
  const store = storeOf('public', [pki.publicRoot.pem]);
  store.exclude(pki.publicRoot.der);
  t.deepEqual(anchorPemsIssuing({ public: store, system: null, extra: null }, [issuerOf(pki.publicIntermediate.pem)]), []);
});
