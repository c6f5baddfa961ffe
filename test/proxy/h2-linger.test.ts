// lingerOnDestroy on a real TLS pair on loopback: a destroy after the socket's end reads and discards
// until the peer closes (or the bound), so the peer gets the last bytes instead of a reset; any other
// destroy, and the plain one it returns, is immediate.
import test from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { lingerOnDestroy } from '../../src/proxy/h2-linger.js';
import { makeTestCa } from '../helpers/pki.js';

/** A connected pair: the proxy's side (with lingerOnDestroy) and the app's. */
async function pair(lingerMs: number) {
  const root = await makeTestCa('tlswitness linger root');
  const leaf = await root.issue(['linger.test']);
  const server = createServer({ key: leaf.keyPem, cert: leaf.pem });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'secureConnection') as Promise<[TLSSocket]>;
  const app = connect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    servername: 'linger.test',
    ca: [root.pem],
  });
  app.on('error', () => undefined);
  await once(app, 'secureConnect');
  const [proxySide] = await accepted;
  proxySide.on('error', () => undefined);
  const plainDestroy = lingerOnDestroy(proxySide, lingerMs);
  return { app, proxySide, plainDestroy, close: () => server.close() };
}

test('a destroy after the end keeps reading until the app closes; the app reads the last bytes', async (t) => {
  const { app, proxySide, close } = await pair(10_000);
  let received = '';
  app.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  proxySide.end('GOAWAY');
  await once(proxySide, 'finish');
  proxySide.destroy();
  t.false(proxySide.destroyed, 'still open, reading');
  // The app is still sending: the proxy side takes it all (else the kernel would reset the connection).
  for (let i = 0; i < 8; i++) await new Promise((resolve) => app.write(Buffer.alloc(64 * 1024, 'x'), resolve));
  t.false(proxySide.destroyed);
  app.end();
  await once(proxySide, 'close');
  t.is(received, 'GOAWAY');
  close();
});

test('the linger is bounded, and a destroy before the end or the plain destroy is immediate', async (t) => {
  const bounded = await pair(50);
  bounded.proxySide.end();
  await once(bounded.proxySide, 'finish');
  bounded.proxySide.destroy();
  t.false(bounded.proxySide.destroyed);
  await once(bounded.proxySide, 'close');
  bounded.app.destroy();
  bounded.close();

  const early = await pair(10_000);
  early.proxySide.destroy();
  t.true(early.proxySide.destroyed);
  early.app.destroy();
  early.close();

  const plain = await pair(10_000);
  plain.proxySide.end();
  await once(plain.proxySide, 'finish');
  plain.plainDestroy();
  t.true(plain.proxySide.destroyed);
  plain.app.destroy();
  plain.close();
});
