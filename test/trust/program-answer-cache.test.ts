// Answers of installed programs kept between runs: keyed by the program file, a shim's also by the
// directory, and refused when the key differs.
import test from 'ava';
import { chmodSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { programIdentity, readAnswer, writeAnswer } from '../../src/trust/program-answer-cache.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'tlswitness-answers-'));
}

test('a program is known by its resolved path, size and mtime; a script (a shim) also by the directory', async (t) => {
  const dir = scratch();
  const real = join(dir, 'real');
  writeFileSync(real, '\x7fELF not really');
  chmodSync(real, 0o755);
  const bin = join(dir, 'bin');
  symlinkSync(dir, bin);
  symlinkSync(real, join(dir, 'tool'));
  const first = await programIdentity('tool', { PATH: `${join(dir, 'missing')}:${bin}` }, '/somewhere');
  t.truthy(first);
  t.true(first!.startsWith(`${real} `), 'the link resolved to the real file');
  t.false(first!.includes('/somewhere'), 'a binary answers the same in every directory');
  utimesSync(real, new Date(), new Date(Date.now() + 5000));
  t.not(await programIdentity('tool', { PATH: bin }, '/somewhere'), first, 'a changed file is another program');
  t.is(await programIdentity('nothing', { PATH: bin }), null);

  const shim = join(dir, 'shim');
  writeFileSync(shim, '#!/bin/sh\nexec real "$@"\n');
  chmodSync(shim, 0o755);
  const a = await programIdentity('shim', { PATH: dir }, '/project-a');
  const b = await programIdentity('shim', { PATH: dir }, '/project-b');
  t.not(a, b, 'a shim may run another program in another directory');

  writeFileSync(join(dir, 'plain'), 'data');
  t.is(await programIdentity('plain', { PATH: dir }), null, 'not executable');
});

test('an answer is read back only under the same key', async (t) => {
  const dir = scratch();
  writeAnswer('kind', 'key one', { value: 1 }, dir);
  t.deepEqual(await readAnswer('kind', 'key one', dir), { value: 1 });
  t.is(await readAnswer('kind', 'key two', dir), null);
  t.is(await readAnswer('other', 'key one', dir), null);
  t.is(await readAnswer('kind', 'key one', join(dir, 'missing')), null);
  // A cache dir that cannot be made (under a file) is no error.
  writeFileSync(join(dir, 'a-file'), '');
  t.notThrows(() => writeAnswer('kind', 'key', 1, join(dir, 'a-file', 'cache')));
});

test('an answer is read only from a directory of this user alone, as the code cache is', async (t) => {
  const dir = join(scratch(), 'cache');
  writeAnswer('certifi', 'key', { path: '/a/cacert.pem' }, dir);
  t.deepEqual(await readAnswer('certifi', 'key', dir), { path: '/a/cacert.pem' });
  // Someone else could have written it: certifi's location names the bundle read as a trust store.
  chmodSync(dir, 0o777);
  t.is(await readAnswer('certifi', 'key', dir), null);
});
