// An app's HTTP/2 request body that stalls is cut as on HTTP/1.1: a 408, a BODY_TIMEOUT event, the
// upstream stream cancelled; a body that keeps coming passes.
import test from 'ava';
import type { ErrorEvent } from '../../src/events.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2ViaProxy, startH2Origin } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('a request body that stalls after its first byte gets a 408 and a BODY_TIMEOUT event', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  let upstreamClosed!: () => void;
  const cancelled = new Promise<void>((resolve) => (upstreamClosed = resolve));
  // The origin answers once the whole body has come.
  let completed = false;
  const origin = await startH2Origin(scenario, {
    handler: (stream) => {
      stream.once('close', () => upstreamClosed());
      stream.resume();
      stream.once('end', () => {
        // node:http2 ends the readable side of a cancelled stream too, destroyed.
        if (stream.destroyed) return;
        completed = true;
        stream.respond({ ':status': 200 });
        stream.end('got it\n');
      });
      return true;
    },
  });
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${origin.port}:127.0.0.1`],
    {},
    { limits: { headerTimeoutMs: 300 } },
  );
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const upload = session.request({ ':method': 'POST', ':path': '/upload' }, { endStream: false });
    upload.on('error', () => undefined);
    upload.write('a');
    const status = await new Promise<number>((resolve) =>
      upload.once('response', (headers) => resolve(Number(headers[':status']))),
    );
    t.is(status, 408);
    await cancelled;
    t.false(completed, 'the origin is told CANCEL, never that the cut body ended');
    session.destroy();
    const find = () => proxy.events.find((e): e is ErrorEvent => e.type === 'error' && e.code === 'BODY_TIMEOUT');
    for (let i = 0; i < 100 && !find(); i++) await new Promise((r) => setTimeout(r, 10));
    // One byte in ~300 ms is both a stall and under the minimum rate: whichever rule the check meets first.
    t.regex(
      find()?.message ?? '',
      /the request body (stalled \(no byte of it for 300 ms\)|came too slowly \(1 byte in \d+ ms, under 500 bytes\/s\)) on HTTP\/2 stream 1/,
    );
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a body that keeps coming passes', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario, {
    handler: (stream) => {
      let size = 0;
      stream.on('data', (chunk: Buffer) => (size += chunk.length));
      stream.once('end', () => {
        stream.respond({ ':status': 200 });
        stream.end(`${size}\n`);
      });
      return true;
    },
  });
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${origin.port}:127.0.0.1`],
    {},
    { limits: { headerTimeoutMs: 300 } },
  );
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const upload = session.request({ ':method': 'POST', ':path': '/upload' }, { endStream: false });
    let body = '';
    upload.setEncoding('utf8');
    upload.on('data', (chunk: string) => (body += chunk));
    const ended = new Promise((resolve) => upload.once('end', resolve));
    // 10 chunks of 1,000 bytes, 100 ms apart: under the stall deadline and well over 500 bytes/s.
    for (let i = 0; i < 10; i++) {
      upload.write(Buffer.alloc(1_000, 'x'));
      await new Promise((r) => setTimeout(r, 100));
    }
    upload.end();
    await ended;
    session.close();
    t.is(body, '10000\n');
    t.false(proxy.events.some((e) => e.type === 'error' && e.code === 'BODY_TIMEOUT'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a gRPC call whose client stream is quiet between messages is not cut', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startH2Origin(scenario, {
    handler: (stream) => {
      stream.resume();
      stream.once('end', () => {
        // A trailers-only answer (gRPC's status in the one HEADERS frame, which ends the stream).
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true });
      });
      return true;
    },
  });
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${origin.port}:127.0.0.1`],
    {},
    { limits: { headerTimeoutMs: 300 } },
  );
  try {
    const session = await h2ViaProxy(proxy.port, scenario.host!, origin.port, proxy.ca.certPem);
    const call = session.request(
      { ':method': 'POST', ':path': '/pkg.S/Stream', 'content-type': 'application/grpc', te: 'trailers' },
      { endStream: false },
    );
    call.write(Buffer.from([0, 0, 0, 0, 0]));
    // Three times the body deadline without a message, then the last one.
    await new Promise((r) => setTimeout(r, 900));
    call.end(Buffer.from([0, 0, 0, 0, 0]));
    const response = await new Promise<Record<string, unknown>>((resolve) => call.once('response', resolve));
    call.resume();
    session.close();
    t.like(response, { ':status': 200, 'grpc-status': '0' });
    t.false(proxy.events.some((e) => e.type === 'error' && e.code === 'BODY_TIMEOUT'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});
