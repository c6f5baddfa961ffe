// Which files of a kind go once a new one is written: all but the newest few, never the new one, never a file of
// another kind.
import test from 'ava';
import { KEEP_NEWEST, staleCacheFiles, type CacheEntry } from '../src/cache-retention.js';

const STORE = /^store-[0-9a-f]{32}\.bin$/;
const hash = (i: number) => i.toString(16).padStart(32, '0');
/** `count` stores, store 0 the newest, one minute apart, listed in no particular order. */
const stores = (count: number): CacheEntry[] =>
  Array.from({ length: count }, (_, i) => ({ name: `store-${hash(i)}.bin`, mtimeMs: 1e12 - i * 60_000 })).reverse();

test('all but the newest few of the kind go, oldest first, whatever order the directory lists them in', (t) => {
  t.is(KEEP_NEWEST, 16);
  const entries = stores(10);
  const stale = staleCacheFiles(entries, STORE, null, 4);
  t.deepEqual(
    stale.sort(),
    [4, 5, 6, 7, 8, 9].map((i) => `store-${hash(i)}.bin`),
  );
  t.deepEqual(staleCacheFiles([...entries].reverse(), STORE, null, 4).sort(), stale);
  t.deepEqual(staleCacheFiles(stores(4), STORE, null, 4), [], 'no more than the few');
  t.deepEqual(staleCacheFiles([], STORE, null, 4), []);
  t.deepEqual(staleCacheFiles(entries, STORE, null, 9), [`store-${hash(9)}.bin`]);
});

test('the file just written stays and is not one of the few, even when its time is the oldest (a clock set back)', (t) => {
  const entries = stores(10);
  const written = `store-${hash(9)}.bin`;
  const stale = staleCacheFiles(entries, STORE, written, 4);
  t.false(stale.includes(written));
  t.deepEqual(
    stale.sort(),
    [4, 5, 6, 7, 8].map((i) => `store-${hash(i)}.bin`),
  );
  // The newest written: the four next newest stay beside it.
  t.deepEqual(
    staleCacheFiles(entries, STORE, `store-${hash(0)}.bin`, 4).sort(),
    [5, 6, 7, 8, 9].map((i) => `store-${hash(i)}.bin`),
  );
});

test('files of other kinds and other names are never taken, however old', (t) => {
  const others: CacheEntry[] = [
    'notes.txt',
    'subjects-00000000000000000000000000000001.json',
    `store-${hash(1)}.bin.4242.tmp`,
    'store-backup.bin',
    `xstore-${hash(1)}.bin`,
    `store-${hash(1).toUpperCase().replace(/0/g, 'A')}.bin`,
  ].map((name) => ({ name, mtimeMs: 0 }));
  const stale = staleCacheFiles([...stores(6), ...others], STORE, null, 4);
  t.deepEqual(stale.sort(), [`store-${hash(4)}.bin`, `store-${hash(5)}.bin`]);
});

test('files written in the same millisecond are taken in a stable order', (t) => {
  const same = Array.from({ length: 6 }, (_, i) => ({ name: `store-${hash(i)}.bin`, mtimeMs: 5 }));
  const stale = staleCacheFiles(same, STORE, null, 4);
  t.is(stale.length, 2);
  t.deepEqual(staleCacheFiles([...same].reverse(), STORE, null, 4), stale);
});
