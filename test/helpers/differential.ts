// The differential check of verifyChain as an ava macro: every chain of a corpus generated here (named
// chains across the categories OpenSSL checks, plus `mutations` seeded random mutations of valid chains)
// must get openssl verify's ok and a real Node 20 handshake's error code, and must never throw.
// Differences are failures unless an allow-list rule (scripts/verify-corpus/allow-list.ts) names them;
// run `node --import=tsx scripts/verify-differential.ts` to see each one in detail.
import test from 'ava';
import { ALLOW_LIST } from '../../scripts/verify-corpus/allow-list.js';
import { describeCase } from '../../scripts/verify-corpus/report.js';
import { runDifferential } from '../../scripts/verify-corpus/run.js';

// Fixed so a failure reproduces: `scripts/verify-differential.ts --seed 1 --mutations N`.
const SEED = 1;

export const differentialRun = test.macro({
  async exec(t, mutations: number) {
    t.timeout(120_000);
    const started = performance.now();
    const run = await runDifferential({ mutations: mutations, seeds: [SEED] });
    const s = run.summary;
    t.log(
      `chains ${s.total} (openssl cannot load ${s.total - s.loaded}): ok agrees with openssl ${s.okAgree}/${s.loaded}; code agrees with Node ${s.codeAgree}/${s.codeCompared}; not servable ${s.notServable}; no handshake ${s.noHandshake}; threw ${s.thrown}`,
    );
    t.log(
      `allowed: ${ALLOW_LIST.map((r) => `${r.id} ${s.allowed[r.id] ?? 0}`).join(', ')}; depth agrees with openssl where codes agree ${s.depthAgree}/${s.depthCompared}; ${Math.round(performance.now() - started)} ms (${JSON.stringify(run.timings)})`,
    );
    const failing = run.cases.filter((c) => c.differences.some((d) => d.allowedBy === null));
    for (const c of failing.slice(0, 10)) t.log(describeCase(c, run.now));
    t.true(s.total >= 150 + mutations, 'the corpus is as large as promised');
    // The oracles really answered (a broken harness must not pass by comparing nothing).
    t.true(
      s.loaded >= s.total * 0.95 && s.codeCompared >= s.total * 0.9,
      'openssl verified and Node completed handshakes for almost every chain',
    );
    const byName = new Map(run.cases.map((c) => [c.chain.spec.name, c]));
    const valid = byName.get('ok-one-int')!;
    t.true(
      valid.openssl.ok && valid.node.authorized && valid.node.code === null,
      'a valid chain verifies in both oracles',
    );
    const missing = byName.get('build-missing-int')!;
    t.deepEqual(
      [missing.openssl.errors.at(-1)?.code, missing.node.code],
      [20, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      'a leaf without its intermediate fails in both, as measured',
    );
    t.is(
      s.failures,
      0,
      `${failing.length} chains differ: ${failing
        .map((c) => c.chain.spec.name)
        .slice(0, 40)
        .join(', ')}`,
    );
  },
  title: (_provided, mutations: number) =>
    `verifyChain agrees with openssl verify (ok) and a Node TLS client (code) on every chain (named chains and ${mutations} mutations)`,
});
