import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateDir } from '../src/private-dir.js';

const tempDir = () => realpathSync(mkdtempSync(join(tmpdir(), 'tlswitness-private-dir-')));

test('a 0700 directory of this user under a sticky /tmp is private: its real path', (t) => {
  const dir = tempDir();
  const link = join(tempDir(), 'link');
  symlinkSync(dir, link);
  t.is(privateDir(dir), dir);
  t.is(privateDir(link), dir);
});

test('not private: writable by others, under a directory writable by others, a file, or missing', (t) => {
  const shared = join(tempDir(), 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  t.is(privateDir(shared), null);
  const inside = join(shared, 'mine');
  mkdirSync(inside, { mode: 0o700 });
  // Another user could rename `mine` away and put a directory or link of theirs in its place.
  t.is(privateDir(inside), null);
  const groupWritable = join(tempDir(), 'group');
  mkdirSync(groupWritable);
  chmodSync(groupWritable, 0o770);
  t.is(privateDir(groupWritable), null);
  const file = join(tempDir(), 'file');
  writeFileSync(file, '');
  t.is(privateDir(file), null);
  t.is(privateDir(join(tempDir(), 'missing')), null);
});

test('what is above a private directory is checked once for a batch of reads; the directory itself at every read', (t) => {
  const above = join(tempDir(), 'above');
  const dir = join(above, 'cache');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  t.is(privateDir(dir), dir);
  // Only its owner can do this; it is seen once the batch is over (5 s), not at the next read.
  chmodSync(above, 0o777);
  t.is(privateDir(dir), dir);
  chmodSync(dir, 0o777);
  t.is(privateDir(dir), null);
  // Not private is not remembered: once the directory is private again, it is found so.
  chmodSync(above, 0o700);
  chmodSync(dir, 0o700);
  t.is(privateDir(dir), dir);
  const later = join(tempDir(), 'later');
  t.is(privateDir(later), null);
  mkdirSync(later, { mode: 0o700 });
  t.is(privateDir(later), later);
});
