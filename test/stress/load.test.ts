// The load check of scripts/load.ts, small: 100 keep-alive clients through the built CLI proxy
// (MITM) for 5 s. The full run (1,000 clients × 60 s) is `node --import=tsx scripts/load.ts`.
import test from 'ava';
import { runLoad } from '../../scripts/load.js';

test('100 concurrent clients for 5 s through the MITM: 0 errors, fds within bounds and back to the baseline after', async (t) => {
  t.timeout(45_000);
  const result = await runLoad({
    clients: 100,
    seconds: 5,
    warmup: 2,
    rampConcurrency: 50,
    log: (line) => t.log(line),
  });
  t.log(
    `requests ${result.requests}, rss ${result.baseline.rssMb} -> ${result.end.rssMb} MB, fds ${result.baseline.fds} -> max ${result.maxFds} -> ${result.afterClose.fds}`,
  );
  t.is(result.errors, 0, result.firstError ?? '');
  t.is(result.proxyErrorEvents, 0);
  t.true(result.requests > 100, 'every client made requests');
  // 100 app sockets were open at the proxy while the clients ran; they must all be gone after.
  t.true(result.maxFds >= result.baseline.fds + 100, `fds while running: ${result.maxFds}`);
  t.true(
    result.afterClose.fds <= result.baseline.fds,
    `fds after close: ${result.afterClose.fds}, baseline ${result.baseline.fds}`,
  );
  t.deepEqual(result.failures, []);
});
