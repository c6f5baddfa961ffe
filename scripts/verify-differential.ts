// Differential run of tlswitness's verifier against `openssl verify` and a real Node TLS client, for larger
// corpora than the test: `node --import=tsx scripts/verify-differential.ts [--mutations N] [--seed S]
// [--filter REGEX] [--all] [--status FILE]`; --seed takes a comma-separated list (N mutations each). Prints each disagreement in detail and a categorised summary.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ALLOW_LIST } from './verify-corpus/allow-list.js';
import { describeCase, disagreementReport } from './verify-corpus/report.js';
import { runDifferential } from './verify-corpus/run.js';

const { values } = parseArgs({
  options: {
    mutations: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    filter: { type: 'string' },
    all: { type: 'boolean', default: false },
    status: { type: 'string' },
  },
});

const started = performance.now();
const seeds = values.seed.split(',').map(Number);
const run = await runDifferential({
  mutations: Number(values.mutations),
  seeds,
  ...(values.filter ? { filter: new RegExp(values.filter) } : {}),
});
const elapsed = Math.round(performance.now() - started);

for (const c of run.cases) {
  if (values.all || c.differences.some((d) => d.allowedBy === null)) console.log(describeCase(c, run.now));
}
const report = disagreementReport(run, { seeds, mutations: Number(values.mutations), elapsedMs: elapsed });
console.log(report);
console.log(`allow-list:\n${ALLOW_LIST.map((r) => `  ${r.id}: ${r.reason}`).join('\n')}`);
if (values.status) writeFileSync(values.status, report);
process.exitCode = run.summary.failures > 0 ? 1 : 0;
