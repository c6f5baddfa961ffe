// The long malformed-traffic run: N generated cases (default 100,000) against the built CLI proxy,
// with a well-behaved client beside them. Prints inputs tried, wrong answers by case, crashes,
// error events by code, and the proxy's RSS and open fds before and after.
// The run passes with no crash, no wrong answer, no failure of the good client, and the proxy's RSS
// after settling within 30 MiB of its level after the first 5,000 cases (a leak grows past that).
//   npm run build && node --import=tsx scripts/malformed-long-run.ts [--cases N] [--seed S] [--concurrency C] [--heap-limit MiB] [--heap-snapshots]
import { readdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startHarness, type ProcessFigures } from './malformed-harness.js';
import { runCases, startGoodClient, type Outcome } from './malformed-runner.js';
import { caseStream, generateCases, type MalformedCase } from './malformed-traffic.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    concurrency: { type: 'string', default: '48' },
    'header-timeout': { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '1500' },
    /** Caps the proxy's V8 heap (MiB): a leak then ends the run as a crash instead of a slow RSS climb. */
    'heap-limit': { type: 'string' },
    /** Only these stages (comma-separated), to find which kind of input costs memory. */
    stages: { type: 'string' },
    /** Seconds the proxy is left idle at the end before its RSS is read (V8 shrinks an idle heap after a few seconds). */
    settle: { type: 'string', default: '15' },
    /** Cases between two reports of the proxy's RSS; the growth verdict is measured from the first. */
    chunk: { type: 'string', default: '5000' },
    /** After each chunk, the proxy's memory after a full GC too (through its inspector): what is garbage, what is held. */
    'gc-report': { type: 'boolean', default: false },
    /** The proxy writes a heap snapshot (into this directory) after the first chunk and after settling, to compare. */
    'heap-snapshots': { type: 'boolean', default: false },
  },
});
const total = Number(values.cases);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const headerTimeoutMs = Number(values['header-timeout']);
const timeoutMs = Number(values.timeout);

const stages = values.stages?.split(',');
/** The next `n` cases of the seed (of the chosen stages), made only when they are due. */
const takeCases = (stream: Iterator<MalformedCase>, n: number) => {
  const cases: MalformedCase[] = [];
  while (cases.length < n) {
    const c = stream.next().value as MalformedCase;
    if (!stages || stages.includes(c.stage)) cases.push(c);
  }
  return cases;
};
/** What the proxy may keep after settling beyond its level after the first chunk: caches fill, a leak grows. */
const RSS_GROWTH_LIMIT_MIB = 30;
const settle = () => new Promise((resolve) => setTimeout(resolve, Math.max(headerTimeoutMs, timeoutMs) + 1500));
const show = (f: ProcessFigures) => `RSS ${(f.rssKiB / 1024).toFixed(1)} MiB, ${f.fds} fds`;

const snapshots = values['heap-snapshots'];
const nodeArgs = [
  ...(values['heap-limit'] ? [`--max-old-space-size=${values['heap-limit']}`] : []),
  ...(snapshots ? ['--heapsnapshot-signal=SIGUSR2'] : []),
];
const harness = await startHarness({ headerTimeoutMs, timeoutMs, nodeArgs, inspect: values['gc-report'] });
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)}`;
const gcReport = async () => {
  if (!values['gc-report'] || harness.exited) return '';
  const { before, after } = await harness.memoryAfterGc();
  const show = (m: NodeJS.MemoryUsage) =>
    `RSS ${MiB(m.rss)}, heap ${MiB(m.heapUsed)}/${MiB(m.heapTotal)}, external ${MiB(m.external)} (array buffers ${MiB(m.arrayBuffers)})`;
  return `\n    before a full GC: ${show(before)}; after: ${show(after)} MiB`;
};
/** Asks the proxy for a heap snapshot (Heap.*.heapsnapshot in this directory) and waits until it is written. */
const snapshot = async (label: string) => {
  if (!snapshots || harness.exited) return;
  const before = new Set(readdirSync('.').filter((f) => f.endsWith('.heapsnapshot')));
  process.kill(harness.pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const file = readdirSync('.').find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // Written once its size stops changing.
    if (
      file &&
      statSync(file).size > 0 &&
      statSync(file).size === (await new Promise((r) => setTimeout(() => r(statSync(file).size), 1000)))
    ) {
      console.log(`  heap snapshot ${label}: ${file}`);
      return;
    }
  }
};
const { target } = harness;
const deadline = (c: MalformedCase) => (c.slow ? Math.max(headerTimeoutMs, timeoutMs) + 4000 : 5000);
try {
  // Warm up (first recording of the fixture host, first minted leaf) before the baseline.
  await runCases(target, generateCases(seed + 1, 200, target), concurrency, deadline);
  await settle();
  const before = harness.figures();
  console.log(
    `proxy pid ${harness.pid}; seed ${seed}; ${total} cases, concurrency ${concurrency}; before: ${show(before)}`,
  );
  const good = startGoodClient(target);
  const started = performance.now();
  const wrong: Outcome[] = [];
  const byAnswer = new Map<string, number>();
  let done = 0;
  let peak = before;
  let first = before;
  const chunk = Number(values.chunk);
  const stream = caseStream(seed, target);
  for (let from = 0; from < total && !harness.exited; from += chunk) {
    const cases = takeCases(stream, Math.min(total, from + chunk) - from);
    await runCases(target, cases, concurrency, deadline, (o) => {
      done++;
      byAnswer.set(String(o.answer), (byAnswer.get(String(o.answer)) ?? 0) + 1);
      if (!o.ok) wrong.push(o);
    });
    const now = harness.figures();
    if (now.rssKiB > peak.rssKiB) peak = now;
    console.log(
      `  ${done} cases, ${((performance.now() - started) / 1000).toFixed(0)} s, ${wrong.length} wrong; ${show(now)}${await gcReport()}`,
    );
    if (from === 0) {
      first = now;
      await snapshot('after the first chunk');
    }
  }
  const client = await good.stop();
  // Idle: the deadlines end what is left, then V8's memory reducer may give back an idle heap.
  await settle();
  for (let waited = 0; waited < Number(values.settle) * 1000; waited += 5000) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    if (!harness.exited) console.log(`  idle ${(waited + 5000) / 1000} s: ${show(harness.figures())}`);
  }
  const after = harness.exited ? null : harness.figures();
  await snapshot('after settling');
  const growthMiB = after ? (after.rssKiB - first.rssKiB) / 1024 : Infinity;
  console.log('');
  console.log(`inputs tried:        ${done} (seed ${seed}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`proxy crashes:       ${harness.exited ? `1 (exit ${JSON.stringify(harness.exited)})` : 0}`);
  console.log(`wrong answers:       ${wrong.length}`);
  for (const o of wrong.slice(0, 20)) console.log(`  #${o.id} ${o.stage} / ${o.name}: ${o.answer} (${o.ms} ms)`);
  console.log(
    `answers:             ${[...byAnswer]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `good client:         ${client.ok} ok, ${client.failures.length} failed${client.failures.length ? `: ${client.failures.slice(0, 5).join(' | ')}` : ''}`,
  );
  console.log(`events by type:      ${[...harness.events.byType].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `error events:        ${[...harness.events.errorsByCode]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`proxy before:        ${show(before)}`);
  console.log(`proxy peak:          ${show(peak)}`);
  console.log(`proxy after settle:  ${after ? show(after) : 'exited'}${await gcReport()}`);
  console.log(
    `RSS since ${chunk} cases: ${growthMiB >= 0 ? '+' : ''}${growthMiB.toFixed(1)} MiB (at most +${RSS_GROWTH_LIMIT_MIB})`,
  );
  process.exitCode =
    harness.exited || wrong.length || client.failures.length || growthMiB > RSS_GROWTH_LIMIT_MIB ? 1 : 0;
} finally {
  await harness.close();
}
