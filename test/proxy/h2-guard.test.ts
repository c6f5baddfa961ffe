// The limits of an app's HTTP/2 session with the MITM, with a real node:http2 client and raw frames: the
// SETTINGS it is held to, a flood of stream resets (CVE-2023-44487), malformed frames and a silent session
// each end in GOAWAY or a close and an error event, and the proxy goes on serving the next app.
import test from 'ava';
import { constants } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { ErrorEvent } from '../../src/events.js';
import { H2_LIMITS } from '../../src/proxy/h2-guard.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2Request, h2ViaProxy, startH2Origin, type H2Origin } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

type Frame = { type: number; payload: Buffer };

function parseFrames(data: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at + 9 <= data.length;) {
    const length = data.readUIntBE(at, 3);
    frames.push({ type: data[at + 3]!, payload: data.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

/** The frames the proxy sent until (and with) its GOAWAY. */
function framesUntilGoaway(tls: TLSSocket): Promise<Frame[]> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    tls.on('error', () => undefined);
    tls.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const frames = parseFrames(data);
      if (frames.some((f) => f.type === 0x7)) resolve(frames);
    });
  });
}

/** The frames the proxy sent until it closed the connection. */
function framesUntilClose(tls: TLSSocket): Promise<Frame[]> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    tls.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
    tls.on('error', () => undefined);
    tls.once('close', () => {
      const frames: Array<{ type: number; payload: Buffer }> = [];
      for (let at = 0; at + 9 <= data.length;) {
        const length = data.readUIntBE(at, 3);
        frames.push({ type: data[at + 3]!, payload: data.subarray(at + 9, at + 9 + length) });
        at += 9 + length;
      }
      resolve(frames);
    });
  });
}

async function errorEvent(proxy: TestProxy, code: string): Promise<ErrorEvent | undefined> {
  const find = () => proxy.events.find((e): e is ErrorEvent => e.type === 'error' && e.code === code);
  for (let i = 0; i < 300 && !find(); i++) await new Promise((r) => setTimeout(r, 10));
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
    const frames = framesUntilGoaway(tls);
    // A SETTINGS frame whose length is not a multiple of 6: FRAME_SIZE_ERROR (RFC 9113 6.5).
    tls.write(Buffer.concat([PREFACE, frame(0x4, 0, 0, Buffer.alloc(5))]));
    const goaway = (await frames).find((f) => f.type === 0x7);
    t.is(goaway?.payload.readUInt32BE(4), constants.NGHTTP2_FRAME_SIZE_ERROR);
    tls.destroy();
    await stillServes(t, proxy, host, origin.port);
  });
});

test('no HTTP/2 preface after choosing h2: an HTTP2_PROTOCOL error event, the session closed, the next app served', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem], alpn: ['h2'] });
    const closed = framesUntilClose(tls);
    tls.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    t.regex((await errorEvent(proxy, 'HTTP2_PROTOCOL'))?.message ?? '', /broke the protocol/);
    await stillServes(t, proxy, host, origin.port);
  });
});

test('an h2 session that sends no request within the header deadline is closed with an error event', async (t) => {
  await withProxy(async (proxy, origin, host) => {
    const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem], alpn: ['h2'] });
    const frames = framesUntilClose(tls);
    // The preface and SETTINGS, then nothing.
    tls.write(Buffer.concat([PREFACE, frame(0x4, 0, 0, Buffer.alloc(0))]));
    const sent = await frames;
    t.truthy(
      sent.find((f) => f.type === 0x7),
      'GOAWAY before the close',
    );
    t.regex((await errorEvent(proxy, 'HEADER_TIMEOUT'))?.message ?? '', /no HTTP\/2 request within 300 ms/);
    await stillServes(t, proxy, host, origin.port);
  }, 300);
});
