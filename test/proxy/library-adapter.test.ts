// The http-mitm-proxy adapter: the pinned version is checked, and the library never writes to the console.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCa } from '../../src/ca/local-ca.js';
import { TlswitnessError } from '../../src/errors.js';
import { checkLibraryVersion, LibraryAdapter, PINNED_LIBRARY_VERSION } from '../../src/proxy/library-adapter.js';

test('the pinned version is the one package.json pins, and any other is a clear one-line error', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  t.is(
    pkg.devDependencies['http-mitm-proxy'],
    PINNED_LIBRARY_VERSION,
    'package.json pins exactly the version the adapter is written for',
  );
  t.notThrows(() => checkLibraryVersion(PINNED_LIBRARY_VERSION));
  const error = t.throws(() => new LibraryAdapter(() => undefined, '1.2.0'), { instanceOf: TlswitnessError });
  t.is(
    error?.message,
    `http-mitm-proxy 1.2.0 is bundled but tlswitness is built for ${PINNED_LIBRARY_VERSION}: rebuild with http-mitm-proxy@${PINNED_LIBRARY_VERSION}`,
  );
  t.false(error?.message.includes('\n'));
});

test('an app resetting its CONNECT writes nothing to the console, and is not an error', async (t) => {
  const ca = await ensureLocalCa(mkdtempSync(join(tmpdir(), 'tlswitness-adapter-')));
  const seen: string[] = [];
  const adapter = new LibraryAdapter((kind) => seen.push(kind));
  await adapter.listen({ httpAgent: new HttpAgent(), httpsAgent: new HttpsAgent(), caDir: ca.paths.dir });
  const printed: unknown[] = [];
  const saved = { debug: console.debug, error: console.error, info: console.info, log: console.log };
  console.debug = console.error = console.info = console.log = (...args: unknown[]) => printed.push(args);
  try {
    const accepted = new Promise<Socket>((resolve) =>
      adapter.onConnect((_req, socket) => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        socket.resume();
        resolve(socket);
      }),
    );
    const client = connect(adapter.port, '127.0.0.1', () =>
      client.write('CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n'),
    );
    client.on('error', () => undefined);
    const socket = await accepted;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => client.once('data', resolve));
    // An RST from the app's side: the proxy's socket gets ECONNRESET.
    client.resetAndDestroy();
    await closed;
  } finally {
    Object.assign(console, saved);
    adapter.close();
  }
  t.deepEqual(printed, [], 'nothing on the console');
  t.deepEqual(seen, [], 'a reset is not an error');
});
