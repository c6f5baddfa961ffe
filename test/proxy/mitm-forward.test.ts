// The MITM forwarder: what the origin and the app are sent (headers for the proxy stay here, our Via goes
// on, pins are dropped), bodies both ways, the request log, and none of it through http-mitm-proxy; a
// response sent tells the minter it may make its spare contexts.
import test from 'ava';
import { Proxy } from 'http-mitm-proxy';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import type { RequestEvent } from '../../src/events.js';
import { appHeaders, RELAY_QUEUE_BYTES, relayBody, upstreamHeaders } from '../../src/proxy/mitm-forward.js';
import { relayCollector, YoungCollector } from '../../src/proxy/young-collector.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy } from '../helpers/proxy.js';

const message = (headers: IncomingMessage['headers']) => ({ headers }) as IncomingMessage;

/**
 * GETs over `tls`, the app's one keep-alive connection to the proxy (a CONNECT tunnel's TLS), as an app's
 * agent sends them; each answer's status, Content-Length and body.
 */
function appOver(tls: Duplex, host: string, port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => unknown }).createConnection = () => tls;
  const get = (path: string) =>
    new Promise<{ status: number; length: string | undefined; body: Buffer }>((resolve, reject) => {
      const req = httpsRequest({ agent, host, port, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  return { agent, get };
}

test('upstream headers: proxy-* left out, the app Via kept and ours appended', (t) => {
  const sent = upstreamHeaders(
    message({
      host: 'a.test',
      'proxy-authorization': 'Basic eA==',
      'proxy-connection': 'keep-alive',
      via: '1.1 corp',
      'x-app': 'yes',
    }),
    'tlswitness-abc',
  );
  t.deepEqual(sent, { host: 'a.test', via: '1.1 corp, 1.1 tlswitness-abc', 'x-app': 'yes' });
});

test('app headers: Public-Key-Pins dropped; an app speaking proxy keep-alive is told the connection stays', (t) => {
  const origin = message({ 'public-key-pins': 'pin-sha256="x"', 'public-key-pins-report-only': 'y', 'x-o': '1' });
  t.deepEqual(appHeaders(origin, message({})), { 'x-o': '1' });
  t.deepEqual(appHeaders(origin, message({ 'proxy-connection': 'keep-alive' })), {
    'x-o': '1',
    'proxy-connection': 'keep-alive',
    connection: 'keep-alive',
  });
});

test("app headers: the origin's hop-by-hop fields are its own, but its Connection: close is kept", (t) => {
  const app = message({});
  t.deepEqual(appHeaders(message({ connection: 'keep-alive', 'keep-alive': 'timeout=60', 'x-o': '1' }), app), {
    'x-o': '1',
  });
  t.deepEqual(appHeaders(message({ 'keep-alive': 'timeout=60', 'x-o': '1' }), app), { 'x-o': '1' });
  t.deepEqual(appHeaders(message({ connection: 'Keep-Alive, X-Hop', 'x-hop': 'a', 'x-o': '1' }), app), { 'x-o': '1' });
  t.deepEqual(appHeaders(message({ connection: 'close, x-hop', 'x-hop': 'a', 'x-o': '1' }), app), {
    connection: 'close',
    'x-o': '1',
  });
  t.deepEqual(appHeaders(message({ 'proxy-connection': 'keep-alive', upgrade: 'h2c', 'x-o': '1' }), app), {
    'x-o': '1',
  });
});

test("through the proxy, an app is told the proxy's own idle limit, not the origin's longer Keep-Alive hint", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => {
    res.setHeader('keep-alive', 'timeout=600');
    res.end('ok');
  });
  origin.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`valid.example.com:${port}:127.0.0.1`],
    {},
    {
      limits: { headerTimeoutMs: 3_000 },
    },
  );
  try {
    const tls = await tlsViaProxy(proxy.port, 'valid.example.com', port, { ca: [proxy.ca.certPem] });
    const seen = await new Promise<IncomingMessage['headers']>((resolve, reject) => {
      const req = httpsRequest(
        {
          createConnection: () => tls,
          host: 'valid.example.com',
          port,
          path: '/',
          headers: { connection: 'keep-alive' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        },
      );
      req.on('error', reject);
      req.end();
    });
    t.is(seen['keep-alive'], 'timeout=3', "the proxy's idle limit");
    t.is(seen.connection, 'keep-alive');
    tls.destroy();
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
  }
});

test('a download to an app that reads nothing queues at most RELAY_QUEUE_BYTES (and a record) in the proxy', async (t) => {
  const origin = new PassThrough();
  let release: (() => void) | null = null;
  // The app's side: takes nothing until released.
  const app = new Writable({ write: (_chunk, _encoding, callback) => (release = callback) });
  let counted = 0;
  relayBody(origin as unknown as IncomingMessage, app as unknown as ServerResponse, (n) => (counted += n));
  const record = Buffer.alloc(16_384);
  let offered = 0;
  // Stops when the relay stops reading (the origin's side fills up): bounded by 8 MiB either way.
  while (offered < 8 * 1024 * 1024 && origin.write(record)) {
    offered += record.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.true(origin.isPaused(), 'the origin side is paused');
  t.true(app.writableLength >= RELAY_QUEUE_BYTES && app.writableLength <= RELAY_QUEUE_BYTES + record.length);
  t.is(counted, app.writableLength, 'every byte read is queued for the app');
  // The app catches up: the origin side flows again.
  const drained = new Promise((resolve) => app.once('drain', resolve));
  for (let i = 0; i < 1000 && app.writableLength > 0; i++) (release as (() => void) | null)?.();
  await drained;
  t.false(origin.isPaused());
});

test('every relayed byte counts towards the next young-generation collection', async (t) => {
  const origin = new PassThrough();
  const app = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  let collections = 0;
  const collector = new YoungCollector(() => () => collections++, 64 * 1024);
  relayBody(origin as unknown as IncomingMessage, app as unknown as ServerResponse, () => undefined, collector);
  const finished = new Promise((resolve) => app.once('finish', resolve));
  for (let i = 0; i < 20; i++) origin.write(Buffer.alloc(16_384));
  origin.end();
  await finished;
  t.is(collections, 5, '320 KiB relayed, one collection per 64 KiB');
});

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** Counts the requests http-mitm-proxy's own pipeline handles in this process. */
let libraryRequests = 0;
const original = Proxy.prototype._onHttpServerRequest;
Proxy.prototype._onHttpServerRequest = function (this: Proxy, ...args: Parameters<typeof original>) {
  libraryRequests++;
  return original.apply(this, args);
};

test('a POST through the MITM: body both ways, headers as above, logged, and not through the library pipeline', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'public-key-pins': 'pin-sha256="x"' });
      res.end(JSON.stringify({ headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  const counted = relayCollector.pending;
  try {
    const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
    const sentBody = 'x'.repeat(100_000);
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>(
      (resolve, reject) => {
        const req = httpsRequest(
          {
            createConnection: () => tls,
            host,
            port,
            method: 'POST',
            path: '/upload?key=s3cret',
            headers: { 'proxy-authorization': 'Basic c2VjcmV0', via: '1.1 corp', 'content-length': sentBody.length },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on('error', reject);
        req.end(sentBody);
      },
    );
    tls.destroy();
    t.is(answer.status, 201);
    t.is(answer.headers['public-key-pins'], undefined);
    const seen = JSON.parse(answer.body) as { headers: Record<string, string>; body: string };
    t.is(seen.body, sentBody);
    t.is(seen.headers['proxy-authorization'], undefined);
    t.regex(seen.headers.via ?? '', /^1\.1 corp, 1\.1 tlswitness-[0-9a-f]{12}$/);
    t.is(seen.headers.host, `${host}:${port}`);
    // Published when the app's response closes, which can come after the app read its end.
    const found = () => proxy.events.filter((e): e is RequestEvent => e.type === 'request');
    for (let i = 0; i < 200 && found().length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const logged = found();
    t.is(logged.length, 1);
    t.is(logged[0]!.method, 'POST');
    t.is(logged[0]!.status, 201);
    t.is(logged[0]!.url, `https://${host}:${port}/upload?key=REDACTED`);
    t.is(logged[0]!.bytes.response, Buffer.byteLength(answer.body));
    t.is(libraryRequests, 0, "MITM requests do not go through http-mitm-proxy's per-request pipeline");
    // Both bodies count towards the next young-generation collection (the answer echoes the upload;
    // other tests here only add to the count, far below a collection's 8 MiB).
    t.true(relayCollector.pending - counted >= 2 * sentBody.length);
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
  }
});

test('a GET on a pooled upstream connection the origin drops is sent again once on a fresh one: 200, not 502', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  // Answers the first request on each connection and drops the connection at the second, unanswered:
  // the race of an origin closing an idle keep-alive connection as the proxy reuses it.
  const served = new WeakMap<object, number>();
  let sockets = 0;
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    if (count > 1) return void req.socket.destroy();
    res.end(`answer ${req.url}`);
  });
  origin.on('secureConnection', () => sockets++);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  try {
    const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
    // One keep-alive connection to the proxy for both requests, as an app's.
    const { agent, get: getRaw } = appOver(tls, host, port);
    const get = async (path: string) => {
      const { status, body } = await getRaw(path);
      return { status, body: body.toString('utf8') };
    };
    t.deepEqual(await get('/one'), { status: 200, body: 'answer /one' });
    t.deepEqual(await get('/two'), { status: 200, body: 'answer /two' });
    t.is(sockets, 2, 'the second request went out again on a new connection');
    t.false(proxy.events.some((e) => e.type === 'error'));
    agent.destroy();
    tls.destroy();
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
  }
});

test('a long download through the MITM (taken raw from the upstream socket): intact, logged, and the next request on the same connections', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  const long = Buffer.alloc(3 * 1024 * 1024 + 11);
  for (let i = 0; i < long.length; i++) long[i] = (i * 7 + (i >> 12)) & 0xff;
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    res.end(req.url === '/long' ? long : 'after');
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  try {
    const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
    const { agent, get } = appOver(tls, host, port);
    const first = await get('/long');
    t.is(first.length, String(long.length));
    t.true(first.body.equals(long), 'byte for byte');
    t.is((await get('/after')).body.toString(), 'after', 'the next answer on the upstream connection parses');
    const found = () => proxy.events.filter((e): e is RequestEvent => e.type === 'request');
    for (let i = 0; i < 200 && found().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    t.deepEqual(
      found().map((e) => e.bytes.response),
      [long.length, 5],
    );
    t.false(proxy.events.some((e) => e.type === 'error'));
    agent.destroy();
    tls.destroy();
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
  }
});
