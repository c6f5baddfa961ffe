// The built inspect's code cache: made after the first run, used by the next without being rewritten, and never a
// reason for a different output or exit code, whatever state the cache file or its directory is in.
import test from 'ava';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { KEEP_NEWEST } from '../../src/cache-retention.js';
import { runCachedScript } from '../../src/cli/cached-script.js';
import { codeCacheKey, encodeCodeCache } from '../../src/cli/code-cache-file.js';
import { cleanEnv, closedPort, makeFixtures, runCli, withScenarioServer, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const CACHE_FILE = 'code-inspect-fast.cjs.bin';

/** Runs inspect against a fixture server with the cache in `dir`: its exit code and output, timings blanked. */
function inspectWith(dir: string): (port?: number) => Promise<string> {
  return async (port) => {
    const run = async (target: number) => {
      const host = fixtures.pki.scenarios.valid!.host ?? '127.0.0.1';
      const args = ['inspect', `${host}:${target}`, '--resolve', `${host}:${target}:127.0.0.1`, '--timeout', '5000'];
      const roots = ['--public-roots', fixtures.pki.files['public-roots.pem']!];
      const result = await runCli([...args, ...roots], cleanEnv({ TLSWITNESS_CACHE_DIR: dir }));
      const output = `${result.code}\n${result.stdout}${result.stderr}`.replaceAll(`:${target}`, ':PORT');
      return output.replace(/\d+(\.\d+)? ms/g, 'N ms');
    };
    return port === undefined
      ? withScenarioServer(fixtures.pki.scenarios.valid!, (server) => run(server.port))
      : run(port);
  };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'tlswitness-code-cache-'));
/** The cache file's inode: a rewrite (a new file renamed over it) changes it. */
const inode = (dir: string) => statSync(join(dir, CACHE_FILE)).ino;

test('the first inspect saves its code cache (0600, in a 0700 directory); the next uses it, same output', async (t) => {
  const dir = join(tempDir(), 'cache');
  const inspect = inspectWith(dir);
  const first = await inspect();
  t.regex(first, /^0\n/);
  t.is(statSync(join(dir, CACHE_FILE)).mode & 0o777, 0o600);
  t.is(statSync(dir).mode & 0o777, 0o700);
  const made = inode(dir);
  t.is(await inspect(), first);
  // Not rewritten: a cache V8 rejected, or one from a run that stopped short, would have been.
  t.is(inode(dir), made);
});

test('a damaged cache file changes nothing in the run, and is replaced', async (t) => {
  const dir = tempDir();
  const inspect = inspectWith(dir);
  const expected = await inspect();
  const file = join(dir, CACHE_FILE);
  const good = readFileSync(file);
  const damages: [string, () => void][] = [
    ['truncated', () => truncateSync(file, good.length >> 1)],
    [
      'a byte of V8 data changed',
      () => writeFileSync(file, Buffer.from(good).fill(0x5a, good.length >> 1, (good.length >> 1) + 1)),
    ],
    ['not a cache', () => writeFileSync(file, 'hello')],
    ['empty', () => writeFileSync(file, '')],
  ];
  for (const [damage, apply] of damages) {
    apply();
    const before = inode(dir);
    t.is(await inspect(), expected, damage);
    t.not(inode(dir), before, damage);
    // Replaced by a good one: the next run uses it as it is.
    const replaced = inode(dir);
    t.is(await inspect(), expected, damage);
    t.is(inode(dir), replaced, damage);
  }
});

test('a run that ends badly saves a cache that the next good run replaces', async (t) => {
  const dir = tempDir();
  const inspect = inspectWith(dir);
  t.regex(await inspect(await closedPort()), /^[1-9]/);
  const failed = inode(dir);
  const expected = await inspect();
  t.regex(expected, /^0\n/);
  t.not(inode(dir), failed);
  const good = inode(dir);
  t.is(await inspect(), expected);
  t.is(inode(dir), good);
});

test('no cache where its directory is not usable: a file, or writable by others; the run is the same', async (t) => {
  const expected = await inspectWith(tempDir())();
  const notADir = join(tempDir(), 'file');
  writeFileSync(notADir, '');
  t.is(await inspectWith(notADir)(), expected);
  const shared = join(tempDir(), 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  t.is(await inspectWith(shared)(), expected);
  t.throws(() => inode(shared), { code: 'ENOENT' });
});

test('saving the code cache takes the oldest code caches beyond the newest few (of bundles since renamed), nothing else', async (t) => {
  const dir = tempDir();
  const hoursAgo = (name: string, hours: number) => {
    writeFileSync(join(dir, name), 'old', { mode: 0o600 });
    const when = new Date(Date.now() - hours * 3_600_000);
    utimesSync(join(dir, name), when, when);
    return name;
  };
  const old = Array.from({ length: KEEP_NEWEST + 6 }, (_, i) => hoursAgo(`code-inspect-${i}.cjs.bin`, i + 1));
  const others = [hoursAgo('code-notes.txt', 50), hoursAgo('notes.bin', 50), hoursAgo(`${CACHE_FILE}.4242.tmp`, 50)];
  t.regex(await inspectWith(dir)(), /^0\n/);
  // inspect also keeps what openssl answered (openssl-version-*.json), another kind.
  const left = readdirSync(dir)
    .filter((name) => !name.startsWith('openssl-version-'))
    .sort();
  t.deepEqual(left, [CACHE_FILE, ...old.slice(0, KEEP_NEWEST), ...others].sort());
});

/**
 * A cache that anyone but this user could have put where it is read: V8 data compiled from another source of the
 * same length, with the right key and checksum (both computable by anyone), which V8 would run in place of the file.
 * Each run is of a new copy of the script (V8 keeps what it compiled for a source and file name in memory).
 */
function plantForeignCache(dir: string, at = join(dir, 'code-script.cjs.bin')) {
  const source = 'module.exports = 1;\n';
  const wrapped = (body: string) => `(function (exports, require, module, __filename, __dirname) {${body}\n})`;
  const foreign = new Script(wrapped('module.exports = 2;\n'), { filename: join(dir, 'foreign.cjs') });
  const runtime = { version: process.version, arch: process.arch, flags: [] };
  const key = codeCacheKey(Buffer.from(source), runtime);
  writeFileSync(at, encodeCodeCache(key, { data: foreign.createCachedData(), complete: true }), { mode: 0o600 });
  return () => {
    const script = join(tempDir(), 'script.cjs');
    writeFileSync(script, source);
    return runCachedScript<number>(script, dir, runtime).exports;
  };
}

test('a cache this user did not write alone is never run: a directory others can write, or one above it', (t) => {
  const shared = join(tempDir(), 'shared');
  mkdirSync(shared);
  const run = plantForeignCache(shared);
  chmodSync(shared, 0o777);
  t.is(run(), 1);
  const above = join(tempDir(), 'above');
  const mine = join(above, 'mine');
  mkdirSync(mine, { recursive: true, mode: 0o700 });
  const runMine = plantForeignCache(mine);
  chmodSync(above, 0o777);
  t.is(runMine(), 1);
  // The control: in this user's own directory the same file is used (which is why it must be this user's alone).
  chmodSync(above, 0o700);
  t.is(runMine(), 2);
});

test('a cache file that is a link is not followed (to a file of this user holding anyone’s bytes)', (t) => {
  const dir = tempDir();
  const elsewhere = join(tempDir(), 'download.bin');
  const run = plantForeignCache(dir, elsewhere);
  symlinkSync(elsewhere, join(dir, 'code-script.cjs.bin'));
  t.is(run(), 1);
});
