// The npm package as a user gets it: packed from a clean tree (prepare builds dist/), installed from
// the tarball into a fresh prefix with no registry, and run from there.
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, rmSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { list } from 'tar';
import { cleanEnv, ROOT } from './helpers/fixtures.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr });
    });
  });
}

// What a fresh clone holds: no build output, no local CA, no git metadata, no installed packages
// (node_modules is linked back so prepare can build without an install).
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', join('certs', 'ca')]);

const work = mkdtempSync(join(tmpdir(), 'tlswitness-pack-'));
const clone = join(work, 'clone');
const prefix = join(work, 'prefix');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

// One pack and one install for every assertion below (a couple of seconds each).
const packed = (async () => {
  cpSync(ROOT, clone, { recursive: true, filter: (source) => !NOT_IN_A_CLONE.has(relative(ROOT, source)) });
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
  const pack = await run('npm', ['pack', '--pack-destination', work, '--loglevel', 'error'], { cwd: clone });
  const tarball = join(work, `tlswitness-${packageJson.version}.tgz`);
  const entries: string[] = [];
  if (existsSync(tarball)) await list({ file: tarball, onReadEntry: (entry) => entries.push(entry.path) });
  return { pack, tarball, entries };
})();

const installed = (async () => {
  const { tarball } = await packed;
  // --offline: everything the package needs at run time is inside the tarball (dist/ is one bundle,
  // blessed is a bundled dependency), so an install must not need the registry at all.
  return run(
    'npm',
    ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel', 'error', tarball],
    { cwd: work },
  );
})();

test.after.always(() => rmSync(work, { recursive: true, force: true }));

test('npm pack of a clean tree builds dist/ and ships only what runs', async (t) => {
  const { pack, entries } = await packed;
  t.is(pack.code, 0, pack.stderr);
  const files = entries.map((path) => path.replace(/^package\//, ''));
  for (const needed of [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/tlswitness.cjs',
    'dist/inspect-fast.cjs',
    'dist/THIRD-PARTY-LICENSES.txt',
    'node_modules/blessed/package.json',
    'docs/schema/handshake-record.schema.json',
    'docs/schema/events.schema.json',
  ]) {
    t.true(files.includes(needed), `${needed} is in the package`);
  }
  for (const file of files) {
    t.false(
      /^(\.ci|scripts|test|src|certs)\//.test(file) || file === 'tsconfig.json' || file === 'package-lock.json',
      `${file} is not in the package`,
    );
  }
  t.false(
    files.some((file) => file.startsWith('docs/schema/released/')),
    'the released schema copies stay in the repository',
  );
  t.true(
    files.some((file) => file.startsWith('dist/chunks/')),
    'the lazily loaded chunks are shipped with the entry point',
  );
});

test('the tarball installs with no registry and no build tools, and only blessed beside it', async (t) => {
  const install = await installed;
  t.is(install.code, 0, install.stderr);
  const home = join(prefix, 'lib', 'node_modules', 'tlswitness');
  // Nothing was built at install time (prepare does not run for a tarball): there is nothing to build from.
  t.false(existsSync(join(home, 'src')));
  t.deepEqual(
    readdirSync(join(home, 'node_modules')).filter((name) => name !== '.bin'),
    ['blessed'],
  );
});

test('the installed tlswitness runs: --version and explain', async (t) => {
  t.is((await installed).code, 0);
  const bin = join(prefix, 'bin', 'tlswitness');
  const env = cleanEnv();
  const version = await run(bin, ['--version'], { cwd: work, env });
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout.trim(), packageJson.version);
  const explained = await run(bin, ['explain', '--json', 'unable to get local issuer certificate'], { cwd: work, env });
  t.is(explained.code, 0, explained.stderr);
  t.like(JSON.parse(explained.stdout), { recognized: true, problem: 'unknown-ca' });
  // The installed binary is the one in the prefix, not the checkout's dist/.
  t.true(realpathSync(bin).startsWith(realpathSync(prefix) + sep));
});
