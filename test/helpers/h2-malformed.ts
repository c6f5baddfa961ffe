// The malformed-h2 run as ava tests: every case in test/helpers/h2-cases.ts on its own connection,
// first against node:http2 itself (so each case is known to provoke a real h2 stack), then through the
// built CLI proxy run as a child process: each answered, each an `error` event, RSS bounded, and an
// ordinary h2 request served after them all.
import test from 'ava';
import { startHarness } from '../../scripts/malformed-harness.js';
import { startH2Origin } from '../../scripts/bench/h2-origin.js';
import { h2Cases, playCase, type H2Outcome } from './h2-cases.js';
import { h2Get, type H2Target } from './h2-raw.js';
import { makeTestCa } from './pki.js';

export const H2_SEED = 20261206;
const DEADLINE_MS = 5000;
/** Growth of the proxy's RSS over the whole run that still counts as bounded: well under the 1 MiB × cases sent. */
const RSS_GROWTH_LIMIT_KIB = 48 * 1024;
/** Growth of the proxy's live heap (after a full GC) over a multi-round run: RSS alone also counts garbage not yet collected. */
const HEAP_GROWTH_LIMIT = 8 * 1024 * 1024;

const shown = (o: H2Outcome) =>
  `${o.name}: ${o.goaway !== null ? `GOAWAY(${o.goaway})` : o.resets ? `${o.resets} RST_STREAM` : o.closed ? 'closed' : 'nothing'} after ${o.ms} ms${o.events ? `; event ${o.events.join(', ') || 'none'}` : ''}`;

export const againstNodeHttp2 = test.macro({
  async exec(t) {
    const root = await makeTestCa('tlswitness h2 root');
    const leaf = await root.issue(['h2.test']);
    const origin = await startH2Origin({ key: leaf.keyPem, cert: leaf.pem, maxConcurrentStreams: 100 });
    try {
      const target: H2Target = { proxyPort: null, host: 'h2.test', port: origin.port, ca: [root.pem] };
      const outcomes: H2Outcome[] = [];
      for (const c of h2Cases(H2_SEED).filter((c) => !c.proxyOnly))
        outcomes.push(await playCase(target, c, DEADLINE_MS));
      t.deepEqual(outcomes.filter((o) => !o.ok).map(shown), [], `seed ${H2_SEED}`);
      t.is((await h2Get(target, '/after')).status, 200);
      t.log(outcomes.map(shown).join('\n'));
    } finally {
      await origin.close();
    }
  },
  title: () => 'every malformed-h2 case gets a GOAWAY, RST_STREAM or close from node:http2 itself',
});

export const throughProxy = test.macro({
  async exec(t, rounds: number) {
    t.timeout(30_000 + rounds * 30_000);
    // Several rounds: the proxy's inspector too, to read its heap after a full GC.
    const inspect = rounds > 1;
    const harness = await startHarness({ headerTimeoutMs: 1000, timeoutMs: 1500, h2Origin: true, inspect });
    try {
      const target: H2Target = {
        proxyPort: harness.target.proxyPort,
        host: harness.target.tlsHost,
        port: harness.h2Port!,
        ca: [harness.target.caPem],
      };
      const warm = await h2Get(target, '/warm');
      t.is(warm.status, 200, 'an ordinary h2 request before the run');
      const errors = () => [...harness.events.errorsByCode.values()].reduce((a, b) => a + b, 0);
      const heapBefore = inspect ? (await harness.memoryAfterGc()).after.heapUsed : 0;
      const before = harness.figures();
      let peakKiB = before.rssKiB;
      const outcomes: H2Outcome[] = [];
      const silent: string[] = [];
      const wrongEvent: string[] = [];
      const cases = Array.from({ length: rounds }, (_, round) => h2Cases(H2_SEED + round)).flat();
      for (const c of cases) {
        const seen = errors();
        const codesBefore = new Map(harness.events.errorsByCode);
        const outcome = await playCase(target, c, DEADLINE_MS, true);
        outcomes.push(outcome);
        if (!(await harness.waitFor(() => errors() > seen, DEADLINE_MS))) silent.push(c.name);
        outcome.events = [...harness.events.errorsByCode]
          .filter(([code, n]) => n > (codesBefore.get(code) ?? 0))
          .map(([code]) => code);
        const expected = c.event ?? 'HTTP2_PROTOCOL';
        if (outcome.events.length && outcome.events.join() !== expected)
          wrongEvent.push(`${c.name}: ${outcome.events.join(', ')} (expected ${expected} alone)`);
        peakKiB = Math.max(peakKiB, harness.figures().rssKiB);
      }
      const after = await h2Get(target, '/after');
      const fds = harness.figures().fds;
      const heapAfter = inspect ? (await harness.memoryAfterGc()).after.heapUsed : 0;

      t.is(harness.exited, null, `the proxy crashed: ${harness.stderr()}`);
      t.deepEqual(outcomes.filter((o) => !o.ok).map(shown), [], `seeds from ${H2_SEED}`);
      t.deepEqual(silent, [], 'each case is an error event');
      t.deepEqual(wrongEvent, [], 'each case is one error event naming its real cause');
      t.is(after.status, 200, 'the next ordinary h2 request is served');
      t.true(
        peakKiB - before.rssKiB <= RSS_GROWTH_LIMIT_KIB,
        `RSS ${before.rssKiB} KiB before, peak ${peakKiB} KiB (limit +${RSS_GROWTH_LIMIT_KIB} KiB)`,
      );
      if (inspect)
        t.true(
          heapAfter - heapBefore <= HEAP_GROWTH_LIMIT,
          `live heap ${heapBefore} -> ${heapAfter} bytes (limit +${HEAP_GROWTH_LIMIT})`,
        );
      if (rounds === 1) t.log(outcomes.map(shown).join('\n'));
      t.log(
        `${outcomes.length} cases; fds ${before.fds} -> ${fds}${inspect ? `; live heap ${heapBefore} -> ${heapAfter} bytes` : ''}; errors ${JSON.stringify(Object.fromEntries(harness.events.errorsByCode))}; RSS ${before.rssKiB} -> peak ${peakKiB} KiB`,
      );
    } finally {
      await harness.close();
    }
  },
  title: (_provided, rounds: number) =>
    `malformed h2 through the proxy${rounds > 1 ? ` (${rounds} rounds)` : ''}: each case answered with GOAWAY or RST_STREAM and one error event naming its cause, RSS bounded, the next request served`,
});
