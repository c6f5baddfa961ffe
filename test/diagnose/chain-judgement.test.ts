// Judging chains through the run's certificate cache gives exactly the judgement of parsing each
// chain afresh, on every verification case, in any order and however often a certificate recurs.
import test from 'ava';
import { judgeChain, type TrustContext } from '../../src/diagnose/chain-judgement.js';
import { CertificateCache } from '../../src/trust/certificate-cache.js';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import { makeVerifyCases, type VerifyCase } from '../helpers/verify-cases.js';

const cases: Promise<VerifyCase[]> = makeVerifyCases();

function trustOf(c: VerifyCase, certificates?: CertificateCache): TrustContext {
  const anchors = (kind: 'public' | 'extra') =>
    TrustStore.fromCertificates(
      kind,
      c.anchors.map((a) => new ParsedCertificate(a.der)),
    );
  return {
    public: anchors('public'),
    system: null,
    extra: anchors('extra'),
    ...(certificates ? { certificates } : {}),
  };
}

function judged(c: VerifyCase, now: Date, certificates?: CertificateCache) {
  const { sent, ...judgement } = judgeChain(
    c.sent.map((s) => s.der),
    trustOf(c, certificates),
    now,
    c.host,
    null,
    {
      ...(c.options?.maxDepth !== undefined ? { maxDepth: c.options.maxDepth } : {}),
      ...(c.options?.untrusted ? { untrusted: c.options.untrusted.map((u) => new ParsedCertificate(u.der)) } : {}),
    },
  );
  return { sent: sent.length, ...judgement };
}

test('every case judged through one shared cache, twice and in reverse, equals the case judged afresh', async (t) => {
  const all = await cases;
  const now = new Date();
  const cache = new CertificateCache();
  const fresh = all.map((c) => judged(c, now));
  for (const order of [all, [...all].reverse(), all]) {
    for (const c of order) t.deepEqual(judged(c, now, cache), fresh[all.indexOf(c)], c.name);
  }
  t.true(cache.size > 0);
});

test("the chain's certificates are the cache's: a certificate two chains share is parsed once", async (t) => {
  const [valid] = await cases;
  const cache = new CertificateCache();
  const trust = trustOf(valid!, cache);
  const first = judgeChain(
    valid!.sent.map((s) => s.der),
    trust,
    new Date(),
    'good.test',
  );
  const second = judgeChain(
    valid!.sent.map((s) => Buffer.from(s.der)),
    trust,
    new Date(),
    'good.test',
  );
  t.is(second.sent[1], first.sent[1]);
  t.is(cache.parse(valid!.sent[1]!.der), first.sent[1]!);
  t.deepEqual(second.chain, first.chain);
});
