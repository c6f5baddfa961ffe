// An origin that answers with whatever bytes it likes (a hostile or broken server) must not end the proxy
// or poison another app's exchange: each answer below goes through the plain-HTTP proxy, the MITM to an
// HTTP/1.1 app and the MITM to an HTTP/2 app (translated from the origin's HTTP/1.1). The app gets the
// answer made fit, or an error status; then a clean request to the same origin, on the proxy's pooled
// upstream connection if it kept one, must get the clean answer.
import test, { type ExecutionContext } from 'ava';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as connectTls, createServer as createTlsServer } from 'node:tls';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2ViaProxy } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';
import { inOrder, startRawOrigin, type RawAnswer } from '../helpers/raw-origin.js';
import { startWebSocketOrigin } from '../helpers/websocket-origin.js';

const CLEAN = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean';

/** Raw answers, by name; each is written once the request's head has come. */
const ANSWERS: Record<string, string> = {
  'Trailer beside a length': 'HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nContent-Length: 2\r\n\r\nok',
  'Trailer on a 304': 'HTTP/1.1 304 Not Modified\r\nTrailer: X-Sum\r\nETag: "a"\r\n\r\n',
  'chunked 204 with a Trailer': 'HTTP/1.1 204 No Content\r\nTrailer: X\r\nTransfer-Encoding: chunked\r\n\r\n',
  'length on a 204': 'HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n',
  'trailers that must not be trailers':
    'HTTP/1.1 200 OK\r\nTrailer: Content-Length, Set-Cookie\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '2\r\nok\r\n0\r\nContent-Length: 99\r\nSet-Cookie: late=1\r\nX-Sum: 2\r\n\r\n',
  '101 to a plain GET': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nrest',
  'bare 101': 'HTTP/1.1 101 Switching Protocols\r\n\r\n',
  '101 with Upgrade alone': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n',
  '100 then 200': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  '103 early hints then 200':
    'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'unknown 1xx then 200': 'HTTP/1.1 199 Odd\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'status 999': 'HTTP/1.1 999 Nine\r\nContent-Length: 2\r\n\r\nok',
  'status 600': 'HTTP/1.1 600 Six\r\nContent-Length: 2\r\n\r\nok',
  'status 000': 'HTTP/1.1 000 Zero\r\nContent-Length: 2\r\n\r\nok',
  'status 099': 'HTTP/1.1 099 Low\r\nContent-Length: 2\r\n\r\nok',
  'status 1000': 'HTTP/1.1 1000 Four digits\r\nContent-Length: 2\r\n\r\nok',
  'two responses for one request':
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!',
  'length and chunked':
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  'two different lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!',
  'negative length': 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok',
  'bad chunk size': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n',
  'gzip coding, close-delimited': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nraw',
  'obs-fold': 'HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 2\r\n\r\nok',
  'control byte in a value': 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 2\r\n\r\nok',
  'obs-text in the reason and a value': 'HTTP/1.1 200 \xc3\xa9t\xe9\r\nX-A: caf\xe9\r\nContent-Length: 2\r\n\r\nok',
  'no reason phrase': 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.0, close-delimited': 'HTTP/1.0 200 OK\r\n\r\nok',
  'HTTP/2 status line': 'HTTP/2 200\r\nContent-Length: 2\r\n\r\nok',
  garbage: '\x16\x03\x01\x00\x05hello garbage\r\n\r\n',
  'a head over 16 KiB': `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\nok`,
  'closed before answering': '',
  'half a head, then closed': 'HTTP/1.1 200 OK\r\nContent-Le',
  'Connection listing the framing and Trailer':
    'HTTP/1.1 200 OK\r\nConnection: content-length, transfer-encoding, trailer, te\r\nTE: trailers\r\nTrailer: X\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/2-only fields':
    'HTTP/1.1 200 OK\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nKeep-Alive: 5\r\nContent-Length: 2\r\n\r\nok',
  'many Set-Cookie': `HTTP/1.1 200 OK\r\n${'Set-Cookie: a=1\r\n'.repeat(200)}Content-Length: 2\r\n\r\nok`,
};
const NAMES = Object.keys(ANSWERS);
/** Answers refused before any of them reaches the app: a 502 naming the server's fault (UPSTREAM_HTTP). */
const REFUSED = new Set([
  '101 to a plain GET',
  'bare 101',
  '101 with Upgrade alone',
  'status 000',
  'status 099',
  'length and chunked',
  'two different lengths',
  'negative length',
  'obs-fold',
  'control byte in a value',
  'HTTP/2 status line',
  'garbage',
  'a head over 16 KiB',
]);
/** The answers after which the origin closes its connection (that ends a body without a length). */
const CLOSING = new Set([
  'gzip coding, close-delimited',
  'HTTP/1.0, close-delimited',
  'closed before answering',
  'half a head, then closed',
]);

/** A request for /case/N gets ANSWERS' N-th (then the connection is closed for those in CLOSING), any other CLEAN. */
function hostile(target: string): RawAnswer {
  const index = /\/case\/(\d+)/.exec(target)?.[1];
  const name = index === undefined ? null : NAMES[Number(index)]!;
  return name === null ? { bytes: CLEAN } : { bytes: ANSWERS[name]!, close: CLOSING.has(name) };
}

interface Got {
  status: number;
  body: string;
}

/** One GET; a connection that fails or resets is status 0. Bounded: 5 s. */
function settle(start: (done: (got: Got) => void) => void): Promise<Got> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (got: Got) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(got);
    };
    const timer = setTimeout(() => done({ status: -1, body: 'no answer within 5 s' }), 5_000);
    start(done);
  });
}

type Get = (path: string) => Promise<Got>;

function collect(res: import('node:http').IncomingMessage, done: (got: Got) => void): void {
  let body = '';
  res.setEncoding('latin1');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done({ status: res.statusCode ?? 0, body }));
  res.on('error', () => done({ status: res.statusCode ?? 0, body: `${body} (cut)` }));
  res.on('aborted', () => done({ status: res.statusCode ?? 0, body: `${body} (cut)` }));
}

const plainGet =
  (proxy: TestProxy, port: number): Get =>
  (path) =>
    settle((done) => {
      const req = httpRequest(
        { agent: false, host: '127.0.0.1', port: proxy.port, path: `http://127.0.0.1:${port}${path}` },
        (res) => collect(res, done),
      );
      req.on('error', () => done({ status: 0, body: '' }));
      req.end();
    });

const mitmGet =
  (proxy: TestProxy, host: string, port: number): Get =>
  (path) =>
    settle((done) => {
      tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] }).then(
        (tls) => {
          const req = httpsRequest({ createConnection: () => tls, host, port, path }, (res) => {
            collect(res, done);
            res.once('close', () => tls.destroy());
          });
          req.on('error', (e) => done({ status: 0, body: process.env.HOSTILE_LOG ? String(e) : '' }));
          req.end();
        },
        (e) => done({ status: 0, body: process.env.HOSTILE_LOG ? String(e) : '' }),
      );
    });

const h2Get =
  (proxy: TestProxy, host: string, port: number): Get =>
  (path) =>
    settle((done) => {
      h2ViaProxy(proxy.port, host, port, proxy.ca.certPem).then(
        (session) => {
          const stream = session.request({ ':path': path });
          let status = 0;
          let body = '';
          stream.setEncoding('latin1');
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('close', () => {
            session.destroy();
            done({ status, body });
          });
          stream.on('error', () => undefined);
        },
        () => done({ status: 0, body: '' }),
      );
    });

/** Each hostile answer, then a clean request: the proxy still serves, and nothing of the hostile answer leaks into it. */
async function attack(t: ExecutionContext, get: Get, proxy: TestProxy): Promise<void> {
  for (const [index, name] of NAMES.entries()) {
    const got = await get(`/case/${index}`);
    if (process.env.HOSTILE_LOG) t.log(name, got.status, JSON.stringify(got.body.slice(0, 60)));
    t.not(got.status, -1, `${name}: the app gets an answer or a closed connection, never a hang`);
    t.false(got.body.includes('evil'), `${name}: the second response is never the app's`);
    if (REFUSED.has(name)) {
      t.is(got.status, 502, `${name}: ${got.body}`);
      t.regex(got.body, /not valid HTTP/, name);
    }
    if (name === 'Trailer beside a length') t.deepEqual(got, { status: 200, body: 'ok' });
    const clean = await get('/clean');
    t.deepEqual(clean, { status: 200, body: 'clean' }, `${name}: the next request gets the clean answer`);
  }
  const codes = new Set(proxy.events.flatMap((e) => (e.type === 'error' ? [e.code] : [])));
  t.true(codes.has('UPSTREAM_HTTP'), [...codes].join(' '));
  t.false(codes.has('UPSTREAM_TLS'), 'the server broke HTTP, not TLS');
  t.false(codes.has('PROXY_ERROR'), 'nor is it a fault of the proxy');
}

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('hostile origin answers through the plain-HTTP proxy', async (t) => {
  const origin = await startRawOrigin(hostile);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), []);
  try {
    await attack(t, plainGet(proxy, origin.port), proxy);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

for (const [label, makeGet] of [
  ['an HTTP/1.1 app', mitmGet],
  ['an HTTP/2 app', h2Get],
] as const)
  test(`hostile origin answers through the MITM, to ${label}`, async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const host = scenario.host!;
    const origin = await startRawOrigin(hostile, { key: scenario.keyPem, cert: scenario.sent.join('') });
    const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
    try {
      await attack(t, makeGet(proxy, host, origin.port), proxy);
    } finally {
      await proxy.close();
      await origin.close();
    }
  });

/** Waits until `done()` holds, 5 s at most. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; waited < 5_000 && !done(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** How an app's WebSocket closed: its code and reason, or -1 when still open after 5 s. */
function closeOf(ws: import('ws').WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ code: -1, reason: 'still open after 5 s' }), 5_000);
    ws.once('close', (code: number, reason: Buffer) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** What an app's WebSocket client makes of an upgrade: the refusal it was shown, its error, or how it opened. */
interface UpgradeOutcome {
  refused?: { status: number; challenge?: string; body: string; tlswitnessError?: string; why?: string };
  error?: string;
  opened?: boolean;
}

async function upgradeOutcome(url: string, connect: () => import('node:tls').TLSSocket): Promise<UpgradeOutcome> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(url, { createConnection: connect } as never);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: 'no outcome after 5 s' }), 5_000);
    const done = (outcome: UpgradeOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    // ws's 'unexpected-response': the answer that was not a 101, whole, as the app's code can read it.
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const refused: NonNullable<UpgradeOutcome['refused']> = { status: res.statusCode ?? 0, body };
        if (res.headers['www-authenticate']) refused.challenge = String(res.headers['www-authenticate']);
        if (res.headers['x-tlswitness-error']) refused.tlswitnessError = String(res.headers['x-tlswitness-error']);
        if (res.headers['x-why']) refused.why = `${res.statusMessage} / ${String(res.headers['x-why'])}`;
        done({ refused });
        ws.terminate();
      });
    });
    ws.on('error', (error) => done({ error: error.message }));
    ws.on('open', () => {
      done({ opened: true });
      ws.terminate();
    });
  });
}

/** Answers to a WebSocket upgrade that refuse it or get it wrong. */
const UPGRADE_ANSWERS: Record<string, string> = {
  '401 with a challenge and a body':
    'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="chat"\r\nContent-Length: 12\r\n\r\nlog in first',
  '404': 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
  '200 instead of 101': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'a chunked 403': 'HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n',
  // Latin-1 bytes (obs-text) in the reason and a field: the app reads the same bytes as directly.
  'obs-text in a refusal': 'HTTP/1.1 403 Interdit \xe9t\xe9\r\nX-Why: caf\xe9\r\nContent-Length: 0\r\n\r\n',
  'a wrong accept key':
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n',
};

test("a WebSocket upgrade the origin refuses or gets wrong: the app's client says what it says without the proxy (the origin's status, challenge and body, or the bad accept key)", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const names = Object.keys(UPGRADE_ANSWERS);
  const origin = await startRawOrigin(
    (target) => {
      const name = names[Number(/\/ws\/(\d+)/.exec(target)?.[1])];
      return name ? { bytes: UPGRADE_ANSWERS[name]!, close: !name.includes('101') } : { bytes: CLEAN };
    },
    { key: scenario.keyPem, cert: scenario.sent.join('') },
  );
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  try {
    for (const [index, name] of names.entries()) {
      const url = `wss://${host}:${origin.port}/ws/${index}`;
      const direct = await upgradeOutcome(url, () =>
        connectTls({ host: '127.0.0.1', port: origin.port, servername: host, rejectUnauthorized: false }),
      );
      const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
      const proxied = await upgradeOutcome(url, () => tls);
      tls.destroy();
      t.false(!!direct.opened, name);
      t.deepEqual(proxied, direct, name);
      t.deepEqual(await mitmGet(proxy, host, origin.port)('/clean'), { status: 200, body: 'clean' }, name);
    }
    // The origin's own answers, not faults of the proxy's or the origin's protocol: in the request log, no event.
    t.false(proxy.events.some((e) => e.type === 'error'));
    // Each is logged when the app's connection to the proxy has closed.
    const upgrades = () =>
      proxy.events.flatMap((e) => (e.type === 'request' && e.url.includes('/ws/') ? [e.status] : []));
    await until(() => upgrades().length >= names.length);
    t.deepEqual(upgrades().sort(), [101, 200, 401, 403, 403, 404]);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test("a WebSocket upgrade the origin refuses: the proxy's connection to it closes with the answer, not at the silence limit", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  // An origin that refuses each upgrade (with a length, or chunked) and would keep its connection, as a
  // keep-alive server does; it notes when the proxy's connection to it closes.
  const refusals = [
    'HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno',
    'HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n',
  ];
  const open = new Set<import('node:net').Socket>();
  let served = 0;
  const origin = createTlsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (socket) => {
    open.add(socket);
    socket.on('error', () => undefined).once('close', () => open.delete(socket));
    socket.once('data', () => socket.write(refusals[served++ % refusals.length]!));
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as import('node:net').AddressInfo).port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  try {
    for (const [index, refusal] of refusals.entries()) {
      const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
      const outcome = await upgradeOutcome(`wss://${host}:${port}/ws`, () => tls);
      t.is(outcome.refused?.status, Number(refusal.slice(9, 12)), refusal);
      // The app's client has left (ws drops the connection after a refusal); the silence limit is 60 s.
      for (let waited = 0; waited < 2_000 && open.size > 0; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      t.is(open.size, 0, `round ${index}: the upstream connection is closed`);
    }
  } finally {
    await proxy.close();
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => origin.close(resolve));
  }
});

test('a WebSocket upgrade answered with a status HTTP/1.1 cannot carry: 502 and UPSTREAM_HTTP', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const answers = ['HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'];
  const origin = await startRawOrigin(inOrder(answers), { key: scenario.keyPem, cert: scenario.sent.join('') });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  try {
    for (const answer of answers) {
      const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
      const outcome = await upgradeOutcome(`wss://${host}:${origin.port}/ws`, () => tls);
      tls.destroy();
      t.like(outcome.refused, { status: 502, tlswitnessError: 'UPSTREAM_HTTP' }, answer);
    }
    const told = proxy.events.filter((e) => e.type === 'error' && e.code === 'UPSTREAM_HTTP');
    t.is(told.length, 2);
    // Logged when the app's connection to the proxy has closed.
    const statuses = () => proxy.events.flatMap((e) => (e.type === 'request' ? [e.status] : []));
    await until(() => statuses().length >= 2);
    t.deepEqual(statuses(), [502, 502]);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a WebSocket through the MITM agrees its subprotocol and compression with the origin, and the upgrade is logged', async (t) => {
  const { WebSocket } = await import('ws');
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const origin = await startWebSocketOrigin(
    { key: scenario.keyPem, cert: scenario.sent.join('') },
    (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })),
    { perMessageDeflate: true, handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false) },
  );
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  try {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
    const ws = new WebSocket(`wss://${host}:${origin.port}/chat`, ['chat.v1', 'chat.v2'], {
      createConnection: () => tls,
    } as never);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    t.is(ws.protocol, 'chat.v2');
    t.regex(ws.extensions, /^permessage-deflate/);
    const message = 'tick '.repeat(20_000);
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send(message);
    t.is(await echoed, message);
    ws.close(1000, 'done');
    t.deepEqual(await closeOf(ws), { code: 1000, reason: 'done' });
    tls.destroy();
    const url = `https://${host}:${origin.port}/chat`;
    // Logged when the app's connection to the proxy has closed: a moment after the app's own close.
    await until(() => proxy.events.some((e) => e.type === 'request' && e.url === url));
    const logged = proxy.events.find((e) => e.type === 'request' && e.url === url);
    t.is(logged?.type === 'request' ? logged.status : null, 101);
    // Compressed end to end: the origin sent the proxy far fewer bytes than the message.
    t.true(logged?.type === 'request' && logged.bytes.response > 0 && logged.bytes.response < message.length / 10);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test("an origin's normal WebSocket close while the app is sending reaches the app as the origin's own close, with no event", async (t) => {
  const { WebSocket } = await import('ws');
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  // The origin says goodbye soon after the app's WebSocket opens, while the app keeps sending.
  const origin = await startWebSocketOrigin({ key: scenario.keyPem, cert: scenario.sent.join('') }, (ws) =>
    setTimeout(() => ws.close(1000, 'bye'), 50),
  );
  const port = origin.port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  try {
    for (let round = 0; round < 3; round++) {
      const tls = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
      const ws = new WebSocket(`wss://${host}:${port}/chat`, { createConnection: () => tls } as never);
      ws.on('error', () => undefined);
      const sending = setInterval(() => ws.readyState === ws.OPEN && ws.send('tick'), 1);
      const closed = await closeOf(ws);
      clearInterval(sending);
      tls.destroy();
      t.deepEqual(closed, { code: 1000, reason: 'bye' }, `round ${round}`);
    }
    t.false(
      proxy.events.some((e) => e.type === 'error' && e.code === 'UPSTREAM_HTTP'),
      'a normal close is not a fault of the origin',
    );
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test("an origin's WebSocket message over the app's size limit: the app's own client refuses it, as without the proxy, and the proxy has nothing to say", async (t) => {
  const { WebSocket } = await import('ws');
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  // A binary frame header announcing 2^32 bytes, over ws's 100 MiB limit: refused before any of it comes.
  const oversized = Buffer.from([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]);
  const origin = await startWebSocketOrigin({ key: scenario.keyPem, cert: scenario.sent.join('') }, (ws) =>
    (ws as unknown as { _socket: { write(bytes: Buffer): void } })._socket.write(oversized),
  );
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  const outcome = async (connect: () => import('node:tls').TLSSocket) => {
    const ws = new WebSocket(`wss://${host}:${origin.port}/big`, { createConnection: connect } as never);
    const failed = new Promise<string>((resolve) => ws.once('error', (error) => resolve(error.message)));
    const closed = await closeOf(ws);
    return { error: await failed, code: closed.code };
  };
  try {
    const direct = await outcome(() =>
      connectTls({ host: '127.0.0.1', port: origin.port, servername: host, rejectUnauthorized: false }),
    );
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
    const proxied = await outcome(() => tls);
    tls.destroy();
    t.is(direct.error, 'Max payload size exceeded');
    t.deepEqual(proxied, direct);
    t.false(proxy.events.some((e) => e.type === 'error'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});
