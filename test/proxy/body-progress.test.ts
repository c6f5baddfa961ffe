// The request-body rules: a stall of one deadline, and the minimum average rate after it.
import test from 'ava';
import { judgeBody, MIN_BODY_RATE } from '../../src/proxy/body-progress.js';

const DEADLINE = 10_000;

test('a body with no new byte for the deadline has stalled', (t) => {
  t.deepEqual(judgeBody({ elapsedMs: 10_000, received: 0, idleMs: 10_000 }, DEADLINE), { cut: 'stalled' });
  t.deepEqual(judgeBody({ elapsedMs: 60_000, received: 1e6, idleMs: 10_001 }, DEADLINE), { cut: 'stalled' });
});

test('within its first deadline a body may be as slow as it likes', (t) => {
  t.deepEqual(judgeBody({ elapsedMs: 9_000, received: 1, idleMs: 0 }, DEADLINE), { checkAgainInMs: 1_002 });
});

test('after the first deadline it must average the minimum rate: a byte just inside each stall deadline is not enough', (t) => {
  t.is(MIN_BODY_RATE, 500);
  // One byte every 9 s for a minute.
  t.deepEqual(judgeBody({ elapsedMs: 63_000, received: 7, idleMs: 0 }, DEADLINE), { cut: 'too-slow' });
  // 500 bytes buy one more second.
  t.deepEqual(judgeBody({ elapsedMs: 10_999, received: 500, idleMs: 0 }, DEADLINE), { checkAgainInMs: 1 });
  t.deepEqual(judgeBody({ elapsedMs: 11_000, received: 500, idleMs: 0 }, DEADLINE), { cut: 'too-slow' });
});

test('a steady upload is checked again a deadline later, or when its allowance runs out if sooner', (t) => {
  // 10 KB/s for 30 s: allowed 10 s + 600 s.
  t.deepEqual(judgeBody({ elapsedMs: 30_000, received: 300_000, idleMs: 0 }, DEADLINE), { checkAgainInMs: DEADLINE });
  t.deepEqual(judgeBody({ elapsedMs: 30_000, received: 300_000, idleMs: 4_000 }, DEADLINE), { checkAgainInMs: 6_000 });
});
