// Many hosts through the MITM leave nothing behind: no per-host servers (http-mitm-proxy's known
// leak), and after close no sockets or servers still open in this process.
import test from 'ava';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeTestCa } from '../helpers/pki.js';
import { storeOf } from '../helpers/observe.js';
import { fetchViaProxy, startTestProxy } from '../helpers/proxy.js';

type Handles = { _getActiveHandles(): unknown[] };
const activeHandles = () =>
  (process as unknown as Handles)
    ._getActiveHandles()
    .filter((h) => (h as { constructor: { name: string } }).constructor.name !== 'WriteStream').length;

test('30 distinct hosts: no per-host servers, and nothing left open after close', async (t) => {
  const root = await makeTestCa('Leak Test Root');
  const leaf = await root.issue(['*.leak.example.com']);
  const origin = createServer({ key: leaf.keyPem, cert: leaf.pem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const names = Array.from({ length: 30 }, (_, i) => `h${i}.leak.example.com`);
  const before = activeHandles();
  const proxy = await startTestProxy(
    { public: storeOf('public', [root.pem]), system: null, extra: null },
    names.map((n) => `${n}:${port}:127.0.0.1`),
  );
  for (const name of names)
    t.is(
      (await fetchViaProxy(proxy.port, `https://${name}:${port}/`, proxy.ca.certPem, { connection: 'keep-alive' }))
        .status,
      200,
    );
  t.is(proxy.server.libraryServers, 0, 'no per-host HTTPS servers');
  await proxy.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is(activeHandles(), before, 'no socket or server of the proxy still open');
  origin.closeAllConnections();
  origin.close();
});
