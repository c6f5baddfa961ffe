// Young-generation collections paced by relayed bytes: one per YOUNG_GC_EVERY_BYTES, the lookup made once
// and only when the first is due, and a real young-generation collection with no global `gc` left behind.
import test from 'ava';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { lookUpMinorGc, YOUNG_GC_EVERY_BYTES, YoungCollector } from '../../src/proxy/young-collector.js';

test('one collection per everyBytes relayed, looked up once when the first is due', (t) => {
  let lookUps = 0;
  let collections = 0;
  const collector = new YoungCollector(() => {
    lookUps++;
    return () => collections++;
  }, 1000);
  for (let i = 0; i < 9; i++) collector.relayed(100);
  t.is(lookUps, 0, 'nothing looked up before a collection is due');
  collector.relayed(100);
  t.is(collections, 1);
  for (let i = 0; i < 35; i++) collector.relayed(100);
  t.is(collections, 4);
  t.is(lookUps, 1);
});

test('a runtime without the collection: relaying goes on, the lookup is not repeated', (t) => {
  let lookUps = 0;
  const collector = new YoungCollector(() => (lookUps++, null), 10);
  for (let i = 0; i < 100; i++) collector.relayed(16);
  t.is(lookUps, 1);
});

test('the default pace is a few MiB, below the ~16 MB between the full collections it prevents', (t) => {
  t.true(YOUNG_GC_EVERY_BYTES >= 1024 * 1024 && YOUNG_GC_EVERY_BYTES <= 8 * 1024 * 1024);
});

test('lookUpMinorGc runs a young-generation collection (not a full one) and exposes no gc to other contexts', async (t) => {
  const collect = lookUpMinorGc();
  t.truthy(collect, 'Node offers a young-generation collection');
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) =>
    kinds.push(
      ...list
        .getEntries()
        .map((entry: PerformanceEntry) => (entry as unknown as { detail: { kind: number } }).detail.kind),
    ),
  );
  observer.observe({ entryTypes: ['gc'] });
  collect!();
  // Entries are delivered asynchronously; wait (bounded) for the one this collection made.
  for (let i = 0; i < 100 && kinds.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  observer.disconnect();
  t.true(kinds.includes(constants.NODE_PERFORMANCE_GC_MINOR), `gc kinds seen: ${kinds.join(',')}`);
  t.false(kinds.includes(constants.NODE_PERFORMANCE_GC_MAJOR));
  t.is(runInNewContext('typeof gc'), 'undefined');
});
