// Finding certifi's bundle: the real python3 and certifi when installed, the test-only override, and
// a machine without python3 (not configured, no error).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { certifiLabel, findCertifi, loadCertifiStore } from '../../src/trust/certifi-store.js';

/** What python3 itself says, or null when it has no certifi. */
function certifiHere(): string | null {
  try {
    return execFileSync('python3', ['-c', 'import certifi; print(certifi.where())'], { env: { PATH: process.env.PATH }, cwd: tmpdir() }).toString().trim();
  } catch {
    return null;
  }
}

test("the installed certifi, through python3: the path certifi.where() prints, read as a store", async (t) => {
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
(process.platform === 'win32' ? test.skip : test)('a python3 in the current directory is never run, even when PATH has an empty entry (sh reads it as ".")', async (t) => {
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
});

(process.platform === 'win32' ? test.skip : test)("the proxy's credentials are not in python3's environment", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-env-'));
  const seen = join(dir, 'env.txt');
  writeFileSync(join(dir, 'python3'), `#!/bin/sh\nexport -p > '${seen}'\necho /stray/cacert.pem\n`);
  chmodSync(join(dir, 'python3'), 0o755);
  t.is((await findCertifi({ PATH: dir, TLSWITNESS_PROXY_AUTH: 'user:s3cret', KEEP_ME: 'yes' }))?.path, '/stray/cacert.pem');
  const env = readFileSync(seen, 'utf8');
  t.regex(env, /KEEP_ME=.?yes/);
  t.false(env.includes('s3cret'), env);
});

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
