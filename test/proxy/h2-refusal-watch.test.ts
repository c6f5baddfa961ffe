// An h2 app through the MITM to origins that ask for a client certificate, go on without one, then refuse
// the request: a 403, a stream reset, a session closed before any answer (h2 origin), or a 403 from an
// HTTP/1.1-only origin. The host's record turns client-cert-required (same id); an origin that serves the
// app leaves it ok; the app's answer is the origin's own.
import test from 'ava';
import { constants, type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { h2Unanswered } from '../../src/proxy/h2-refusal-watch.js';
import type { HandshakeRecord } from '../../src/types.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2ViaProxy, startH2Origin } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, type Origin, type TestProxy } from '../helpers/proxy.js';
import { onLoopback } from '../helpers/loopback-server.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('an h2 stream closed before any answer: how, from its code and error; codes that are no refusal say nothing', (t) => {
  const streamError = (name: string) => ({
    code: 'ERR_HTTP2_STREAM_ERROR',
    message: `Stream closed with error code NGHTTP2_${name}`,
  });
  t.deepEqual(h2Unanswered(2, streamError('INTERNAL_ERROR'), false), {
    end: 'reset',
    detail: 'HTTP/2 RST_STREAM INTERNAL_ERROR',
  });
  t.deepEqual(h2Unanswered(0, null, false), { end: 'reset', detail: 'HTTP/2 RST_STREAM NO_ERROR' });
  t.deepEqual(h2Unanswered(8, null, false), { end: 'reset', detail: 'HTTP/2 RST_STREAM CANCEL' });
  t.deepEqual(h2Unanswered(8, null, true), { end: 'closed', detail: 'its HTTP/2 session ended' });
  t.deepEqual(h2Unanswered(0, null, true), { end: 'closed', detail: 'its HTTP/2 session ended' });
  t.deepEqual(h2Unanswered(1, { code: 'ERR_HTTP2_SESSION_ERROR', message: 'Session closed with error code 1' }, true), {
    end: 'closed',
    detail: 'HTTP/2 GOAWAY PROTOCOL_ERROR',
  });
  const alert = { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: 'tlsv13 alert certificate required' };
  t.deepEqual(h2Unanswered(8, alert, true), { end: 'alert', detail: alert.message });
  t.like(h2Unanswered(8, { code: 'ECONNRESET', message: 'read ECONNRESET' }, true), { end: 'reset' });
  t.is(h2Unanswered(7, streamError('REFUSED_STREAM'), false), null, 'not processed, may be retried');
  t.is(h2Unanswered(11, streamError('ENHANCE_YOUR_CALM'), false), null, 'a rate limit');
  t.is(h2Unanswered(13, streamError('HTTP_1_1_REQUIRED'), false), null, 'asks for HTTP/1.1');
  t.is(h2Unanswered(8, { code: 'ERR_SOMETHING', message: 'something else' }, true), null);
});

/** Whether the origin's TLS session got a client certificate. */
const presented = (socket: TLSSocket) => Object.keys(socket.getPeerCertificate() ?? {}).length > 0;

type Refuse = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

/** An h2 origin that asks for a client certificate, completes without one, then refuses with `refuse`. */
function startRefusingH2Origin(refuse: Refuse | null): Promise<Origin> {
  const scenario = fixtures.pki.scenarios.valid!;
  return startH2Origin(scenario, {
    requestCert: true,
    handler: (stream, headers) => {
      if (!refuse || presented(stream.session!.socket as TLSSocket)) return false;
      refuse(stream, headers);
      return true;
    },
  });
}

const forbidden: Refuse = (stream) => {
  stream.respond({ ':status': 403, 'content-type': 'text/plain' });
  stream.end('403 Forbidden: a client certificate is required\n');
};

/** The proxy's latest record of one origin, once `done` says it is final (bounded wait). */
async function recordOf(
  proxy: TestProxy,
  port: number,
  done: (r: HandshakeRecord) => boolean,
): Promise<HandshakeRecord[]> {
  const records = () =>
    proxy.events.filter((e): e is HandshakeRecord => e.type === 'handshake' && e.target.port === port);
  for (let i = 0; i < 100 && !records().some(done); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return records();
}

const required = (r: HandshakeRecord) => r.diagnosis.problem === 'client-cert-required';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request; its answer once its stream closed, or how it closed without one (a CANCEL raises no error). */
function ask(session: ClientHttp2Session, path: string): Promise<Answer | Error> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': path });
    let answer: Answer | null = null;
    let failure: Error | null = null;
    stream.setEncoding('utf8');
    stream.on('response', (headers) => (answer = { status: Number(headers[':status']), headers, body: '' }));
    stream.on('data', (chunk: string) => answer && (answer.body += chunk));
    stream.on('error', (error: Error) => (failure = error));
    stream.once('close', () =>
      resolve(answer && stream.rstCode === 0 ? answer : (failure ?? new Error(`closed with code ${stream.rstCode}`))),
    );
  });
}

/** Two requests from one h2 app session to the origin; the answers. */
async function twoRequests(proxy: TestProxy, port: number): Promise<Array<Answer | Error>> {
  const host = fixtures.pki.scenarios.valid!.host!;
  const session = await h2ViaProxy(proxy.port, host, port, proxy.ca.certPem);
  try {
    return [await ask(session, '/api'), await ask(session, '/again')];
  } finally {
    session.close();
  }
}

async function withProxyFor(origins: Origin[], fn: (proxy: TestProxy) => Promise<void>): Promise<void> {
  const host = fixtures.pki.scenarios.valid!.host!;
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    origins.map((origin) => `${host}:${origin.port}:127.0.0.1`),
  );
  try {
    await fn(proxy);
  } finally {
    await proxy.close();
    for (const origin of origins) await origin.close();
  }
}

/** A request the app cancels once the origin has it (the origin never answers it): the app's reset, not a refusal. */
async function cancelled(proxy: TestProxy, port: number, reached: Promise<ServerHttp2Stream>): Promise<void> {
  const host = fixtures.pki.scenarios.valid!.host!;
  const session = await h2ViaProxy(proxy.port, host, port, proxy.ca.certPem);
  const stream = session.request({ ':path': '/cancelled' });
  stream.on('error', () => undefined);
  const upstream = await reached;
  stream.close(constants.NGHTTP2_CANCEL);
  await new Promise((resolve) => upstream.once('close', resolve));
  session.close();
}

test("h2 app, h2 origin: a 403 turns the record client-cert-required once; the app gets the origin's 403; a 200 or the app's own cancel leave it ok", async (t) => {
  let reached!: (stream: ServerHttp2Stream) => void;
  const cancelledStream = new Promise<ServerHttp2Stream>((resolve) => (reached = resolve));
  const refusing = await startRefusingH2Origin((stream, headers) =>
    headers[':path'] === '/cancelled' ? reached(stream) : forbidden(stream, headers),
  );
  const serving = await startRefusingH2Origin(null);
  await withProxyFor([refusing, serving], async (proxy) => {
    await cancelled(proxy, refusing.port, cancelledStream);
    t.deepEqual(
      (await recordOf(proxy, refusing.port, () => true)).map((r) => r.diagnosis.problem),
      ['ok'],
      "the app's cancel says nothing",
    );
    const answers = await twoRequests(proxy, refusing.port);
    t.deepEqual(
      answers.map((a) => ('status' in a ? [a.status, a.body, a.headers['x-tlswitness-problem']] : a.message)),
      [
        [403, '403 Forbidden: a client certificate is required\n', undefined],
        [403, '403 Forbidden: a client certificate is required\n', undefined],
      ],
    );
    const records = await recordOf(proxy, refusing.port, required);
    t.is(records.length, 2, 'the record, then the amended one, once');
    const [first, amended] = records;
    t.like(first, { diagnosis: { problem: 'ok' }, clientCertificate: { requested: true, presented: null } });
    t.is(amended!.id, first!.id);
    t.like(amended, { diagnosis: { problem: 'client-cert-required', confidence: 'high' } });
    t.regex(amended!.diagnosis.summary, /the app's GET was answered 403 \("403 Forbidden: a client certificate/);

    t.is((await twoRequests(proxy, serving.port)).filter((a) => 'status' in a && a.status === 200).length, 2);
    const served = await recordOf(proxy, serving.port, () => true);
    t.deepEqual(
      served.map((r) => r.diagnosis.problem),
      ['ok'],
    );
  });
});

test('h2 app, h2 origin: a stream reset or a session closed before any answer turns the record client-cert-required (medium)', async (t) => {
  const resetting = await startRefusingH2Origin((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
  const cancelling = await startRefusingH2Origin((stream) => stream.close(constants.NGHTTP2_CANCEL));
  const closing = await startRefusingH2Origin((stream) => stream.session!.destroy());
  const goingAway = await startRefusingH2Origin((stream) => stream.session!.goaway(constants.NGHTTP2_PROTOCOL_ERROR));
  const without = "after the app's GET without answering";
  // What the record says, and what the app sees: the origin's reset or GOAWAY code as a reset (after the
  // proxy's 502 where the error came first), a session that ended without one as a 502.
  const cases: Array<[Origin, RegExp, (answer: Answer | Error) => boolean]> = [
    [
      resetting,
      /reset the connection .* \(HTTP\/2 RST_STREAM INTERNAL_ERROR\)/,
      (a) => /INTERNAL_ERROR/.test(String(a)),
    ],
    [cancelling, /reset the connection .* \(HTTP\/2 RST_STREAM CANCEL\)/, (a) => /code 8\b/.test(String(a))],
    [closing, /closed the connection .* \(its HTTP\/2 session ended\)/, (a) => 'status' in a && a.status === 502],
    [
      goingAway,
      /closed the connection .* \(HTTP\/2 GOAWAY PROTOCOL_ERROR\)/,
      (a) => /PROTOCOL_ERROR|code 1\b/.test(String(a)),
    ],
  ];
  await withProxyFor([resetting, cancelling, closing, goingAway], async (proxy) => {
    for (const [origin, said, seen] of cases) {
      const [answer] = await twoRequests(proxy, origin.port);
      t.true(seen(answer!), String('status' in answer! ? answer.status : answer));
      const records = await recordOf(proxy, origin.port, required);
      t.like(records.at(-1), { diagnosis: { problem: 'client-cert-required', confidence: 'medium' } });
      t.regex(records.at(-1)!.diagnosis.summary, said);
      t.true(records.at(-1)!.diagnosis.summary.includes(without));
    }
  });
});

/** An HTTP/1.1-only origin that asks for a client certificate and answers 403 without one (200 when `serve`). */
async function startH1Origin(serve: boolean): Promise<Origin> {
  const scenario = fixtures.pki.scenarios.valid!;
  const options: ServerOptions = {
    key: scenario.keyPem,
    cert: scenario.sent.join(''),
    requestCert: true,
    rejectUnauthorized: false,
  };
  const server = createHttpsServer(options, (req, res) => {
    if (serve || presented(req.socket as TLSSocket)) return void res.end('served\n');
    res.writeHead(403, 'Forbidden', { 'content-type': 'text/plain' });
    res.end('403 Forbidden: a client certificate is required\n');
  });
  return onLoopback(server);
}

test('h2 app, HTTP/1.1-only origin: a 403 turns the record client-cert-required; a 200 stays ok', async (t) => {
  const refusing = await startH1Origin(false);
  const serving = await startH1Origin(true);
  await withProxyFor([refusing, serving], async (proxy) => {
    const answers = await twoRequests(proxy, refusing.port);
    t.deepEqual(
      answers.map((a) => ('status' in a ? [a.status, a.body] : a.message)),
      [
        [403, '403 Forbidden: a client certificate is required\n'],
        [403, '403 Forbidden: a client certificate is required\n'],
      ],
    );
    const records = await recordOf(proxy, refusing.port, required);
    t.is(records.length, 2);
    t.is(records[1]!.id, records[0]!.id);
    t.like(records[1], { diagnosis: { problem: 'client-cert-required', confidence: 'high' } });
    t.regex(records[1]!.diagnosis.summary, /the app's GET was answered 403 Forbidden/);

    t.is((await twoRequests(proxy, serving.port)).filter((a) => 'status' in a && a.status === 200).length, 2);
    t.deepEqual(
      (await recordOf(proxy, serving.port, () => true)).map((r) => r.diagnosis.problem),
      ['ok'],
    );
  });
});

test('h2 app, HTTP/1.1-only origin that hangs up on the request: client-cert-required (medium); the app gets a 502', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  // Like a gateway that checks the certificate only when a request arrives, and hangs up.
  const server = createTlsServer(
    {
      key: scenario.keyPem,
      cert: scenario.sent.join(''),
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    },
    (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.destroy());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin: Origin = {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await withProxyFor([origin], async (proxy) => {
    const [answer] = await twoRequests(proxy, origin.port);
    t.like(answer, { status: 502 });
    const records = await recordOf(proxy, origin.port, required);
    t.like(records.at(-1), { diagnosis: { problem: 'client-cert-required', confidence: 'medium' } });
    t.regex(records.at(-1)!.diagnosis.summary, /after the app's GET without answering \(socket hang up\)/);
  });
});

test('h2 app, h2 origin: a session that served a request and then ended (an idle close met by the next stream) leaves the record ok', async (t) => {
  const served: Refuse = (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end('served\n');
  };
  // As the HTTP/1.1 path ignores a pooled connection the server closed while idle (reusedSocket).
  const idleClosed = await startRefusingH2Origin((stream, headers) =>
    headers[':path'] === '/api' ? served(stream, headers) : stream.session!.destroy(),
  );
  await withProxyFor([idleClosed], async (proxy) => {
    const [first, second] = await twoRequests(proxy, idleClosed.port);
    t.like(first, { status: 200 });
    t.like(second, { status: 502 }, 'the app is told, as for any connection that closed before answering');
    t.deepEqual(
      (await recordOf(proxy, idleClosed.port, required)).map((r) => r.diagnosis.problem),
      ['ok'],
    );
  });
});
