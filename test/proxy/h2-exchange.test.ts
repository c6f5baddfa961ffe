// An h2 app's request trailers through the MITM: passed on to an h2 origin, and to an HTTP/1.1-only origin
// on a chunked body (the only HTTP/1.1 body that carries them); dropped, with their Trailer field, for a
// body the app sized with Content-Length.
import test from 'ava';
import {
  createSecureServer,
  type ClientHttp2Session,
  type ServerHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Socket } from 'node:net';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { Flag, FrameType, PREFACE, frame, hpackLiteral, requestBlock, settings } from '../helpers/h2-frames.js';
import { h2ViaProxy, startH2Origin } from '../helpers/h2.js';
import { RawH2 } from '../helpers/h2-raw.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, type Origin } from '../helpers/proxy.js';
import { onLoopback } from '../helpers/loopback-server.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** What an origin saw of a request: its body, its trailers, and two of its fields. */
interface Seen {
  body: string;
  trailers: Record<string, unknown>;
  trailer?: string;
  transferEncoding?: string;
}

/** A POST with `body` and, when given, trailers after it; the origin's account of it (its JSON answer). */
function postWithTrailers(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body: string,
  trailers: OutgoingHttpHeaders | null,
): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const stream = session.request(
      { ':method': 'POST', ':path': '/upload', ...headers },
      { waitForTrailers: trailers !== null },
    );
    if (trailers) stream.once('wantTrailers', () => stream.sendTrailers(trailers));
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => {
      // An empty or broken answer fails the test that sent it, not the whole file.
      try {
        resolve(JSON.parse(text) as Seen);
      } catch (error) {
        reject(error as Error);
      }
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

/** Trailers as an origin reports them: its own fields only (node:http2 adds none; pseudo-headers left out). */
const own = (trailers: IncomingHttpHeaders | Record<string, string>) =>
  Object.fromEntries(Object.entries(trailers).filter(([name]) => !name.startsWith(':')));

async function startH1Origin(): Promise<Origin> {
  const scenario = fixtures.pki.scenarios.valid!;
  const server = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const seen: Seen = {
        body,
        trailers: own(req.trailers),
        trailer: req.headers.trailer,
        transferEncoding: req.headers['transfer-encoding'],
      };
      res.end(JSON.stringify(seen));
    });
  });
  return onLoopback(server);
}

function startTrailerH2Origin(): Promise<Origin> {
  return startH2Origin(fixtures.pki.scenarios.valid!, {
    handler: (stream, headers) => {
      let body = '';
      let trailers: IncomingHttpHeaders = {};
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      stream.once('trailers', (received: IncomingHttpHeaders) => (trailers = received));
      stream.once('end', () => {
        const seen: Seen = { body, trailers: own(trailers), trailer: headers.trailer as string | undefined };
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify(seen));
      });
      return true;
    },
  });
}

async function through(origin: Origin, fn: (session: ClientHttp2Session) => Promise<void>): Promise<void> {
  const host = fixtures.pki.scenarios.valid!.host!;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, host, origin.port, proxy.ca.certPem);
    try {
      await fn(session);
    } finally {
      session.close();
    }
  } finally {
    await proxy.close();
    await origin.close();
  }
}

test("an h2 origin gets the app's request trailers; a body without them still ends", async (t) => {
  await through(await startTrailerH2Origin(), async (session) => {
    t.deepEqual(await postWithTrailers(session, { trailer: 'x-sum' }, 'counted', { 'x-sum': '7', 'x-note': 'done' }), {
      body: 'counted',
      trailers: { 'x-sum': '7', 'x-note': 'done' },
      trailer: 'x-sum',
    });
    t.deepEqual(await postWithTrailers(session, {}, 'plain', null), { body: 'plain', trailers: {} });
  });
});

test("an HTTP/1.1-only origin gets the app's trailers on a chunked body; none, and no Trailer field, on a sized one", async (t) => {
  await through(await startH1Origin(), async (session) => {
    t.deepEqual(await postWithTrailers(session, { trailer: 'x-sum' }, 'counted', { 'x-sum': '7' }), {
      body: 'counted',
      trailers: { 'x-sum': '7' },
      trailer: 'x-sum',
      transferEncoding: 'chunked',
    });
    t.deepEqual(
      await postWithTrailers(session, { trailer: 'x-sum', 'content-length': '5' }, 'sized', { 'x-sum': '5' }),
      { body: 'sized', trailers: {} },
    );
  });
});

test("an HTTP/1.1 origin's HTTP2-Settings answer field (Node refuses it in h2) is dropped, not thrown on", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const server = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => {
    // An h2c upgrade offer's field, echoed by a server that speaks only HTTP/1.1 here.
    res.writeHead(200, { 'content-type': 'text/plain', 'http2-settings': 'AAMAAABkAAQAoAAAAAIAAAAA' });
    res.end('{"body":"served","trailers":{}}');
  });
  const origin: Origin = await onLoopback(server);
  await through(origin, async (session) => {
    t.like(await postWithTrailers(session, {}, 'x', null), { body: 'served' });
  });
});

test("an app's HTTP2-Settings trailer (nghttp2 lets it in, node:http2 throws on sending it) is dropped, the rest passed on", async (t) => {
  const origin = await startTrailerH2Origin();
  const host = fixtures.pki.scenarios.valid!.host!;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  const raw = await RawH2.open({ proxyPort: proxy.port, host, port: origin.port, ca: [proxy.ca.certPem] });
  try {
    await raw.write(
      Buffer.concat([
        PREFACE,
        settings(),
        frame(FrameType.HEADERS, Flag.END_HEADERS, 1, requestBlock(`${host}:${origin.port}`, '/upload')),
        frame(FrameType.DATA, 0, 1, Buffer.from('counted')),
        frame(
          FrameType.HEADERS,
          Flag.END_HEADERS | Flag.END_STREAM,
          1,
          Buffer.concat([hpackLiteral('http2-settings', 'AAMAAABkAAQAoAAAAAIAAAAA'), hpackLiteral('x-sum', '7')]),
        ),
      ]),
    );
    const ended = (f: { type: number; flags: number; streamId: number }) =>
      f.streamId === 1 && f.type === FrameType.DATA && (f.flags & Flag.END_STREAM) !== 0;
    await raw.until((frames) => frames.some(ended), 5000);
    const body = Buffer.concat(
      raw.frames.filter((f) => f.streamId === 1 && f.type === FrameType.DATA).map((f) => f.payload),
    ).toString('utf8');
    t.deepEqual(JSON.parse(body || '{}') as Seen, { body: 'counted', trailers: { 'x-sum': '7' } });
  } finally {
    raw.close();
    await proxy.close();
    await origin.close();
  }
});

test('an HTTP/1.1 origin answering a status HTTP/2 cannot carry (999) gets the app a 502, not a throw', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  // node:http writes no status outside 100-999 itself, and llhttp reads any three digits: a raw TLS origin.
  const server = createTlsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.1 999 Weird\r\ncontent-length: 2\r\n\r\nhi'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin: Origin = {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await through(origin, async (session) => {
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': '/' });
      stream.on('response', (headers) => resolve(Number(headers[':status'])));
      stream.on('error', reject);
      stream.resume();
    });
    t.is(status, 502);
  });
});

test('an h2 origin answering a status HTTP/2 forbids as final (999) gets the app a 502, not a throw', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  // node:http2 sends no such status itself: a raw TLS origin that answers stream 1 with hand-made frames.
  const server = createTlsServer(
    { key: scenario.keyPem, cert: scenario.sent.join(''), ALPNProtocols: ['h2'] },
    (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () =>
        socket.write(
          Buffer.concat([
            settings(),
            frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, hpackLiteral(':status', '999')),
          ]),
        ),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin: Origin = {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await through(origin, async (session) => {
    const status = await new Promise<number | string>((resolve) => {
      const stream = session.request({ ':path': '/' });
      stream.on('response', (headers) => resolve(Number(headers[':status'])));
      stream.on('close', () => resolve(`closed ${stream.rstCode}`));
      stream.on('error', () => undefined);
      stream.resume();
    });
    t.is(status, 502);
  });
});

// RFC 9110 6.5.1: fields needed before the content (framing, routing, authentication, content format) are
// never trailers; a recipient merging trailers into headers (6.5.2) would take them as the app's own.
const forbiddenAppTrailers = { authorization: 'Bearer late', host: 'elsewhere.test', 'content-length': '7' };

test("an app's forbidden trailers (Authorization, Host, Content-Length) never reach an h2 origin; the rest do", async (t) => {
  await through(await startTrailerH2Origin(), async (session) => {
    const seen = await postWithTrailers(session, {}, 'counted', { ...forbiddenAppTrailers, 'x-checksum': 'abc' });
    t.deepEqual(seen, { body: 'counted', trailers: { 'x-checksum': 'abc' } });
  });
});

test("an app's forbidden trailers never reach an HTTP/1.1-only origin in its chunked trailers; the rest do", async (t) => {
  await through(await startH1Origin(), async (session) => {
    const seen = await postWithTrailers(session, {}, 'counted', { ...forbiddenAppTrailers, 'x-checksum': 'abc' });
    t.deepEqual(seen, { body: 'counted', trailers: { 'x-checksum': 'abc' }, transferEncoding: 'chunked' });
  });
});

test("an h2 origin's forbidden response trailers (Set-Cookie, Content-Type) never reach the app; grpc-status does", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  // A bare h2 server: startH2Origin's HTTP/1.1 handler would have node:http2 send its own (empty) trailers.
  const server = createSecureServer({ key: scenario.keyPem, cert: scenario.sent.join('') });
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 }, { waitForTrailers: true });
    stream.once('wantTrailers', () =>
      stream.sendTrailers({ 'set-cookie': 'session=late', 'content-type': 'text/html', 'grpc-status': '0' }),
    );
    stream.end('answered');
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin: Origin = {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
  await through(origin, async (session) => {
    const trailers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const stream = session.request({ ':path': '/', te: 'trailers' });
      stream.once('trailers', resolve);
      stream.on('error', reject);
      stream.on('end', () => reject(new Error('ended without trailers')));
      stream.resume();
    });
    t.deepEqual(own(trailers), { 'grpc-status': '0' });
  });
});

test("an HTTP/1.1 origin's 205 with a body: the app gets a 205 without one, and the drained connection serves the next", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  // node:http would not write a body on a 205 itself: a raw TLS origin, answering each request on its connection.
  let connections = 0;
  const server = createTlsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (socket) => {
    connections += 1;
    socket.on('error', () => undefined);
    socket.on('data', () => socket.write('HTTP/1.1 205 Reset Content\r\ncontent-length: 10\r\n\r\n0123456789'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket) => sockets.add(socket));
  const origin: Origin = {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  await through(origin, async (session) => {
    const get = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/form' });
        let status = 0;
        let body = '';
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (body += chunk));
        stream.on('end', () => resolve({ status, body }));
        stream.on('error', reject);
      });
    t.deepEqual(await get(), { status: 205, body: '' });
    // The first answer's connection, its body drained, carries the second request; left undrained, it sat
    // busy until a timeout and the second opened another. Bounded, so a stuck exchange fails here.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, 5000, null)));
    const second = await Promise.race([get(), late]);
    clearTimeout(timer);
    t.deepEqual(second, { status: 205, body: '' });
    t.is(connections, 1);
  });
});
