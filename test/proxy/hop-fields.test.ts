// The app's hop-by-hop request fields (RFC 9110 7.6.1): which they are, however spelled, and that none of
// them reaches the origin through the MITM or the plain-HTTP proxy, while the body's framing, Host and the
// other fields do, and the upstream connection stays pooled after an app's "Connection: close".
import test from 'ava';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { connectionTokens, requestHopFields } from '../../src/proxy/hop-fields.js';
import { upstreamHeaders } from '../../src/proxy/mitm-forward.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startWebSocketOrigin } from '../helpers/websocket-origin.js';
import { startTestProxy, tlsViaProxy } from '../helpers/proxy.js';

const ALWAYS = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];
const hop = (headers: IncomingMessage['headers']) => {
  const fields = requestHopFields(headers);
  return fields && [...fields].sort();
};
const plus = (...names: string[]) => [...ALWAYS, ...names].sort();

test('no hop-by-hop field: nothing more to do (the per-request fast path)', (t) => {
  t.is(
    requestHopFields({ host: 'a.test', accept: '*/*', 'content-length': '3', 'transfer-encoding': 'chunked' }),
    null,
  );
  t.is(requestHopFields({ 'proxy-connection': 'keep-alive' }), null, 'proxy-* goes by its prefix');
});

test('Connection and the fields it lists, whatever the case, spacing, repeats or empty members', (t) => {
  t.deepEqual(hop({ connection: 'keep-alive' }), plus(), "a browser's or Node agent's");
  t.deepEqual(hop({ connection: 'close' }), plus());
  t.deepEqual(hop({ connection: 'keep-alive, X-Secret-Hop' }), plus('x-secret-hop'));
  t.deepEqual(hop({ connection: 'CoNNection, X-A' }), plus('x-a'));
  // Node joins repeated Connection headers with ", ".
  t.deepEqual(hop({ connection: 'close, , X-A ,\tx-b,,' }), plus('x-a', 'x-b'));
  t.deepEqual(hop({ connection: ',' }), plus());
  t.deepEqual(hop({ connection: 'upgrade' }), plus(), 'Connection: upgrade on a request that is not one');
});

test('Keep-Alive, TE, Trailer or Upgrade alone are dropped without a Connection header', (t) => {
  t.deepEqual(hop({ 'keep-alive': 'timeout=5' }), plus());
  t.deepEqual(hop({ te: 'trailers' }), plus());
  t.deepEqual(hop({ upgrade: 'h2c' }), plus());
  t.deepEqual(hop({ trailer: 'x-sum' }), plus(), "the app's trailers are not passed on");
});

test('a Connection header cannot take away Host, the body framing or Via', (t) => {
  t.deepEqual(hop({ connection: 'Host, Content-Length, Transfer-Encoding, VIA, x-a' }), plus('x-a'));
});

const message = (headers: IncomingMessage['headers']) => ({ headers }) as IncomingMessage;

test('upstream headers: the hop-by-hop fields left out, the end-to-end ones and Content-Length kept, our Via on', (t) => {
  const sent = upstreamHeaders(
    message({
      host: 'a.test',
      connection: 'keep-alive, X-Secret-Hop, via',
      'x-secret-hop': '1',
      'keep-alive': 'timeout=5',
      te: 'gzip',
      upgrade: 'h2c',
      'content-length': '3',
      via: '1.1 corp',
      'x-app': 'yes',
    }),
    'tlswitness-abc',
  );
  t.deepEqual(sent, { host: 'a.test', 'content-length': '3', via: '1.1 corp, 1.1 tlswitness-abc', 'x-app': 'yes' });
});

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
  socket: object;
}

/** An origin (HTTPS or plain) that keeps what each request brought and answers "ok". */
async function startEchoOrigin(tls: { key: string; cert: string } | null) {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body, socket: req.socket });
      res.end('ok');
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    seen,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Raw request bytes on `socket`; resolves once the proxy's answer ("ok", its Content-Length) is in. */
function exchange(socket: Duplex, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const onData = (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!/\r\n\r\nok$/.test(answer)) return;
      socket.off('data', onData);
      socket.off('error', reject);
      resolve(answer);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request);
  });
}

/** The attacker's spellings: mixed case, two Connection headers, a field listed in the second. */
const HOP_HEAD =
  'CoNNection: keep-alive, X-Secret-Hop\r\nconnection: , x-other-hop ,\r\nX-Secret-Hop: 1\r\nX-Other-Hop: 2\r\n' +
  'Keep-Alive: timeout=5\r\nTE: gzip\r\nUpgrade: h2c\r\nTrailer: x-sum\r\nX-End: kept\r\nAccept: */*\r\n';
/** A body in chunks on a GET, with its framing fields listed: re-framed for the origin, not sent bare. */
const CHUNKED_GET = 'Connection: Transfer-Encoding, Host, Via\r\nTransfer-Encoding: chunked\r\nVia: 1.1 corp\r\n\r\n';
const CHUNKS = '5\r\nhello\r\n0\r\n\r\n';

function checkSeen(t: import('ava').ExecutionContext, seen: Seen[], host: string): void {
  t.is(seen.length, 3, 'three requests, none smuggled in a body');
  const [first, second, third] = seen as [Seen, Seen, Seen];
  t.is(first.headers.connection, 'keep-alive', "Node's agent's own, not the app's");
  for (const name of ['x-secret-hop', 'x-other-hop', 'keep-alive', 'te', 'upgrade', 'trailer'])
    t.is(first.headers[name], undefined, `${name} is not forwarded`);
  t.is(first.headers['x-end'], 'kept');
  t.is(first.headers.accept, '*/*');
  t.is(first.headers.host, host);
  t.regex(first.headers.via ?? '', /^1\.1 tlswitness-[0-9a-f]{12}$/);
  t.is(second.body, 'hello');
  t.is(second.headers['transfer-encoding'], 'chunked');
  t.is(second.headers.host, host);
  t.regex(second.headers.via ?? '', /^1\.1 corp, 1\.1 tlswitness-[0-9a-f]{12}$/);
  t.is(third.headers.connection, 'keep-alive', "the app's close is not the origin's: Node's agent keeps it open");
  t.is(new Set(seen.map((s) => s.socket)).size, 1, 'all three on one pooled upstream connection');
}

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('through the MITM: no hop-by-hop field reaches the origin; framing, Host and the rest do', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  const origin = await startEchoOrigin({ key: scenario.keyPem, cert: scenario.sent.join('') });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  try {
    const authority = `${host}:${origin.port}`;
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
    await exchange(tls, `GET /one HTTP/1.1\r\nHost: ${authority}\r\n${HOP_HEAD}\r\n`);
    await exchange(tls, `GET /two HTTP/1.1\r\nHost: ${authority}\r\n${CHUNKED_GET}${CHUNKS}`);
    const closing = await exchange(tls, `GET /three HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
    t.regex(closing, /\r\nconnection: close\r\n/i, "the app's own connection closes");
    tls.destroy();
    checkSeen(t, origin.seen, authority);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('through the plain-HTTP proxy: likewise', async (t) => {
  const origin = await startEchoOrigin(null);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), []);
  const app = connect(proxy.port, '127.0.0.1');
  try {
    const authority = `127.0.0.1:${origin.port}`;
    await exchange(app, `GET http://${authority}/one HTTP/1.1\r\nHost: ${authority}\r\n${HOP_HEAD}\r\n`);
    await exchange(app, `GET http://${authority}/two HTTP/1.1\r\nHost: ${authority}\r\n${CHUNKED_GET}${CHUNKS}`);
    await exchange(app, `GET http://${authority}/three HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
    checkSeen(t, origin.seen, authority);
  } finally {
    app.destroy();
    await proxy.close();
    await origin.close();
  }
});

test("through the MITM's WebSocket upgrade: the origin gets Connection: Upgrade and Upgrade: websocket, not the app's hop fields", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  let upgradedWith!: (headers: IncomingMessage['headers']) => void;
  const upgraded = new Promise<IncomingMessage['headers']>((resolve) => (upgradedWith = resolve));
  const origin = await startWebSocketOrigin({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_ws, req) =>
    upgradedWith(req.headers),
  );
  const port = origin.port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  try {
    const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
    let answer = '';
    const switched = new Promise<void>((resolve) =>
      tls.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
        if (answer.includes('\r\n\r\n')) resolve();
      }),
    );
    tls.write(
      `GET /chat HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: Upgrade, X-Secret-Hop\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Secret-Hop: 1\r\n' +
        'Keep-Alive: timeout=5\r\nTE: gzip\r\nProxy-Authorization: Basic c2VjcmV0\r\nX-End: kept\r\n\r\n',
    );
    const seen = await upgraded;
    await switched;
    t.regex(answer, /^HTTP\/1\.1 101 /);
    t.is(seen.connection, 'Upgrade');
    t.is(seen.upgrade, 'websocket');
    t.is(seen['x-end'], 'kept');
    for (const name of ['x-secret-hop', 'keep-alive', 'te', 'proxy-authorization'])
      t.is(seen[name], undefined, `${name} is not forwarded`);
    t.regex(seen.via ?? '', /^1\.1 tlswitness-[0-9a-f]{12}$/);
    tls.destroy();
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('the names a Connection header lists: lowercase, trimmed, empty members dropped; none without the header', (t) => {
  t.deepEqual(connectionTokens('X-A, , x-b ,\t,Keep-Alive,,'), ['x-a', 'x-b', 'keep-alive']);
  t.deepEqual(connectionTokens(','), []);
  t.deepEqual(connectionTokens(undefined), []);
});
