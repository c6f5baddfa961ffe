// Upstream faults through the proxy: a reset mid-response, an upstream that accepts and never
// answers (HTTP or TLS), a name that does not resolve, an upstream proxy that is down or wants
// credentials. Each gets the right status (or a cut connection) with a diagnosis, an error event,
// and leaves no socket or timer behind.
import '../../scripts/dns-guard.mjs'; // names other than loopback fail as NXDOMAIN, without a resolver
import test from 'ava';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { parseProxyUrl } from '../../src/net/connector.js';
import type { ErrorEvent } from '../../src/events.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { closedPort, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchPlainViaProxy, fetchViaProxy, startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';

const RESPONSE_TIMEOUT_MS = 600;
const CONNECT_TIMEOUT_MS = 800;

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** /reset sends half a body and resets; /hang reads the request and never answers; others answer. */
function faultyHandler(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (req.url === '/reset') {
    res.writeHead(200, { 'content-length': 100_000 });
    // A TCP reset (a TLS socket cannot send one from Node: it is destroyed).
    const cut = () => ('encrypted' in req.socket ? req.socket.destroy() : req.socket.resetAndDestroy());
    res.write(Buffer.alloc(20_000, 0x61), () => setTimeout(cut, 20));
    return;
  }
  if (req.url === '/hang') return;
  res.end(`fine ${req.url}\n`);
}

async function listen<T extends Server>(server: T): Promise<T & { port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Idle kept-alive connections go quickly, so open handles settle within the test.
  (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 200;
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

function closeServer(server: Server): Promise<void> {
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** This process's open handles and timers, by type (sorted), once they stop changing. */
async function settledResources(expected?: string[]): Promise<string[]> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = process
      .getActiveResourcesInfo()
      .filter((r) => r !== 'TTYWrap')
      .sort();
    if (expected && now.join() === expected.join()) return now;
    if (!expected && now.join() === last) return now;
    last = now.join();
  }
  return last.split(',');
}

/** A GET inside the MITM'd session, read raw: the head, the body bytes, and whether the proxy cut it. */
async function rawMitmGet(
  proxy: TestProxy,
  host: string,
  port: number,
  path: string,
): Promise<{ head: string; body: string }> {
  const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    tls.on('data', (d: Buffer) => (data = Buffer.concat([data, d])));
    tls.on('error', () => undefined);
    tls.on('close', () => {
      const end = data.indexOf('\r\n\r\n');
      resolve({ head: data.subarray(0, end).toString('latin1'), body: data.subarray(end + 4).toString('latin1') });
    });
    tls.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

const errorsIn = (proxy: TestProxy) => proxy.events.filter((e): e is ErrorEvent => e.type === 'error');

test.serial(
  'upstream faults: reset mid-response, silence, DNS failure, refused port, TLS that never answers; right status, diagnosis, nothing leaked',
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const https = await listen(
      createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, faultyHandler),
    );
    const http = await listen(createHttpServer(faultyHandler));
    // Accepts TCP and never says a word of TLS (it reads, so it sees the proxy hang up).
    const mute = await listen(createNetServer((socket: Socket) => socket.on('error', () => undefined).resume()));
    const closed = await closedPort();
    const host = scenario.host!;
    const proxy = await startTestProxy(
      fixtureTrust(fixtures.pki),
      [`${host}:${https.port}:127.0.0.1`, `mute.example.com:${mute.port}:127.0.0.1`],
      {},
      {
        timeoutMs: CONNECT_TIMEOUT_MS,
        recordTimeoutMs: CONNECT_TIMEOUT_MS,
        limits: { responseTimeoutMs: RESPONSE_TIMEOUT_MS },
      },
    );
    try {
      // Warm: the host recorded, a leaf minted, both agents used once.
      t.is((await fetchViaProxy(proxy.port, `https://${host}:${https.port}/warm`, proxy.ca.certPem)).status, 200);
      t.is((await fetchPlainViaProxy(proxy.port, `http://127.0.0.1:${http.port}/warm`)).status, 200);
      const before = await settledResources();

      // Reset mid-response: the app sees the connection close short of Content-Length, with nothing
      // appended (http-mitm-proxy alone would write its error text into the body).
      const reset = await rawMitmGet(proxy, host, https.port, '/reset');
      t.regex(reset.head, /^HTTP\/1\.1 200 [\s\S]*content-length: 100000/i);
      t.true(reset.body.length < 100_000, `MITM: ${reset.body.length} body bytes`);
      t.regex(reset.body, /^a*$/);
      const plainReset = await new Promise<{ bytes: number; aborted: boolean }>((resolve) => {
        const socket = connect(proxy.port, '127.0.0.1', () =>
          socket.write(`GET http://127.0.0.1:${http.port}/reset HTTP/1.1\r\nHost: 127.0.0.1:${http.port}\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () =>
          resolve({
            bytes: text.length - text.indexOf('\r\n\r\n') - 4,
            aborted: !/\r\n0\r\n\r\n$/.test(text) && !/tlswitness|RESET/i.test(text.slice(-200)),
          }),
        );
      });
      t.true(plainReset.bytes < 100_000 && plainReset.aborted, 'plain: cut, no error text appended to the body');
      t.true(errorsIn(proxy).filter((e) => e.code === 'UPSTREAM_RESET').length >= 2);

      // Accepts and never answers: 504 after the response timeout, saying so.
      const started = Date.now();
      const hang = await fetchViaProxy(proxy.port, `https://${host}:${https.port}/hang`, proxy.ca.certPem);
      t.is(hang.status, 504);
      t.regex(
        hang.body,
        new RegExp(`${host}:${https.port} accepted the connection but sent nothing for ${RESPONSE_TIMEOUT_MS} ms`),
      );
      t.true(Date.now() - started < RESPONSE_TIMEOUT_MS + 3000);
      const plainHang = await fetchPlainViaProxy(proxy.port, `http://127.0.0.1:${http.port}/hang`);
      t.is(plainHang.status, 504);
      t.regex(plainHang.body, /sent nothing for 600 ms/);

      // DNS failure: a 502 naming the host and the fix, on both paths.
      const nx = await fetchViaProxy(proxy.port, 'https://nxdomain.invalid:8443/', proxy.ca.certPem);
      t.is(nx.status, 502);
      t.regex(nx.body, /connection-failed[\s\S]*cannot resolve nxdomain\.invalid \(ENOTFOUND\)/);
      const plainNx = await fetchPlainViaProxy(proxy.port, 'http://nxdomain.invalid/');
      t.is(plainNx.status, 502);
      t.regex(plainNx.body, /cannot resolve nxdomain\.invalid \(ENOTFOUND\): check the name, or pin it with --resolve/);

      // A port nobody listens on: 502, refused.
      const refused = await fetchPlainViaProxy(proxy.port, `http://127.0.0.1:${closed}/`);
      t.is(refused.status, 502);
      t.regex(refused.body, /refused the connection/);

      // TCP accepted, TLS never answered: the recording times out, the app gets a 504 with the diagnosis.
      const mitmMute = await fetchViaProxy(proxy.port, `https://mute.example.com:${mute.port}/`, proxy.ca.certPem);
      t.is(mitmMute.status, 504);
      t.regex(mitmMute.body, /handshake-failed[\s\S]*within 800 ms/);

      const codes = new Set(errorsIn(proxy).map((e) => e.code));
      for (const code of ['UPSTREAM_RESET', 'UPSTREAM_TIMEOUT', 'UPSTREAM_DNS', 'UPSTREAM_REFUSED'] as const)
        t.true(codes.has(code), `an error event ${code}`);
      t.deepEqual(await settledResources(before), before, 'no socket, server or timer left behind');
    } finally {
      await proxy.close();
      await Promise.all([https, http, mute].map(closeServer));
    }
  },
);

test.serial('upstream proxy down, or answering 407: 502 that says which and what to do; nothing leaked', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await listen(createHttpServer(faultyHandler));
  const demanding = await startConnectProxy({
    refuse: 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"',
  });
  const down = await parseProxyUrl(`http://127.0.0.1:${await closedPort()}`, 'upstream-proxy');
  const viaDown = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [],
    {},
    { upstreamProxy: down, timeoutMs: CONNECT_TIMEOUT_MS, recordTimeoutMs: CONNECT_TIMEOUT_MS },
  );
  const via407 = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [],
    {},
    {
      upstreamProxy: parseProxyUrl(demanding.url, 'upstream-proxy'),
      timeoutMs: CONNECT_TIMEOUT_MS,
      recordTimeoutMs: CONNECT_TIMEOUT_MS,
    },
  );
  const url = `https://${scenario.host}:8443/`;
  try {
    const before = await settledResources();
    const downAnswer = await fetchViaProxy(viaDown.port, url, viaDown.ca.certPem);
    t.is(downAnswer.status, 502);
    t.regex(downAnswer.body, /connection-failed[\s\S]*proxy 127\.0\.0\.1:\d+ refused the connection/);
    const plainDown = await fetchPlainViaProxy(viaDown.port, `http://127.0.0.1:${origin.port}/`);
    t.is(plainDown.status, 502);
    t.regex(plainDown.body, /refused the connection/);

    const authAnswer = await fetchViaProxy(via407.port, url, via407.ca.certPem);
    t.is(authAnswer.status, 502);
    t.regex(
      authAnswer.body,
      /requires authentication \(407, Basic\): use --upstream-proxy http:\/\/user:pass@host:port/,
    );
    t.true(errorsIn(viaDown).some((e) => e.code === 'UPSTREAM_REFUSED' || e.code === 'UPSTREAM_PROXY'));
    t.deepEqual(await settledResources(before), before, 'no socket, server or timer left behind');
  } finally {
    await Promise.all([viaDown.close(), via407.close(), demanding.close(), closeServer(origin)]);
  }
});
