// The upstream response is paused while the app's side is full, behind http-mitm-proxy's final
// response filter (whose write() always returns true).
import test from 'ava';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { holdWhileFull } from '../../src/proxy/backpressure.js';

const require = createRequire(import.meta.url);
// The library's own filter, so the test pipes exactly as the proxy does.
const { ProxyFinalResponseFilter } = require('http-mitm-proxy/dist/lib/ProxyFinalResponseFilter.js') as {
  ProxyFinalResponseFilter: new (proxy: object, ctx: object) => NodeJS.WritableStream;
};

const CHUNK = 16 * 1024;
const CHUNKS = 256;
const HIGH_WATER = 64 * 1024;

/** Pipes a fast 4 MiB upstream into a slow app through the library's filter; the most the app side held. */
async function forward(withBackpressure: boolean): Promise<{ peak: number; received: Buffer }> {
  let sent = 0;
  const upstream = new Readable({
    read() {
      this.push(sent < CHUNKS ? Buffer.alloc(CHUNK, sent++ % 251) : null);
    },
  });
  const parts: Buffer[] = [];
  let peak = 0;
  const toApp = new Writable({
    highWaterMark: HIGH_WATER,
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      setImmediate(callback); // a slow app: one chunk per turn of the loop
    },
  });
  const finished = new Promise<void>((resolve) => toApp.on('finish', resolve));
  const ctx = { proxyToClientResponse: toApp };
  const proxy = { _onResponseData: (_ctx: object, chunk: Buffer, next: (error: null, chunk: Buffer) => void) => next(null, chunk), _onResponseEnd: (_ctx: object, next: (error: null) => void) => next(null) };
  if (withBackpressure) holdWhileFull(upstream, toApp);
  const watch = setInterval(() => undefined, 1); // keeps the loop turning while paused
  upstream.on('data', () => (peak = Math.max(peak, toApp.writableLength)));
  upstream.pipe(new ProxyFinalResponseFilter(proxy, ctx) as unknown as Writable);
  await finished;
  clearInterval(watch);
  return { peak, received: Buffer.concat(parts) };
}

test('the upstream waits while the app side is over its high-water mark; every byte arrives in order', async (t) => {
  const { peak, received } = await forward(true);
  t.true(peak <= HIGH_WATER + CHUNK, `held at most ${peak} bytes`);
  t.is(received.length, CHUNK * CHUNKS);
  for (let i = 0; i < CHUNKS; i++) t.is(received[i * CHUNK], i % 251);
});

test('without it, the library buffers the whole body (the case this guards against)', async (t) => {
  const { peak } = await forward(false);
  t.true(peak > 16 * HIGH_WATER, `held ${peak} bytes`);
});
