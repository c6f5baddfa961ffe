// HTTP/2 through the MITM with real peers on loopback: a node:http2 client and origin, 100 streams on one
// connection, an HTTP/1.1-only origin behind an h2 app, the h2 block page, and the request events and HAR facts.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RequestEvent } from '../../src/events.js';
import { relayCollector, YOUNG_GC_EVERY_BYTES } from '../../src/proxy/young-collector.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2Request, h2ViaProxy, startH2Origin } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startHttpsOrigin, startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';
import { curlViaProxy } from '../helpers/curl.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** The proxy's request events, once `count` have come (each is published when its stream closes). */
async function requestEvents(proxy: TestProxy, count: number): Promise<RequestEvent[]> {
  const found = () => proxy.events.filter((e): e is RequestEvent => e.type === 'request');
  for (let i = 0; i < 200 && found().length < count; i++) await new Promise((r) => setTimeout(r, 10));
  return found();
}

test('an app that offers only h2 is intercepted: h2 to the app and to an h2 origin, request events say HTTP/2', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const answer = await h2Request(session, { ':path': '/first?token=secret', 'user-agent': 'h2-test' });
    session.close();
    t.is(answer.status, 200);
    t.is(answer.body, 'h2 hello from valid /first?token=secret\n');
    t.is(answer.headers['x-origin'], 'h2');
    t.deepEqual(origin.protocols, ['h2'], 'the origin was reached over h2');
    t.is(origin.seen[0]!['user-agent'], 'h2-test');
    t.regex(String(origin.seen[0]!.via), /^2 tlswitness-/, 'the proxy adds its Via');
    const [event] = await requestEvents(proxy, 1);
    t.like(event, { method: 'GET', status: 200, httpVersion: '2', streamId: answer.streamId });
    t.is(event!.url, `https://${scenario.host}:${origin.port}/first?token=REDACTED`);
    t.is(event!.bytes.response, answer.body.length);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

// Serial: nothing else in this file relays while the count is read.
test.serial(
  "an h2 app's bodies both ways count towards the young-generation collections, h2 and HTTP/1.1 origins",
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const h2Origin = await startH2Origin(scenario);
    const h1Origin = await startHttpsOrigin(scenario);
    const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [
      `${scenario.host}:${h2Origin.port}:127.0.0.1`,
      `${scenario.host}:${h1Origin.port}:127.0.0.1`,
    ]);
    try {
      let bodies = 0;
      const before = relayCollector.pending;
      for (const origin of [h2Origin, h1Origin]) {
        const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
        const answer = await h2Request(session, { ':path': '/counted' });
        const posted = await h2Request(session, { ':method': 'POST', ':path': '/posted' }, 'an uploaded body');
        session.close();
        t.is(answer.status, 200);
        t.is(posted.status, 200);
        bodies += Buffer.byteLength(answer.body) + Buffer.byteLength(posted.body) + 'an uploaded body'.length;
      }
      t.is((relayCollector.pending - before + YOUNG_GC_EVERY_BYTES) % YOUNG_GC_EVERY_BYTES, bodies);
    } finally {
      await proxy.close();
      await h2Origin.close();
      await h1Origin.close();
    }
  },
);

test('100 streams multiplexed on one app connection share one upstream h2 connection', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => h2Request(session, { ':path': `/stream/${i}` })),
    );
    session.close();
    t.true(answers.every((a, i) => a.status === 200 && a.body === `h2 hello from valid /stream/${i}\n`));
    t.is(new Set(answers.map((a) => a.streamId)).size, 100);
    t.deepEqual(origin.protocols, ['h2'], 'one upstream connection carried all 100');
    const events = await requestEvents(proxy, 100);
    t.is(events.length, 100);
    t.true(events.every((e) => e.httpVersion === '2' && e.status === 200));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('an h2 app in front of an HTTP/1.1-only origin: plain requests are translated', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const first = await h2Request(session, { ':path': '/one', authorization: 'Bearer x' });
    const second = await h2Request(session, { ':method': 'POST', ':path': '/two' }, 'a body');
    session.close();
    t.is(first.status, 200);
    t.is(first.body, 'hello from valid /one\n');
    t.is(first.headers['x-seen-authorization'], 'yes');
    t.deepEqual(first.headers['set-cookie'], ['session=origin-secret-cookie']);
    t.is(first.headers.connection, undefined, 'no HTTP/1.1 connection header in an h2 answer');
    t.is(second.body, 'hello from valid /two\n');
    const events = await requestEvents(proxy, 2);
    t.true(events.every((e) => e.httpVersion === '2' && e.status === 200));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('gRPC from an h2 app to an HTTP/1.1-only origin gets a clear 502', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const answer = await h2Request(
      session,
      { ':method': 'POST', ':path': '/pkg.Service/Call', 'content-type': 'application/grpc', te: 'trailers' },
      '',
    );
    session.close();
    t.is(answer.status, 502);
    t.regex(answer.body, /speaks only HTTP\/1\.1, which cannot carry gRPC/);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a host that does not verify gets the block page as an h2 response', async (t) => {
  const scenario = fixtures.pki.scenarios.expired!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const answer = await h2Request(session, { ':path': '/' });
    session.close();
    t.is(answer.status, 502);
    t.is(answer.headers['x-tlswitness-problem'], 'expired');
    t.regex(answer.body, /tlswitness blocked this request: expired\.example\.com:\d+ failed TLS verification/);
    t.deepEqual(origin.seen, [], 'nothing reached the origin');
    const [event] = await requestEvents(proxy, 1);
    t.like(event, { status: 502, blocked: 'expired', httpVersion: '2' });
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test("the app's ALPN order decides: h2 first gets h2, http/1.1 first gets http/1.1", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario, { allowHTTP1: true });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    for (const [offer, chosen] of [
      [['h2', 'http/1.1'], 'h2'],
      [['http/1.1', 'h2'], 'http/1.1'],
    ] as const) {
      const tls = await tlsViaProxy(proxy.port, scenario.host!, origin.port, {
        ca: [proxy.ca.certPem],
        alpn: [...offer],
      });
      t.is(tls.alpnProtocol, chosen, offer.join(','));
      tls.destroy();
    }
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('curl --http2 through the proxy: HTTP/2 to curl, 200 from an h2-only origin', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  const caFile = join(fixtures.dir, `proxy-ca-${proxy.port}.pem`);
  writeFileSync(caFile, proxy.ca.certPem);
  try {
    const { stdout } = await curlViaProxy(proxy.port, caFile, `https://${scenario.host}:${origin.port}/via-curl`, {
      args: ['--http2', '-w', '%{http_version} %{http_code}'],
    });
    t.is(stdout, 'h2 hello from valid /via-curl\n2 200');
    const [event] = await requestEvents(proxy, 1);
    t.like(event, { httpVersion: '2', status: 200, method: 'GET' });
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('curl --http1.1 through the proxy to an h2-only origin: as directly, it cannot get through, and the block page says why (no application protocol in common)', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  const caFile = join(fixtures.dir, `proxy-ca-alpn-${proxy.port}.pem`);
  writeFileSync(caFile, proxy.ca.certPem);
  try {
    const { stdout } = await curlViaProxy(proxy.port, caFile, `https://${scenario.host}:${origin.port}/h1`, {
      args: ['--http1.1', '-i'],
    });
    // curl -i shows the CONNECT's answer first, then the proxy's own answer in the tunnel.
    t.regex(stdout, /^HTTP\/1\.1 502 /m);
    t.regex(stdout, /\r\nX-Tlswitness-Problem: handshake-failed\r\n/i);
    t.regex(stdout, /speaks none of the application protocols the client offered \(TLS alert 120/);
    t.regex(stdout, /fault: client, confidence: high/);
    t.false(/--tls-max 1\.2/.test(stdout), 'no advice to lower the TLS version');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('an app that prefers h2: the connection dialled ahead of its first stream is h2, not an unused HTTP/1.1 one', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario, { allowHTTP1: true });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const answer = await h2Request(session, { ':path': '/' });
    session.close();
    t.is(answer.status, 200);
    t.false(origin.protocols.includes('http/1.1'), origin.protocols.join(','));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a graceful shutdown lets an HTTP/2 stream in flight finish', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  let arrived!: () => void;
  const inFlight = new Promise<void>((resolve) => (arrived = resolve));
  const origin = await startH2Origin(scenario, {
    handler: (stream) => {
      arrived();
      setTimeout(() => {
        stream.respond({ ':status': 200 });
        stream.end('slow answer\n');
      }, 300);
      return true;
    },
  });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  let closed: Promise<void> | null = null;
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const answer = h2Request(session, { ':path': '/slow' });
    await inFlight;
    closed = proxy.server.close(5_000);
    t.like(await answer, { status: 200, body: 'slow answer\n' });
    session.destroy();
    await closed;
  } finally {
    if (!closed) await proxy.close();
    await origin.close();
  }
});

test("an h2 request that carries the proxy's own Via entry has looped: 508 and a LOOP event", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    await h2Request(session, { ':path': '/first' });
    // The entry the proxy added upstream, as a request that went round back to it would carry it.
    const via = String(origin.seen[0]!.via);
    const looped = await h2Request(session, { ':path': '/again', via });
    session.close();
    t.is(looped.status, 508);
    t.is(origin.seen.length, 1, 'not forwarded');
    t.truthy(proxy.events.find((e) => e.type === 'error' && e.code === 'LOOP'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('an h2 app in front of an HTTP/1.1-only origin: bodies framed whatever the method, no Trailer or TE', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${port}:127.0.0.1`]);
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, port, proxy.ca.certPem);
    // h2 frames a body itself: no Content-Length needed, and a GET or DELETE may carry one.
    const smuggled = `GET /smuggled HTTP/1.1\r\nHost: ${scenario.host}\r\n\r\n`;
    const answers = [
      await h2Request(session, { ':path': '/announced', trailer: 'x-sum', te: 'trailers' }),
      await h2Request(session, { ':method': 'GET', ':path': '/get-body' }, smuggled),
      await h2Request(session, { ':method': 'DELETE', ':path': '/delete-body' }, smuggled),
    ];
    session.close();
    t.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    t.deepEqual(
      seen.map((s) => [s.method, s.url, s.body]),
      [
        ['GET', '/announced', ''],
        ['GET', '/get-body', smuggled],
        ['DELETE', '/delete-body', smuggled],
      ],
      'each body reached the origin as a body, not as a request of its own',
    );
    t.is(seen[0]!.headers.trailer, undefined, 'no trailers are passed on to an HTTP/1.1 origin');
    t.is(seen[0]!.headers.te, undefined);
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
  }
});
