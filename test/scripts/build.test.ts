// The built binary's files (scripts/build.mjs), as `tlswitness proxy` loads them to start.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, cleanEnv } from '../helpers/fixtures.js';
import { startAndStopIdleProxy } from '../helpers/cli-proxy.js';
import { watchLoadedFiles } from '../helpers/loaded-files.js';

// Each import the ES module loader resolves costs start-up time, and resolving ~200 of them (the split build's
// chunks) made Node's own path functions hot enough for its optimising compiler: ~6 MB more RSS at idle.
test('an idle proxy has loaded three files of dist/: the entry, the command line through yargs, the proxy run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-build-start-'));
  // The first start makes the CA (node-forge, loaded on demand: a fourth file); the second is every later start.
  const first = await distFilesToStart(t, dir);
  t.deepEqual(first.slice(0, 3), [
    'dist/tlswitness.mjs',
    'dist/chunks/cli-yargs-main.mjs',
    'dist/chunks/cli-proxy-run.mjs',
  ]);
  const files = await distFilesToStart(t, dir);
  t.deepEqual(files, ['dist/tlswitness.mjs', 'dist/chunks/cli-yargs-main.mjs', 'dist/chunks/cli-proxy-run.mjs']);
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
