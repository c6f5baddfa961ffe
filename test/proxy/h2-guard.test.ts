// The limits of an app's HTTP/2 session with the MITM, with a real node:http2 client and raw frames: the
// SETTINGS it is held to, a flood of stream resets (CVE-2023-44487), malformed frames and a silent session
// each end in GOAWAY or a close and an error event, and the proxy goes on serving the next app.
import test from 'ava';
import { constants } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { ErrorEvent } from '../../src/events.js';
import { H2_LIMITS } from '../../src/proxy/h2-guard.js';
import {
  errorCodeOf,
  Flag,
  frame,
  FrameReader,
  FrameType,
  getRequest,
  PREFACE,
  requestBlock,
  settings,
  type Frame,
} from '../helpers/h2-frames.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2Request, h2ViaProxy, startH2Origin, type H2Origin } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** Collects the frames the proxy sends; resolves once `done` holds over them or the connection closes. */
function framesUntil(tls: TLSSocket, done: (frames: Frame[]) => boolean): Promise<Frame[]> {
  const reader = new FrameReader();
  return new Promise((resolve) => {
    tls.on('error', () => undefined);
    tls.on('data', (chunk: Buffer) => {
      reader.feed(chunk);
      if (done(reader.frames)) resolve(reader.frames);
    });
    tls.once('close', () => resolve(reader.frames));
  });
}

const goawayOf = (frames: Frame[]) => frames.find((f) => f.type === FrameType.GOAWAY);

async function errorEvent(proxy: TestProxy, code: string, tries = 300): Promise<ErrorEvent | undefined> {
  const find = () => proxy.events.find((e): e is ErrorEvent => e.type === 'error' && e.code === code);
  for (let i = 0; i < tries && !find(); i++) await new Promise((r) => setTimeout(r, 10));
  return find();
}

async function withProxy(
  run: (proxy: TestProxy, origin: H2Origin, host: string) => Promise<void>,
  headerTimeoutMs = 10_000,
): Promise<void> {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario);
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${origin.port}:127.0.0.1`],
    {},
    { limits: { headerTimeoutMs } },
  );
  try {
    await run(proxy, origin, scenario.host!);
  } finally {
    await proxy.close();
    await origin.close();
  }
}

/** The next app is still served. */
async function stillServes(
  t: { is(a: unknown, b: unknown, m?: string): void },
  proxy: TestProxy,
  host: string,
  port: number,
) {
  const session = await h2ViaProxy(proxy.port, host, port, proxy.ca.certPem);
  const answer = await h2Request(session, { ':path': '/after' });
  session.close();
  t.is(answer.status, 200, 'the next app is served');
}

test('the app is held to 100 concurrent streams and a bounded header list', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const session = await h2ViaProxy(proxy.port, host, origin.port, proxy.ca.certPem);
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    t.is(session.remoteSettings.maxConcurrentStreams, H2_LIMITS.maxConcurrentStreams);
    t.is(session.remoteSettings.maxHeaderListSize, H2_LIMITS.maxHeaderListSize);
    t.false(session.remoteSettings.enablePush);
    session.close();
  });
});

test('a flood of streams opened and reset at once (rapid reset) ends in GOAWAY and an error event', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const session = await h2ViaProxy(proxy.port, host, origin.port, proxy.ca.certPem);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    session.once('close', () => undefined);
    for (let i = 0; i < 1_000 && !session.destroyed && !session.closed; i++) {
      const stream = session.request({ ':path': `/reset/${i}` });
      stream.on('error', () => undefined);
      // Reset as soon as it has an id ('ready' has already fired when the session was connected).
      const cancel = () => stream.close(constants.NGHTTP2_CANCEL);
      if (stream.id !== undefined) cancel();
      else stream.once('ready', cancel);
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    t.is(await goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM);
    t.regex((await errorEvent(proxy, 'HTTP2_PROTOCOL'))?.message ?? '', /rapid reset/);
    session.destroy();
    await stillServes(t, proxy, host, origin.port);
  });
});

test('a malformed frame: nghttp2 answers GOAWAY naming the error, and the next app is served', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem], alpn: ['h2'] });
    const frames = framesUntil(tls, (got) => goawayOf(got) !== undefined);
    // A SETTINGS frame whose length is not a multiple of 6: FRAME_SIZE_ERROR (RFC 9113 6.5).
    tls.write(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5))]));
    t.is(errorCodeOf(goawayOf(await frames)!), constants.NGHTTP2_FRAME_SIZE_ERROR);
    // node:http2 does not tell its JavaScript: the proxy finds out at the header deadline, and names the cause.
    t.regex((await errorEvent(proxy, 'HTTP2_PROTOCOL'))?.message ?? '', /node:http2 answered a malformed frame/);
    t.is(await errorEvent(proxy, 'HEADER_TIMEOUT', 0), undefined, 'not a header timeout');
    tls.destroy();
    await stillServes(t, proxy, host, origin.port);
  }, 300);
});

test('no HTTP/2 preface after choosing h2: an HTTP2_PROTOCOL error event, the session closed, the next app served', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem], alpn: ['h2'] });
    const closed = framesUntil(tls, () => false);
    tls.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    t.regex((await errorEvent(proxy, 'HTTP2_PROTOCOL'))?.message ?? '', /broke the protocol/);
    await stillServes(t, proxy, host, origin.port);
  });
});

test('an h2 session that sends no request within the header deadline is closed with an error event', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem], alpn: ['h2'] });
    const frames = framesUntil(tls, () => false);
    // The preface and SETTINGS, then nothing.
    tls.write(Buffer.concat([PREFACE, settings()]));
    t.truthy(goawayOf(await frames), 'GOAWAY before the close');
    t.regex((await errorEvent(proxy, 'HEADER_TIMEOUT'))?.message ?? '', /no HTTP\/2 request within 300 ms/);
    await stillServes(t, proxy, host, origin.port);
  }, 300);
});

test('a header list over the limit: that stream is refused (ENHANCE_YOUR_CALM), the session goes on', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const session = await h2ViaProxy(proxy.port, host, origin.port, proxy.ca.certPem);
    // nghttp2 applies the proxy's SETTINGS once the app has acknowledged them: after a first exchange.
    t.is((await h2Request(session, { ':path': '/first' })).status, 200);
    const error = await t.throwsAsync(
      h2Request(session, { ':path': '/big', 'x-big': 'a'.repeat(H2_LIMITS.maxHeaderListSize) }),
    );
    t.regex(error?.message ?? '', /ENHANCE_YOUR_CALM/);
    t.is((await h2Request(session, { ':path': '/after' })).status, 200);
    t.regex((await errorEvent(proxy, 'HTTP2_PROTOCOL'))?.message ?? '', /refused stream 3 .*header list over/);
    session.close();
    t.false(
      origin.seen.some((headers) => headers[':path'] === '/big'),
      'never forwarded',
    );
  });
});

test('a header block trickled after a first request is held to the header deadline too', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem], alpn: ['h2'] });
    const authority = `${host}:${origin.port}`;
    const answered = framesUntil(tls, (got) => got.some((f) => f.type === FrameType.DATA && f.flags & Flag.END_STREAM));
    tls.write(Buffer.concat([PREFACE, settings(), settings([], true), getRequest(1, authority, '/first')]));
    await answered;
    const closed = framesUntil(tls, () => false);
    // Stream 3's HEADERS without END_HEADERS, then a few bytes of CONTINUATION at a time, never the end.
    tls.write(frame(FrameType.HEADERS, Flag.END_STREAM, 3, requestBlock(authority, '/slow')));
    const trickle = setInterval(() => tls.write(frame(FrameType.CONTINUATION, 0, 3, Buffer.from([0x00]))), 50);
    try {
      t.truthy(goawayOf(await closed), 'GOAWAY before the close');
    } finally {
      clearInterval(trickle);
    }
    t.regex(
      (await errorEvent(proxy, 'HEADER_TIMEOUT'))?.message ?? '',
      /header block of stream 3 was not complete within 300 ms/,
    );
    await stillServes(t, proxy, host, origin.port);
  }, 300);
});
