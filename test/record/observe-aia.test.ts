// --fetch-missing / --complete-chains end to end: the issuer a server omits is fetched from the
// leaf's AIA URL on the route the traffic takes; a fixture host on 127.0.0.1 names its AIA server on 127.0.0.2.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixturePki, type FixturePki } from '../../scripts/fixture-pki.js';
import { parseResolve } from '../../src/net/target.js';
import { observeHandshake, type HandshakeRequest } from '../../src/record/observe.js';
import { startAiaServer, startScenarioServer, type AiaServer } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';

let pki: FixturePki;
let aia: AiaServer & { port: number };
test.before(async () => {
  aia = await startAiaServer(() => pki, '127.0.0.2');
  // The leaf names its issuer by a name; --resolve (or the proxy) says where that is.
  pki = await makeFixturePki(mkdtempSync(join(tmpdir(), 'tlswitness-aia-')), {
    aiaBaseUrl: `http://aia.example.test:${aia.port}`,
  });
});
test.after.always(async () => aia?.close());

function incomplete(port: number, proxy: HandshakeRequest['proxy']): HandshakeRequest {
  return {
    id: 'h-aia',
    target: { host: 'incomplete.example.com', port },
    resolve: parseResolve([`incomplete.example.com:${port}:127.0.0.1`, `aia.example.test:${aia.port}:127.0.0.2`]),
    proxy,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    alpn: ['http/1.1'],
    client: null,
    timeoutMs: 5000,
    fetchMissing: true,
  };
}

test('a host on 127.0.0.1 naming its issuer on 127.0.0.2 (both loopback): fetched, the chain completes', async (t) => {
  const server = await startScenarioServer(pki.scenarios.incomplete!);
  try {
    const record = await observeHandshake(incomplete(server.port, null), fixtureTrust(pki));
    t.is(record.diagnosis.problem, 'incomplete-chain');
    t.like(record.chainAnalysis.fetched, { ok: true, completesChain: true, error: null });
    t.is(record.chainAnalysis.fetched?.refusal, undefined);
  } finally {
    await server.close();
  }
});

/** A tiny upstream proxy: CONNECT tunnels to the fixture server on 127.0.0.1, absolute-form GETs go to the AIA server on 127.0.0.2. */
async function startUpstreamProxy(): Promise<{ url: string; port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url!);
    const upstream = httpRequest(
      { host: '127.0.0.2', port: Number(url.port), path: url.pathname, headers: { host: url.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const upstream = connect({ host: '127.0.0.1', port: Number(req.url!.split(':').pop()) }, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('with an upstream proxy, the AIA GET goes through it too (not around it)', async (t) => {
  const server = await startScenarioServer(pki.scenarios.incomplete!);
  const proxy = await startUpstreamProxy();
  try {
    const record = await observeHandshake(
      incomplete(server.port, {
        display: proxy.url,
        host: '127.0.0.1',
        port: proxy.port,
        authorization: null,
        via: 'upstream-proxy',
      }),
      fixtureTrust(pki),
    );
    t.is(record.via, 'upstream-proxy');
    t.like(record.chainAnalysis.fetched, { ok: true, completesChain: true });
    t.deepEqual(proxy.seen, [
      `CONNECT incomplete.example.com:${server.port}`,
      `GET http://aia.example.test:${aia.port}/public-intermediate.der`,
    ]);
  } finally {
    await proxy.close();
    await server.close();
  }
});
