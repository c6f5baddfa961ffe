// What a certificate file holds as a chain: the leaf found wherever it sits, order judged from it.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixturePki, type FixturePki } from '../../scripts/fixture-pki.js';
import { analyseBundle } from '../../src/trust/bundle-analysis.js';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { pemCertificates } from '../../src/trust/pem.js';

let pki: FixturePki;
test.before(async () => {
  pki = await makeFixturePki(mkdtempSync(join(tmpdir(), 'tlswitness-bundle-')));
});

const parse = (...pems: string[]) => pems.map((pem) => new ParsedCertificate(pemCertificates(pem)[0]!));
const now = () => new Date();

test('leaf, intermediate, root in order: complete, no problem', (t) => {
  t.deepEqual(
    analyseBundle(parse(pki.scenarios.valid!.sent[0]!, pki.publicIntermediate.pem, pki.publicRoot.pem), now()),
    { inOrder: true, complete: true, problems: [] },
  );
});

test('intermediate then leaf: the leaf is found second, the file is out of order, nothing is unrelated', (t) => {
  const result = analyseBundle(parse(pki.publicIntermediate.pem, pki.scenarios.valid!.sent[0]!), now());
  t.false(result.inOrder);
  t.is(result.problems.length, 1);
  t.regex(
    result.problems[0]!,
    /^wrong order: the chain runs 1 -> 0; the leaf "CN=valid\.example\.com" \(certificate 1\)/,
  );
});

test('leaf first with the intermediates swapped keeps its wording', (t) => {
  const wrong = pki.scenarios.wrongOrder!.sent;
  const result = analyseBundle(parse(...wrong), now());
  t.false(result.inOrder);
  t.deepEqual(result.problems, [
    'wrong order: the chain runs 0 -> 2 -> 1; each certificate should be followed by its issuer',
  ]);
});

test('a leaf followed by an unrelated chain keeps the first certificate as the leaf', (t) => {
  // The second chain does not run through certificate 0: it is extra, not a sign of disorder.
  const result = analyseBundle(parse(pki.client.pem, pki.publicIntermediate.pem, pki.scenarios.valid!.sent[0]!), now());
  t.true(result.inOrder);
  t.deepEqual(result.problems, [
    'missing link or unrelated certificate: certificate(s) 1, 2 are not on the chain from certificate 0, which ends at "CN=fixture-client"',
  ]);
});
