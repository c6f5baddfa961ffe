// The header and body deadlines of the MITM's requests, on a cold host (its recording slower than the
// app's handshake, so the TLS session reaches the HTTP server after its handshake) and on a warm one.
import test from 'ava';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect, createServer as createNet, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTls, type TLSSocket } from 'node:tls';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { RequestHeadGuard } from '../../src/proxy/request-heads.js';
import { startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';

const HEADER_TIMEOUT_MS = 1500;
/** How much slower than the app's handshake the upstream's is. */
const UPSTREAM_DELAY_MS = 700;

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

interface Upstream {
  port: number;
  /** Requests the origin saw end (complete, or cut), by path. */
  ended: Map<string, 'complete' | 'cut'>;
  /** When (Date.now()) the origin completed its first TLS handshake, the proxy's recording one; null before. */
  securedAt(): number | null;
  close(): Promise<void>;
}

/**
 * An HTTPS origin that reads the whole body before it answers, behind a TCP hop that holds every new
 * connection for `delayMs`: each recording of it is slower than an app's handshake with the proxy.
 */
async function startSlowUpstream(scenario: Scenario, delayMs: number): Promise<Upstream> {
  const ended = new Map<string, 'complete' | 'cut'>();
  const origin = createHttps({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () => {
      ended.set(req.url ?? '', 'complete');
      res.end(`got ${size} bytes\n`);
    });
    req.on('close', () => ended.has(req.url ?? '') || ended.set(req.url ?? '', 'cut'));
  });
  origin.on('tlsClientError', () => undefined);
  let securedAt: number | null = null;
  origin.on('secureConnection', () => (securedAt ??= Date.now()));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originPort = (origin.address() as AddressInfo).port;
  const hops = new Set<Socket>();
  const hop: Server = createNet((client) => {
    hops.add(client);
    client.on('error', () => undefined);
    client.pause();
    const timer = setTimeout(() => {
      const upstream = connect(originPort, '127.0.0.1');
      hops.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    }, delayMs);
    client.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => hop.listen(0, '127.0.0.1', resolve));
  return {
    port: (hop.address() as AddressInfo).port,
    ended,
    securedAt: () => securedAt,
    close: async () => {
      for (const socket of hops) socket.destroy();
      origin.closeAllConnections();
      await Promise.all([new Promise((r) => hop.close(r)), new Promise((r) => origin.close(r))]);
    },
  };
}

interface Watched {
  /** Everything the proxy sent back (decrypted). */
  text: () => string;
  /** Resolves with the ms from the handshake to the proxy's close, or null if still open after `withinMs`. */
  closed: (withinMs: number) => Promise<number | null>;
}

function watch(tls: TLSSocket): Watched {
  const started = Date.now();
  let text = '';
  let closedAt: number | null = null;
  const done = new Promise<void>((resolve) => tls.once('close', () => resolve()));
  tls.on('data', (d: Buffer) => (text += d.toString('latin1')));
  tls.on('error', () => undefined);
  void done.then(() => (closedAt = Date.now()));
  return {
    text: () => text,
    closed: async (withinMs) => {
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, withinMs))]);
      if (closedAt === null) {
        tls.destroy();
        return null;
      }
      return closedAt - started;
    },
  };
}

async function withColdHost(
  run: (proxy: TestProxy, upstream: Upstream, host: string) => Promise<void>,
  delayMs = UPSTREAM_DELAY_MS,
  headerTimeoutMs = HEADER_TIMEOUT_MS,
): Promise<void> {
  const scenario = fixtures.pki.scenarios.valid!;
  const upstream = await startSlowUpstream(scenario, delayMs);
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${upstream.port}:127.0.0.1`],
    {},
    { limits: { headerTimeoutMs } },
  );
  try {
    await run(proxy, upstream, scenario.host!);
  } finally {
    await proxy.close();
    await upstream.close();
  }
}

const errorCodes = (proxy: TestProxy) => proxy.events.flatMap((e) => (e.type === 'error' ? [e.code] : []));
/** Scheduling slack on a loaded machine past when a cut is due. */
const SLACK_MS = 1500;
/** The deadline runs from the app's handshake (or, kept alive, from the last response); then the slack. */
const CUT_WITHIN_MS = HEADER_TIMEOUT_MS + SLACK_MS;
/** How long a test waits for a close that must come: far past every deadline, so only one that never comes fails. */
const CLOSE_WAIT_MS = 15_000;

/**
 * When a cold host's silent session is due to be cut, in ms from the app's handshake: at the header
 * deadline, or once the upstream was seen, if later. The session reaches the HTTP server only then
 * (mitm-front.ts), and on a loaded machine the recording's handshake through the 700 ms hop can finish
 * seconds after the app's (seen 1.4 s with two test files running, past 3 s once in four runs of the
 * proxy tests).
 */
function cutDue(upstream: Upstream, handshakeAt: number): number {
  return Math.max(HEADER_TIMEOUT_MS, (upstream.securedAt() ?? handshakeAt) - handshakeAt);
}

test('cold host: an app silent after its TLS handshake is closed at the header deadline, with an event', async (t) => {
  await withColdHost(async (proxy, upstream, host) => {
    const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
    const handshakeAt = Date.now();
    const ms = await watch(tls).closed(CLOSE_WAIT_MS);
    t.not(ms, null, `still open ${CLOSE_WAIT_MS} ms after the handshake (header deadline ${HEADER_TIMEOUT_MS} ms)`);
    const due = cutDue(upstream, handshakeAt);
    t.true(ms! <= due + SLACK_MS, `closed after ${ms} ms, due after ${due} ms`);
    t.true(ms! >= HEADER_TIMEOUT_MS - 100, `closed after ${ms} ms`);
    t.true(errorCodes(proxy).includes('HEADER_TIMEOUT'));
  });
});

test('cold host: a request head dribbled from the handshake on gets 408 at the header deadline', async (t) => {
  await withColdHost(async (proxy, upstream, host) => {
    const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
    const handshakeAt = Date.now();
    const watched = watch(tls);
    tls.write(`GET /slow HTTP/1.1\r\nHost: ${host}\r\n`);
    let i = 0;
    const dribble = setInterval(() => tls.writable && tls.write(`X-Slow-${i++}: 1\r\n`), 200);
    const ms = await watched.closed(CLOSE_WAIT_MS);
    clearInterval(dribble);
    t.not(ms, null, 'the dribbling connection was still open');
    const due = cutDue(upstream, handshakeAt);
    t.true(ms! <= due + SLACK_MS, `closed after ${ms} ms, due after ${due} ms`);
    t.regex(watched.text(), /^HTTP\/1\.1 408 /);
    t.true(errorCodes(proxy).includes('HEADER_TIMEOUT'));
  });
});

test('cold host: garbage after the TLS handshake gets 400 and an error event', async (t) => {
  await withColdHost(async (proxy, upstream, host) => {
    const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
    const watched = watch(tls);
    tls.write('\x01\x02garbage garbage\r\n\r\n');
    t.not(await watched.closed(CLOSE_WAIT_MS), null);
    t.regex(watched.text(), /^HTTP\/1\.1 400 /);
    t.true(errorCodes(proxy).includes('BAD_REQUEST'), JSON.stringify(errorCodes(proxy)));
  });
});

for (const [delayMs, headerTimeoutMs] of [
  [UPSTREAM_DELAY_MS, HEADER_TIMEOUT_MS],
  [1200, 400],
] as const) {
  test(`cold host: a request sent right after the handshake is answered (recording ${delayMs} ms, header deadline ${headerTimeoutMs} ms)`, async (t) => {
    await withColdHost(
      async (proxy, upstream, host) => {
        const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
        const watched = watch(tls);
        tls.write(`GET /ok HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        // The head waited for the recording, complete: the deadline that ran out meanwhile is not the app's.
        t.not(await watched.closed(CLOSE_WAIT_MS), null);
        t.regex(watched.text(), /^HTTP\/1\.1 200 [\s\S]*got 0 bytes/);
        t.false(errorCodes(proxy).includes('HEADER_TIMEOUT'));
      },
      delayMs,
      headerTimeoutMs,
    );
  });
}

test('a kept-alive connection is told its idle time, and closed quietly when idle that long after its last response', async (t) => {
  // An origin that says nothing of its connection (no Connection or Keep-Alive header), as nginx by default.
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = createTls({ key: scenario.keyPem, cert: scenario.sent.join('') }, (socket) => {
    socket.on('error', () => undefined);
    socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'));
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${port}:127.0.0.1`],
    {},
    { limits: { headerTimeoutMs: HEADER_TIMEOUT_MS } },
  );
  try {
    const tls = await tlsViaProxy(proxy.port, scenario.host!, port, { ca: [proxy.ca.certPem] });
    const watched = watch(tls);
    const get = async (n: number) => {
      tls.write(`GET /kept HTTP/1.1\r\nHost: ${scenario.host}\r\n\r\n`);
      while (watched.text().split('ok\n').length <= n) await new Promise((resolve) => tls.once('data', resolve));
    };
    await get(1);
    t.regex(watched.text(), /\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\n/);
    // Idle for most of the deadline, then a second exchange: the wait starts again from its response.
    await new Promise((resolve) => setTimeout(resolve, HEADER_TIMEOUT_MS * 0.6));
    await get(2);
    const answeredAt = Date.now();
    t.not(await watched.closed(CUT_WITHIN_MS), null, 'the idle connection was still open');
    const idleMs = Date.now() - answeredAt;
    t.true(idleMs >= HEADER_TIMEOUT_MS - 100, `closed ${idleMs} ms after the response`);
    t.false(errorCodes(proxy).includes('HEADER_TIMEOUT'), 'an idle kept-alive connection is not an error');
  } finally {
    await proxy.close();
    await new Promise((resolve) => origin.close(resolve));
  }
});

/** A POST whose body comes in `pieces`, one every `everyMs`; resolves when all were written or the connection closed. */
async function postInPieces(
  tls: TLSSocket,
  host: string,
  path: string,
  length: number,
  pieces: Buffer[],
  everyMs: number,
): Promise<void> {
  tls.write(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`);
  for (const piece of pieces) {
    if (tls.destroyed) return;
    tls.write(piece);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

test('a request body that stalls gets 408 within two header deadlines, and its upstream request is cut too', async (t) => {
  await withColdHost(async (proxy, upstream, host) => {
    const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
    const watched = watch(tls);
    await postInPieces(tls, host, '/stall', 1000, [Buffer.alloc(10, 0x61)], 0);
    const ms = await watched.closed(2 * HEADER_TIMEOUT_MS + 1500);
    t.not(ms, null, 'the stalled upload was still open');
    // Which rule speaks first depends on timing: 10 bytes buy the rate rule only 20 ms past the
    // deadline, so a loaded machine can hear "too slowly" before "stalled"; both are the right 408.
    t.regex(watched.text(), /^HTTP\/1\.1 408 [\s\S]*(stalled|too slowly)/);
    // The upstream sees its request end (not left open until the response timeout).
    for (let i = 0; i < 50 && !upstream.ended.has('/stall'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    t.is(upstream.ended.get('/stall'), 'cut');
    t.deepEqual(errorCodes(proxy), ['BODY_TIMEOUT'], 'one event, not also "the app left early"');
  }, 0);
});

test('a body dribbled just inside the stall deadline is cut by the minimum rate', async (t) => {
  await withColdHost(async (proxy, upstream, host) => {
    const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
    const watched = watch(tls);
    const dribble = postInPieces(
      tls,
      host,
      '/dribble',
      100,
      Array.from({ length: 100 }, () => Buffer.from('a')),
      HEADER_TIMEOUT_MS * 0.6,
    );
    const ms = await watched.closed(2 * HEADER_TIMEOUT_MS + 1500);
    t.not(ms, null, 'the dribbling upload was still open');
    t.regex(watched.text(), /^HTTP\/1\.1 408 [\s\S]*too slowly/);
    tls.destroy();
    await dribble;
  }, 0);
});

test('an upload slower than the header deadline but steady is not cut', async (t) => {
  await withColdHost(async (proxy, upstream, host) => {
    const tls = await tlsViaProxy(proxy.port, host, upstream.port, { ca: [proxy.ca.certPem] });
    const watched = watch(tls);
    // 24 KiB over about 2.4 s: 10 KiB/s, far above the minimum rate.
    await postInPieces(
      tls,
      host,
      '/steady',
      24 * 1024,
      Array.from({ length: 24 }, () => Buffer.alloc(1024, 0x62)),
      100,
    );
    t.not(await watched.closed(3000), null);
    t.regex(watched.text(), /^HTTP\/1\.1 200 [\s\S]*got 24576 bytes/);
    t.false(errorCodes(proxy).includes('BODY_TIMEOUT'));
  }, 0);
});

test('a Node without socket._httpMessage: a body that stalls after its response began is cut without a 408', async (t) => {
  const server = createHttp((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
  });
  // The socket as a Node without the field would leave it (docs/design.md, Node internals it relies on).
  server.on('connection', (socket: Socket) =>
    Object.defineProperty(socket, '_httpMessage', { get: () => undefined, set: () => undefined }),
  );
  const reports: string[] = [];
  new RequestHeadGuard(300, (code) => reports.push(code)).watch(server, () => 'test');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let text = '';
    client.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    client.on('error', () => undefined);
    client.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789');
    await new Promise((resolve) => client.once('close', resolve));
    t.deepEqual(reports, ['BODY_TIMEOUT']);
    // Node 20's own writes go through the field too, so here the response stays unsent: only the guard is judged.
    t.false(text.includes('408'), 'nothing written after a response whose head was made');
  } finally {
    server.close();
  }
});
