// The recorder's cache: a record is reused for its TTL (30 s, a failure 2 s) and never after, whether
// asked for through record() or cached(); the clock is injected, nothing sleeps. A host whose traffic
// connection passes the blocking checks has its verdict at once and its record after a response.
import test from 'ava';
import { HostRecorder, type Observer } from '../../src/proxy/host-recorder.js';
import type { Sighting } from '../../src/tls/observe-target.js';
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

/** A recorder whose prejudge passes or not, counting what it observes (with the id prejudge reserved). */
function prejudgingRecorder(passes: boolean) {
  const observed: Array<string | undefined> = [];
  const published: string[] = [];
  const observer: Observer = {
    observe: (_target, _servername, _seen, id) => {
      observed.push(id);
      return Promise.resolve({ id: id ?? 'h-own', verification: { ok: passes } } as unknown as HandshakeRecord);
    },
    prejudge: () => (passes ? 'h-7' : null),
  };
  const recorder = new HostRecorder(observer, (record) => published.push(record.id));
  return { recorder, observed, published };
}

const SIGHTING = { time: new Date(0) } as Sighting;

test('a host that passes the blocking checks has its verdict at once; its record waits for a response to go out', async (t) => {
  const { recorder, observed, published } = prejudgingRecorder(true);
  const recording = recorder.refresh(TARGET, undefined, Promise.resolve(SIGHTING));
  const verdict = await recorder.verdict(TARGET);
  t.true('passed' in verdict);
  if (!('passed' in verdict)) return;
  t.is(verdict.passed, 'h-7');
  // Turns go by: the record is not made on the path of the first request.
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(observed, []);
  t.true(recorder.knows(TARGET), 'the recording is under way');
  recorder.spareTime();
  const record = await verdict.record;
  t.is(record, await recording);
  t.deepEqual(observed, ['h-7'], 'observed once, under the id reserved by the checks');
  t.deepEqual(published, ['h-7']);
  t.deepEqual(await recorder.verdict(TARGET), { record }, 'then the record itself');
});

test('a host that passes is recorded within a short while even when no response goes out', async (t) => {
  const { recorder, observed } = prejudgingRecorder(true);
  const record = await recorder.refresh(TARGET, undefined, Promise.resolve(SIGHTING));
  t.is(record.id, 'h-7');
  t.deepEqual(observed, ['h-7']);
});

test('a host that does not pass the blocking checks, or has no sighting, waits for its record', async (t) => {
  const { recorder, observed } = prejudgingRecorder(false);
  recorder.refresh(TARGET, undefined, Promise.resolve(SIGHTING)).catch(() => undefined);
  const verdict = await recorder.verdict(TARGET);
  t.false('passed' in verdict);
  t.deepEqual(observed, [undefined], 'observed at once, no id reserved');
  const other = { host: 'other.example.com', port: 443 };
  const passing = prejudgingRecorder(true);
  passing.recorder.refresh(other, undefined, Promise.resolve(null)).catch(() => undefined);
  t.false('passed' in (await passing.recorder.verdict(other)), 'no sighting: the probe records it');
});

test('closing flushes the deferred records: each is made and published at once', async (t) => {
  const { recorder, observed, published } = prejudgingRecorder(true);
  recorder.refresh(TARGET, undefined, Promise.resolve(SIGHTING)).catch(() => undefined);
  await recorder.verdict(TARGET);
  t.deepEqual(observed, []);
  await recorder.flush();
  t.deepEqual(observed, ['h-7']);
  t.deepEqual(published, ['h-7']);
});

test('closing waits for a deferred record already being made, not only for those still waiting', async (t) => {
  const published: string[] = [];
  let finish: (record: HandshakeRecord) => void = () => undefined;
  const observer: Observer = {
    // The record takes a while to make (the first host that needs the public suffix list loads it).
    observe: (_target, _servername, _seen, id) => {
      const record = { id, verification: { ok: true } } as unknown as HandshakeRecord;
      return new Promise<HandshakeRecord>((resolve) => (finish = () => resolve(record)));
    },
    prejudge: () => 'h-7',
  };
  const recorder = new HostRecorder(observer, (record) => published.push(record.id));
  recorder.refresh(TARGET, undefined, Promise.resolve(SIGHTING)).catch(() => undefined);
  await recorder.verdict(TARGET);
  // A response went out: the record is started on the next turn.
  recorder.spareTime();
  await new Promise((resolve) => setImmediate(resolve));
  let flushed = false;
  const flushing = recorder.flush().then(() => (flushed = true));
  await new Promise((resolve) => setImmediate(resolve));
  t.false(flushed, 'the proxy does not close its output while a record is being made');
  finish({} as HandshakeRecord);
  await flushing;
  t.deepEqual(published, ['h-7'], 'published before the output closes');
});

test('a host judged at once is judged after the deferred records of hosts seen before it, as their handshakes came', async (t) => {
  // One run's memory (an issuer re-signing unrelated hosts) is built in the order records are judged.
  const judged: string[] = [];
  const observer: Observer = {
    observe: (target, _servername, _seen, id) => {
      judged.push(target.host);
      return Promise.resolve({ id: id ?? 'h-2', verification: { ok: true } } as unknown as HandshakeRecord);
    },
    prejudge: (target) => (target.host === 'first.example.com' ? 'h-1' : null),
  };
  const recorder = new HostRecorder(observer, () => undefined);
  const first = { host: 'first.example.com', port: 443 };
  const second = { host: 'second.example.com', port: 443 };
  recorder.refresh(first, undefined, Promise.resolve(SIGHTING)).catch(() => undefined);
  t.true('passed' in (await recorder.verdict(first)));
  await recorder.refresh(second, undefined, Promise.resolve(SIGHTING));
  t.deepEqual(judged, ['first.example.com', 'second.example.com']);
});
