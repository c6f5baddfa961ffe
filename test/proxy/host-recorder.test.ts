// The recorder's cache: a record is reused for its TTL (30 s, a failure 2 s) and never after, whether
// asked for through record() or cached(); the clock is injected, nothing sleeps.
import test from 'ava';
import { HostRecorder } from '../../src/proxy/host-recorder.js';
import type { HandshakeRecord } from '../../src/types.js';

const TARGET = { host: 'valid.example.com', port: 443 };

function recorderWithClock() {
  const clock = { now: 0 };
  const probes: number[] = [];
  const recorder = new HostRecorder(
    () => {
      probes.push(clock.now);
      const failed = probes.length === 3;
      return Promise.resolve({
        id: `h-${probes.length}`,
        verification: { ok: !failed },
        failure: failed ? { step: 'tls' } : null,
      } as unknown as HandshakeRecord);
    },
    () => undefined,
    30_000,
    () => clock.now,
  );
  return { recorder, clock, probes };
}

test('an ok record is reused within 30 s and not after: cached() forgets it, record() probes again', async (t) => {
  const { recorder, clock, probes } = recorderWithClock();
  const first = await recorder.record(TARGET);
  clock.now = 29_999;
  t.is(recorder.cached(TARGET), first);
  t.is(await recorder.record(TARGET), first);
  clock.now = 30_000;
  t.is(recorder.cached(TARGET), undefined, 'a leaf recorded ok 30 s ago is no longer vouched for');
  const second = await recorder.record(TARGET);
  t.is(second.id, 'h-2');
  t.deepEqual(probes, [0, 30_000]);
  t.is(recorder.cached(TARGET), second);
});

test('a failed recording is kept 2 s', async (t) => {
  const { recorder, clock } = recorderWithClock();
  await recorder.record(TARGET);
  clock.now = 30_000;
  await recorder.record(TARGET);
  clock.now = 60_000;
  const failed = await recorder.record(TARGET);
  t.truthy(failed.failure);
  clock.now = 61_999;
  t.is(recorder.cached(TARGET), failed);
  clock.now = 62_000;
  t.is(recorder.cached(TARGET), undefined);
});
