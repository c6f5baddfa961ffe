// The malformed-traffic check as an ava macro: `count` generated bad inputs against the built CLI proxy
// run as a child process (a crash shows as an exit) while a well-behaved client keeps using it. npm test
// runs a small count; `npm run test:stress` the 2,000.
import test from 'ava';
import { startHarness } from '../../scripts/malformed-harness.js';
import { goodHttpRequest, goodHttpsRequest, runCases, startGoodClient } from '../../scripts/malformed-runner.js';
import { generateCases, type MalformedCase } from '../../scripts/malformed-traffic.js';

export const MALFORMED_SEED = 20261123;
const HEADER_TIMEOUT_MS = 1000;
const TIMEOUT_MS = 1500;
// Long enough for the origins to drop idle kept-alive upstream connections (keepAliveTimeout 500 ms).
const settle = () => new Promise((resolve) => setTimeout(resolve, 1200));

export const malformedRun = test.macro({
  async exec(t, count: number, minClientRequests: number) {
    t.timeout(90_000);
    const harness = await startHarness({ headerTimeoutMs: HEADER_TIMEOUT_MS, timeoutMs: TIMEOUT_MS });
    try {
      const { target } = harness;
      await Promise.all([goodHttpsRequest(target, '/warm'), goodHttpRequest(target, '/warm')]);
      await settle();
      const before = harness.figures();
      const good = startGoodClient(target);
      const cases = generateCases(MALFORMED_SEED, count, target);
      const deadline = (c: MalformedCase) => (c.slow ? TIMEOUT_MS + 3000 : 4000);
      const outcomes = await runCases(target, cases, 24, deadline);
      const client = await good.stop();
      await settle();
      const after = harness.figures();

      t.is(harness.exited, null, `the proxy crashed: ${harness.stderr()}`);
      t.deepEqual(
        outcomes.filter((o) => !o.ok).map((o) => `#${o.id} ${o.stage} / ${o.name}: ${o.answer} after ${o.ms} ms`),
        [],
        `seed ${MALFORMED_SEED}`,
      );
      t.deepEqual(client.failures, [], 'the well-behaved client never failed');
      t.true(client.ok >= minClientRequests, `the well-behaved client made ${client.ok} requests`);
      // Every kind of bad input is an error event (one line, what and from whom).
      const errors = harness.events.errorsByCode;
      for (const code of [
        'BAD_REQUEST',
        'BAD_CONNECT',
        'HEADERS_TOO_LARGE',
        'HEADER_TIMEOUT',
        'CLIENT_TLS_MALFORMED',
        'CLIENT_TLS_TIMEOUT',
        'CLIENT_TLS_ABORTED',
        'CLIENT_ABORTED',
      ]) {
        t.true((errors.get(code) ?? 0) > 0, `an error event ${code}`);
      }
      t.is(after.fds, before.fds, 'no socket left open once the traffic settled');
      t.log(
        `${outcomes.length} cases; answers ${[...new Set(outcomes.map((o) => String(o.answer)))].join(' ')}; client ${client.ok} ok; fds ${before.fds} -> ${after.fds}; RSS ${before.rssKiB} -> ${after.rssKiB} KiB`,
      );
    } finally {
      await harness.close();
    }
  },
  title: (_provided, count: number) =>
    `${count.toLocaleString('en-US')} malformed inputs: each gets its right answer in time, the proxy never crashes, a client beside them is unaffected`,
});
