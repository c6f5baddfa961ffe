// The redraw throttle: a burst of requests is one draw, a draw waits out the interval since the last,
// now() draws at once, and nothing draws after stop().
import test from 'ava';
import { frameThrottle } from '../../src/tui/frame-throttle.js';

/**
 * A throttle over a hand-set clock; `drawn()` resolves on the next draw. The throttle's timer is
 * unref'd (it must not keep the proxy alive), so the wait holds a ref'd one that fails after a second.
 */
function setup(intervalMs: number) {
  let clock = 1_000;
  const draws: number[] = [];
  let onDraw: () => void = () => undefined;
  const throttle = frameThrottle(
    () => {
      draws.push(clock);
      onDraw();
    },
    intervalMs,
    () => clock,
  );
  const drawn = () =>
    new Promise<void>((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error('no draw within 1 s')), 1_000);
      onDraw = () => {
        clearTimeout(bound);
        resolve();
      };
    });
  return { throttle, draws, drawn, setClock: (ms: number) => (clock = ms) };
}

test('a burst of schedule() calls is one draw', async (t) => {
  const { throttle, draws, drawn } = setup(5);
  const next = drawn();
  for (let i = 0; i < 100; i++) throttle.schedule();
  await next;
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(draws.length, 1);
  throttle.stop();
});

test('now() draws at once and cancels the scheduled draw; stop() prevents every later draw', async (t) => {
  const { throttle, draws, drawn, setClock } = setup(20);
  setClock(5_000);
  throttle.now();
  t.deepEqual(draws, [5_000], 'drawn synchronously');
  throttle.schedule();
  throttle.now();
  t.is(draws.length, 2);
  // A scheduled draw that now() cancelled does not come later: the next draw is the one asked for next.
  const next = drawn();
  setClock(5_010);
  throttle.schedule();
  await next;
  t.deepEqual(draws, [5_000, 5_000, 5_010]);
  throttle.schedule();
  throttle.stop();
  throttle.now();
  await new Promise((resolve) => setTimeout(resolve, 40));
  t.is(draws.length, 3, 'nothing after stop()');
});
