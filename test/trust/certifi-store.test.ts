// Finding certifi's bundle: the real python3 and certifi when installed, the test-only override, and
// a machine without python3 (not configured, no error), and python3's answer kept between runs.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { certifiLabel, findCertifi, loadCertifiStore, locateCertifi } from '../../src/trust/certifi-store.js';

/** What python3 itself says, or null when it has no certifi. */
function certifiHere(): string | null {
  try {
    return execFileSync('python3', ['-c', 'import certifi; print(certifi.where())'], {
      env: { PATH: process.env.PATH },
      cwd: tmpdir(),
    })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

test('the installed certifi, through python3: the path certifi.where() prints, read as a store', async (t) => {
  const expected = certifiHere();
  const env = { PATH: process.env.PATH };
  const location = await findCertifi(env);
  t.is(location?.path ?? null, expected);
  // Asked once per process: the same answer without another python3.
  t.is(findCertifi(env), findCertifi({ ...env }));
  const loaded = await loadCertifiStore(env);
  if (expected) {
    t.true(existsSync(expected));
    t.is(loaded.location?.from, 'certifi.where()');
    t.true(loaded.store!.size > 0);
    t.regex(certifiLabel(loaded.location!), /^certifi \S+ \(.*\)$/);
  } else t.is(loaded.store, null);
});

test('no python3 on PATH: not configured, no error', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'tlswitness-nopython-'));
  const loaded = await loadCertifiStore({ PATH: empty });
  t.is(loaded.store, null);
  t.is(loaded.location, null);
});

// A POSIX shell script stands in for python3.
(process.platform === 'win32' ? test.skip : test)(
  'a python3 in the current directory is never run, even when PATH has an empty entry (sh reads it as ".")',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cwd-'));
    const marker = join(dir, 'ran');
    writeFileSync(join(dir, 'python3'), `#!/bin/sh\ntouch '${marker}'\necho /stray/cacert.pem\n`);
    chmodSync(join(dir, 'python3'), 0o755);
    const before = process.cwd();
    process.chdir(dir);
    try {
      t.is(await findCertifi({ PATH: `:${join(dir, 'nothing-here')}:` }), null);
    } finally {
      process.chdir(before);
    }
    t.false(existsSync(marker), './python3 ran');
  },
);

(process.platform === 'win32' ? test.skip : test)(
  "the proxy's credentials are not in python3's environment",
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tlswitness-env-'));
    const seen = join(dir, 'env.txt');
    writeFileSync(join(dir, 'python3'), `#!/bin/sh\nexport -p > '${seen}'\necho /stray/cacert.pem\n`);
    chmodSync(join(dir, 'python3'), 0o755);
    t.is(
      (await findCertifi({ PATH: dir, TLSWITNESS_PROXY_AUTH: 'user:s3cret', KEEP_ME: 'yes' }))?.path,
      '/stray/cacert.pem',
    );
    const env = readFileSync(seen, 'utf8');
    t.regex(env, /KEEP_ME=.?yes/);
    t.false(env.includes('s3cret'), env);
  },
);

test('TLSWITNESS_CERTIFI_BUNDLE names the bundle instead; none skips certifi; a missing file is a clear error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-certifi-'));
  const bundle = join(dir, 'cacert.pem');
  writeFileSync(bundle, rootCertificates.slice(0, 3).join('\n'));
  const loaded = await loadCertifiStore({ PATH: '', TLSWITNESS_CERTIFI_BUNDLE: bundle });
  t.is(loaded.store?.size, 3);
  t.is(loaded.store?.name, 'certifi');
  t.is(certifiLabel(loaded.location!), `certifi bundle ${bundle} (TLSWITNESS_CERTIFI_BUNDLE)`);
  t.is((await loadCertifiStore({ PATH: process.env.PATH, TLSWITNESS_CERTIFI_BUNDLE: 'none' })).store, null);
  const error = await t.throwsAsync(loadCertifiStore({ TLSWITNESS_CERTIFI_BUNDLE: join(dir, 'missing.pem') }));
  t.is(error?.message, `TLSWITNESS_CERTIFI_BUNDLE ${join(dir, 'missing.pem')}: no such file`);
});

/** A stand-in python3 that names `bundle` as certifi's and counts its runs in `count`. */
function fakePython(bundle: string): { bin: string; runs: () => number } {
  const bin = mkdtempSync(join(tmpdir(), 'tlswitness-fakepython-'));
  const count = join(bin, 'runs');
  writeFileSync(count, '');
  writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho x >> '${count}'\necho '${bundle}'\necho 2024.02.02\n`);
  chmodSync(join(bin, 'python3'), 0o755);
  return { bin, runs: () => readFileSync(count, 'utf8').split('\n').filter(Boolean).length };
}

test("python3's answer is kept in the cache dir: a later run does not start python3 until the bundle changes", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-certifi-cache-'));
  const bundle = join(dir, 'cacert.pem');
  writeFileSync(bundle, rootCertificates.slice(0, 2).join('\n'));
  const python = fakePython(bundle);
  const env = { PATH: `${python.bin}:/usr/bin:/bin`, TLSWITNESS_CACHE_DIR: join(dir, 'cache') };
  const expected = { path: bundle, version: '2024.02.02', from: 'certifi.where()' };
  t.deepEqual(await locateCertifi(env, dir), expected);
  t.is(python.runs(), 1);
  t.deepEqual(await locateCertifi(env, dir), expected, 'the same answer');
  t.is(python.runs(), 1, 'from the cache');
  t.deepEqual(await locateCertifi({ ...env, VIRTUAL_ENV: '/venv' }, dir), expected);
  t.is(python.runs(), 2, 'another environment asks python3 again');
  // pip install -U certifi rewrites the bundle.
  writeFileSync(bundle, rootCertificates.slice(0, 3).join('\n'));
  utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
  await locateCertifi(env, dir);
  t.is(python.runs(), 3, 'a changed bundle asks python3 again');
  await locateCertifi(env, join(dir, 'elsewhere'));
  t.is(python.runs(), 4, 'a shim script is asked again in another directory');
});

test('"no certifi" is not cached: installing it shows on the next run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-certifi-none-'));
  const python = fakePython(join(dir, 'not-there.pem'));
  const env = { PATH: `${python.bin}:/usr/bin:/bin`, TLSWITNESS_CACHE_DIR: join(dir, 'cache') };
  // The bundle python3 names does not exist: nothing to keep.
  await locateCertifi(env, dir);
  await locateCertifi(env, dir);
  t.is(python.runs(), 2);
});
