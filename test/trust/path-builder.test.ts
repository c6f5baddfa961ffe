// build_chain, trusted-first: which certificates make the path and which error ends it.
import test from 'ava';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { buildChain } from '../../src/trust/path-builder.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import { caseCert, type CaseCert } from '../helpers/verify-cases.js';

const parse = (list: CaseCert[]) => list.map((c) => new ParsedCertificate(c.der));
const store = (...list: CaseCert[]) => TrustStore.fromCertificates('public', parse(list));

test('trusted first: the store copies of a sent intermediate and root are used (and matched to what was sent)', async (t) => {
  const root = await caseCert('Root', null, { isCA: true });
  const inter = await caseCert('Inter', root, { isCA: true });
  const leaf = await caseCert('leaf', inter);
  const built = buildChain(parse([leaf, inter, root]), [store(inter, root)], new Date());
  t.true(built.trusted);
  t.deepEqual(
    built.path.map((n) => [n.sentIndex, n.store]),
    [
      [0, null],
      [1, 'public'],
      [2, 'public'],
    ],
  );
});

test('a certificate already on the path is not added again, even when sent twice', async (t) => {
  const root = await caseCert('Root', null, { isCA: true });
  const inter = await caseCert('Inter', root, { isCA: true });
  const leaf = await caseCert('leaf', inter);
  const built = buildChain(parse([leaf, inter, inter, leaf]), [], new Date());
  t.deepEqual(
    built.path.map((n) => n.sentIndex),
    [0, 1],
  );
  t.deepEqual(built.errors, [{ code: 20, depth: 1 }]);
});

test('no anchor: 18, 19, 2 and 20 as the top decides', async (t) => {
  const root = await caseCert('Root', null, { isCA: true });
  const inter = await caseCert('Inter', root, { isCA: true });
  const leaf = await caseCert('leaf', inter);
  t.deepEqual(buildChain(parse([root]), [], new Date()).errors, [{ code: 18, depth: 0 }]);
  t.deepEqual(buildChain(parse([leaf, inter, root]), [], new Date()).errors, [{ code: 19, depth: 2 }]);
  t.deepEqual(buildChain(parse([leaf]), [store(inter)], new Date()).errors, [{ code: 2, depth: 1 }]);
  t.deepEqual(buildChain(parse([leaf, inter]), [], new Date()).errors, [{ code: 20, depth: 1 }]);
});

test('a self-signed look-alike of a store root is not the anchor', async (t) => {
  const root = await caseCert('Root', null, { isCA: true, omitSubjectKeyId: true, omitAuthorityKeyId: true });
  const mimic = await caseCert('Root', null, { isCA: true, omitSubjectKeyId: true, omitAuthorityKeyId: true });
  const built = buildChain(parse([mimic]), [store(root)], new Date());
  t.false(built.trusted);
  t.deepEqual(built.errors, [{ code: 18, depth: 0 }]);
});

test('the depth limit: with maxDepth given, 22 ends the list; by default 20 follows it as in Node', async (t) => {
  const root = await caseCert('Root', null, { isCA: true });
  const i1 = await caseCert('I1', root, { isCA: true });
  const i2 = await caseCert('I2', i1, { isCA: true });
  const leaf = await caseCert('leaf', i2);
  t.deepEqual(buildChain(parse([leaf, i2, i1]), [store(root)], new Date(), { maxDepth: 1 }).errors, [
    { code: 20, depth: 2 },
    { code: 22, depth: 2 },
  ]);
  t.true(buildChain(parse([leaf, i2, i1]), [store(root)], new Date(), { maxDepth: 2 }).trusted);
  t.true(
    buildChain(parse([leaf]), [store(root)], new Date(), { untrusted: parse([i1, i2]) }).trusted,
    'extra intermediates in any order',
  );
});
