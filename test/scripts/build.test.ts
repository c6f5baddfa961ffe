// The built binary's files (scripts/build.mjs), as `tlswitness proxy` loads them to start.
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT, cleanEnv } from '../helpers/fixtures.js';
import { startAndStopIdleProxy } from '../helpers/cli-proxy.js';
import { watchLoadedFiles } from '../helpers/loaded-files.js';

// Each import the ES module loader resolves costs start-up time, and resolving ~200 of them (the split build's
// chunks) made Node's own path functions hot enough for its optimising compiler: ~6 MB more RSS at idle.
test('an idle proxy has loaded three files of dist/: the entry, the command line through yargs, the proxy run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-build-start-'));
  // The first start makes the CA (the certificate builder and node-forge, loaded on demand: two files more); the
  // second is every later start.
  const first = await distFilesToStart(t, dir);
  t.deepEqual(first.slice(0, 3), [
    'dist/tlswitness.cjs',
    'dist/chunks/cli-yargs-main.mjs',
    'dist/chunks/cli-proxy-run.mjs',
  ]);
  const files = await distFilesToStart(t, dir);
  t.deepEqual(files, ['dist/tlswitness.cjs', 'dist/chunks/cli-yargs-main.mjs', 'dist/chunks/cli-proxy-run.mjs']);
});

// The proxy's run and its HTTP/2 front each hold a copy of young-collector.ts: the bytes both relay must count
// towards one collector (two would each wait for its own 8 MiB), so each file takes the process's one.
test('the proxy run and the HTTP/2 front share one young-generation collector', async (t) => {
  const script = `
    let reads = 0;
    Object.defineProperty(globalThis, Symbol.for('tlswitness.shared.relayCollector'), {
      get: () => (reads++, { relayed() {} }),
    });
    for (const file of process.argv.slice(1)) await import(file);
    process.stdout.write(String(reads));`;
  const files = ['cli-proxy-run.mjs', 'proxy-h2-front.mjs'].map(
    (file) => pathToFileURL(join(ROOT, 'dist', 'chunks', file)).href,
  );
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, ...files], {
    env: cleanEnv(),
  });
  t.is(stdout, '2');
});

// node-forge is ~370 KB of the bundle: the CA's certificate builder and `convert --to p12` load the one file.
test('node-forge is in one file of dist/, which the certificate builder and convert load', (t) => {
  const dist = join(ROOT, 'dist');
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => /\.[cm]?js$/.test(file));
  const text = (file: string) => readFileSync(join(dist, file), 'utf8');
  // A function of forge's own that tlswitness never calls: where it is, forge's PKCS#12 code is.
  t.deepEqual(
    files.filter((file) => text(file).includes('pkcs12FromAsn1')),
    [join('chunks', 'node-forge.mjs')],
  );
  for (const user of ['ca-certificate-builder.mjs', 'cli-convert.mjs'])
    t.true(text(join('chunks', user)).includes('./node-forge.mjs'), `${user} loads it`);
});

/** The files of dist/ that `tlswitness proxy --no-tui` loaded up to listening, relative to the checkout. */
async function distFilesToStart(t: ExecutionContext, certsDir: string): Promise<string[]> {
  const watch = watchLoadedFiles();
  await startAndStopIdleProxy(
    t,
    ['proxy', '--port', '0', '--no-tui', '--certs-dir', certsDir],
    cleanEnv({ NODE_OPTIONS: watch.nodeOptions }),
  );
  return watch
    .loaded()
    .map((url) => relative(ROOT, fileURLToPath(url)))
    .filter((path) => path.startsWith('dist/'));
}
