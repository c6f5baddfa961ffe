// A streamed answer (Server-Sent Events, an LLM API's tokens, a long poll's heartbeat) must reach the app
// piece by piece as the origin sends it, on every path: plain HTTP, the MITM to an HTTP/1.1 app, the MITM
// to an HTTP/2 app, from an HTTP/1.1 origin and from an HTTP/2 one. A proxy that holds pieces back until
// the answer ends (or until a buffer fills) makes a streaming app look hung. Each piece must reach the
// app before the origin sends the next, PAUSE_MS later.
import test from 'ava';
import { request as httpRequest, createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { request as httpsRequest, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2ViaProxy } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';

const PIECES = 4;
const PAUSE_MS = 400;

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** When the origin sent each piece, and when the app got it (ms, the test's clock). */
interface Timeline {
  sent: number[];
  got: number[];
}

/** Writes PIECES events PAUSE_MS apart, noting when each went, then ends. */
function stream(write: (piece: string) => void, end: () => void, sent: number[]): void {
  let index = 0;
  const next = () => {
    sent.push(performance.now());
    write(`data: piece ${index}\n\n`);
    if (++index < PIECES) setTimeout(next, PAUSE_MS);
    else setTimeout(end, 50);
  };
  next();
}

function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** Notes when each piece (an event ending in a blank line) reached the app. */
function noteArrivals(got: number[]): (chunk: string) => void {
  let text = '';
  return (chunk) => {
    text += chunk;
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      got.push(performance.now());
      text = text.slice(end + 2);
    }
  };
}

function checkTimeline(t: import('ava').ExecutionContext, timeline: Timeline, path: string): void {
  t.is(timeline.got.length, PIECES, `${path}: every piece arrived`);
  for (let index = 0; index + 1 < PIECES; index++) {
    const got = timeline.got[index]!;
    const nextSent = timeline.sent[index + 1]!;
    t.true(
      got < nextSent,
      `${path}: piece ${index} reached the app ${Math.round(got - timeline.sent[index]!)} ms after it was sent, after the next one was sent`,
    );
  }
}

/** GET /h1 through the MITM from an HTTP/1.1 app, noting when each piece arrives. */
async function mitmH1(
  proxy: TestProxy,
  host: string,
  port: number,
  timelines: Map<string, Timeline>,
  opened?: TLSSocket,
): Promise<void> {
  const tls = opened ?? (await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] }));
  await new Promise<void>((resolve, reject) => {
    const req = httpsRequest({ createConnection: () => tls, host, port, path: '/h1' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', noteArrivals(timelines.get('/h1')!.got));
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  tls.destroy();
}

/** GET /h2 through the MITM from an HTTP/2 app, noting when each piece arrives. */
async function mitmH2(proxy: TestProxy, host: string, port: number, timelines: Map<string, Timeline>): Promise<void> {
  const session = await h2ViaProxy(proxy.port, host, port, proxy.ca.certPem);
  await new Promise<void>((resolve, reject) => {
    const request = session.request({ ':path': '/h2' });
    request.setEncoding('utf8');
    request.on('response', () => request.on('data', noteArrivals(timelines.get('/h2')!.got)));
    request.on('end', resolve);
    request.on('error', reject);
  });
  session.close();
}

async function withProxy(host: string, port: number, use: (proxy: TestProxy) => Promise<void>): Promise<void> {
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${port}:127.0.0.1`]);
  try {
    await use(proxy);
  } finally {
    await proxy.close();
  }
}

test('Server-Sent Events from an HTTP/1.1 origin reach a plain-HTTP app, and HTTP/1.1 and HTTP/2 apps through the MITM, piece by piece', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const timelines = new Map<string, Timeline>();
  const handler = (req: import('node:http').IncomingMessage, res: ServerResponse) => {
    const sent: number[] = [];
    timelines.set(req.url ?? '', { sent, got: [] });
    sseHeaders(res);
    stream(
      (piece) => res.write(piece),
      () => res.end(),
      sent,
    );
  };
  const tlsOrigin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, handler);
  const plainOrigin = createHttpServer(handler);
  await new Promise<void>((resolve) => tlsOrigin.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => plainOrigin.listen(0, '127.0.0.1', resolve));
  const tlsPort = (tlsOrigin.address() as AddressInfo).port;
  const plainPort = (plainOrigin.address() as AddressInfo).port;
  try {
    await withProxy(host, tlsPort, async (proxy) => {
      const plain = new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          { agent: false, host: '127.0.0.1', port: proxy.port, path: `http://127.0.0.1:${plainPort}/plain` },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', noteArrivals(timelines.get('/plain')!.got));
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end();
      });
      const [h1, h2] = [mitmH1(proxy, host, tlsPort, timelines), mitmH2(proxy, host, tlsPort, timelines)];
      await Promise.all([plain, h1, h2]);
    });
    for (const path of ['/plain', '/h1', '/h2']) checkTimeline(t, timelines.get(path)!, path);
  } finally {
    tlsOrigin.closeAllConnections();
    plainOrigin.closeAllConnections();
    await new Promise((resolve) => tlsOrigin.close(resolve));
    await new Promise((resolve) => plainOrigin.close(resolve));
  }
});

test('Server-Sent Events from an HTTP/2 origin reach HTTP/1.1 and HTTP/2 apps through the MITM piece by piece, the HTTP/2 app over HTTP/2 though an HTTP/1.1 app came first', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const timelines = new Map<string, Timeline>();
  // HTTP/1.1 allowed too, as nearly every HTTP/2 server does: an app that offers only HTTP/1.1 fails its
  // handshake with an HTTP/2-only one directly, and the proxy says so rather than stream.
  const versions = new Map<string, string>();
  const origin = createSecureServer({ key: scenario.keyPem, cert: scenario.sent.join(''), allowHTTP1: true });
  origin.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const sent: number[] = [];
    timelines.set(req.url, { sent, got: [] });
    versions.set(req.url, req.httpVersion);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    stream(
      (piece) => res.write(piece),
      () => res.end(),
      sent,
    );
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  try {
    await withProxy(host, port, async (proxy) => {
      // The HTTP/1.1 app's connection first: the upstream connection opened for it (http/1.1 offered alone)
      // waits for its request. The HTTP/2 app arriving then must still reach the origin over HTTP/2; it
      // once took that connection, and the origin looked HTTP/1.1-only to it (its gRPC calls refused).
      const h1App = await tlsViaProxy(proxy.port, host, port, { ca: [proxy.ca.certPem] });
      await mitmH2(proxy, host, port, timelines);
      await mitmH1(proxy, host, port, timelines, h1App);
    });
    t.is(versions.get('/h2'), '2.0', 'the HTTP/2 app went to the origin over HTTP/2');
    for (const path of ['/h1', '/h2']) checkTimeline(t, timelines.get(path)!, path);
  } finally {
    await new Promise((resolve) => origin.close(resolve));
  }
});
