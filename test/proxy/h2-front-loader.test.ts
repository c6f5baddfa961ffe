// node:http2 is loaded when the first app chooses h2, not at the proxy's start (the h2 path itself is
// covered through the proxy by h2-front.test.ts).
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchBuiltIns } from '../helpers/built-ins.js';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { cleanEnv } from '../helpers/fixtures.js';

test('a proxy that no app has spoken h2 to has not loaded node:http2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-h2-lazy-'));
  const builtIns = watchBuiltIns();
  const proxy = startCliProxy(
    ['--port', '0', '--no-tui', '--certs-dir', dir],
    cleanEnv({ NODE_OPTIONS: builtIns.nodeOptions }),
  );
  try {
    t.true((await proxy.port) > 0);
    proxy.child.kill('SIGTERM');
    t.is(await proxy.exited, 0);
  } finally {
    proxy.child.kill('SIGKILL');
  }
  const loaded = builtIns.loaded();
  t.true(loaded.includes('tls'), 'the list was written');
  t.false(loaded.includes('http2'));
});
