// An upstream proxy (--upstream-proxy) that answers CONNECT with whatever bytes it likes: each app's
// request gets an answer in bounded time, the failure is named, and the proxy keeps serving.
import '../../scripts/dns-guard.mjs'; // names other than loopback fail as NXDOMAIN, without a resolver
import test from 'ava';
import { parseProxyUrl } from '../../src/net/connector.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchViaProxy, startTestProxy } from '../helpers/proxy.js';
import { startRawOrigin } from '../helpers/raw-origin.js';

/** Answers to "CONNECT cN.hostile.test:443", by N. */
const CONNECT_ANSWERS: Array<{ name: string; bytes: string; close?: boolean }> = [
  { name: '200 with a body', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' },
  { name: 'bare 101', bytes: 'HTTP/1.1 101 Switching Protocols\r\n\r\n' },
  { name: 'status 000', bytes: 'HTTP/1.1 000 Zero\r\n\r\n' },
  { name: 'garbage', bytes: 'garbage\r\n\r\n' },
  { name: '407 without a challenge', bytes: 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n' },
  { name: '200 with a Trailer field', bytes: 'HTTP/1.1 200 OK\r\nTrailer: X\r\n\r\n' },
  { name: '200, then closed', bytes: 'HTTP/1.1 200 Connection established\r\n\r\n', close: true },
  { name: '100 then 200', bytes: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n' },
  { name: 'a head over 64 KiB', bytes: `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n` },
  { name: 'closed before answering', bytes: '', close: true },
  { name: 'half a head, then closed', bytes: 'HTTP/1.1 200 Conn', close: true },
];

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('hostile answers to CONNECT from the upstream proxy: each app gets an answer in time, and the proxy keeps serving', async (t) => {
  const upstream = await startRawOrigin((target) => {
    const index = /^c(\d+)\.hostile\.test:/.exec(target)?.[1];
    const answer = index === undefined ? undefined : CONNECT_ANSWERS[Number(index)];
    // Bytes in a tunnel (a ClientHello) or any other request: a refusal.
    return answer ?? { bytes: 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', close: true };
  });
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [],
    {},
    {
      upstreamProxy: parseProxyUrl(`http://127.0.0.1:${upstream.port}`, 'upstream-proxy'),
      timeoutMs: 2_000,
      recordTimeoutMs: 2_000,
    },
  );
  try {
    for (const round of [0, 1])
      for (const [index, { name }] of CONNECT_ANSWERS.entries()) {
        const started = Date.now();
        const answer = await Promise.race([
          fetchViaProxy(proxy.port, `https://c${index}.hostile.test:8443/`, proxy.ca.certPem).catch((error: Error) => ({
            status: 0,
            body: error.message,
          })),
          new Promise<{ status: number; body: string }>((resolve) =>
            setTimeout(() => resolve({ status: -1, body: 'no answer within 10 s' }), 10_000),
          ),
        ]);
        if (process.env.HOSTILE_LOG) t.log(round, name, answer.status, Date.now() - started, answer.body.slice(0, 100));
        t.true(
          [502, 504].includes(answer.status),
          `${name} (round ${round}): ${answer.status} ${answer.body.slice(0, 200)}`,
        );
      }
    const codes = new Set(proxy.events.flatMap((e) => (e.type === 'error' ? [e.code] : [])));
    t.false(codes.has('PROXY_ERROR'), [...codes].join(' '));
  } finally {
    await proxy.close();
    await upstream.close();
  }
});
