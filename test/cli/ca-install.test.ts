// `ca install` / `ca uninstall` with the real tools (update-ca-certificates, keytool), run in a
// private mount namespace over copies of the trust store folders: this machine's store is untouched.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, cleanEnv, runCli } from '../helpers/fixtures.js';
import { findExecutable, testNeeding } from '../helpers/requires.js';

const run = promisify(execFile);

/** What this machine lacks to run `ca install` in a private mount namespace; null when nothing. */
function namespaceMissing(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs Linux and root';
  if (!findExecutable('update-ca-certificates')) return 'needs update-ca-certificates';
  // unshare can be present and still refused (a container without CAP_SYS_ADMIN).
  if (spawnSync('unshare', ['-m', 'true'], { stdio: 'ignore' }).status !== 0)
    return 'needs unshare -m (a private mount namespace)';
  return null;
}

testNeeding(namespaceMissing())(
  'install adds the CA to the system bundle (and Java), uninstall takes every copy out again',
  async (t) => {
    const certsDir = mkdtempSync(join(tmpdir(), 'tlswitness-install-'));
    await runCli(['ca', 'init', '--certs-dir', certsDir]);
    const caPem = readFileSync(join(certsDir, 'ca', 'certs', 'ca.pem'), 'utf8').trim();
    const scratch = mkdtempSync(join(tmpdir(), 'tlswitness-store-'));
    mkdirSync(join(scratch, 'local'));
    cpSync('/etc/ssl/certs', join(scratch, 'certs'), { recursive: true, verbatimSymlinks: true });
    const inNamespace = (inner: string) =>
      run(
        'unshare',
        [
          '-m',
          'sh',
          '-c',
          `mount --bind ${scratch}/local /usr/local/share/ca-certificates && mount --bind ${scratch}/certs /etc/ssl/certs && ${inner}`,
        ],
        { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      );
    const javaAliases =
      'if command -v keytool >/dev/null; then keytool -list -cacerts -storepass changeit | grep -ci tlswitness || true; else echo 0; fi';
    const install = await inNamespace(
      `node ${CLI} ca install --certs-dir ${certsDir} && echo BUNDLE && cat /etc/ssl/certs/ca-certificates.crt && echo JAVA && ${javaAliases}`,
    );
    t.regex(install.stdout, /^Installing tlswitness CA [0-9a-f]{8} \(SHA-256 [0-9A-F:]{95}\), /);
    t.regex(
      install.stdout,
      /✔ system \(Debian\/Ubuntu\): added \/usr\/local\/share\/ca-certificates\/tlswitness-[0-9a-f]{12}\.crt/,
    );
    t.true(install.stdout.split('BUNDLE')[1]!.includes(caPem), 'the CA is in the rebuilt system bundle');
    // An older install from another certs dir is taken out too.
    const olderDir = mkdtempSync(join(tmpdir(), 'tlswitness-install-old-'));
    await runCli(['ca', 'init', '--certs-dir', olderDir]);
    const olderPem = readFileSync(join(olderDir, 'ca', 'certs', 'ca.pem'), 'utf8').trim();
    const uninstall = await inNamespace(
      `node ${CLI} ca install --certs-dir ${olderDir} >/dev/null && node ${CLI} ca install --certs-dir ${certsDir} >/dev/null && node ${CLI} ca uninstall --certs-dir ${certsDir} && echo BUNDLE && cat /etc/ssl/certs/ca-certificates.crt && echo JAVA && ${javaAliases}`,
    );
    t.regex(uninstall.stdout, /✔ system \(Debian\/Ubuntu\): removed 2 tlswitness CAs/);
    for (const pem of [caPem, olderPem])
      t.false(uninstall.stdout.split('BUNDLE')[1]!.split('JAVA')[0]!.includes(pem), 'gone from the system bundle');
    t.is(uninstall.stdout.split('JAVA')[1]!.trim(), '0', 'no alias of it left in Java cacerts');
    t.false(
      readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8').includes(caPem),
      "this machine's own store never saw it",
    );
  },
);

// Run as root with SUDO_USER naming a real account of this machine: nobody (home /nonexistent on Debian).
const nobody =
  process.platform === 'linux' && process.getuid?.() === 0
    ? /^nobody:[^:]*:(\d+):(\d+):[^:]*:([^:]*):/m.exec(readFileSync('/etc/passwd', 'utf8'))
    : null;
testNeeding(nobody ? null : 'needs root and a nobody account')(
  "sudo ca install picks the invoking user's certs dir and makes no CA there as root",
  async (t) => {
    const [, uid, , home] = nobody!;
    // No store tools on PATH: whatever happens, this machine's stores cannot change.
    const env = cleanEnv({ SUDO_USER: 'nobody', SUDO_UID: uid!, PATH: '/nonexistent' });
    delete env.TLSWITNESS_CERTS_DIR;
    const result = await runCli(['ca', 'install'], env);
    t.is(result.code, 2);
    t.regex(
      result.stderr,
      new RegExp(
        `no local CA in ${join(home!, '.config', 'tlswitness')} yet: run tlswitness ca init as nobody \\(without sudo\\)`,
      ),
    );
    const unknown = await runCli(['ca', 'install'], { ...env, SUDO_USER: 'no-such-user-here' });
    t.is(unknown.code, 2);
    t.regex(unknown.stderr, /not in \/etc\/passwd: pass --certs-dir DIR/);
  },
);
