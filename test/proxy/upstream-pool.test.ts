// How the upstream agent pools its connections: the pool key, and each connection's silence limit, which
// stays set across exchanges and is the exchange's again when an origin's Keep-Alive hint shortened it
// for the time in the pool.
import test from 'ava';
import { Agent as HttpAgent } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { ClientRequest } from 'node:http';
import { HostRecorder } from '../../src/proxy/host-recorder.js';
import { UpstreamAgent } from '../../src/proxy/upstream-agent.js';
import { poolKey, pooledTimeoutMs, takeFree } from '../../src/proxy/upstream-pool.js';
import type { HandshakeRecord } from '../../src/types.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('pool key: host, port and a name other than the host; an empty name and the host itself are one key', (t) => {
  const base = { host: 'a.test', port: 443 };
  t.is(poolKey({ ...base, servername: '' }), poolKey({ ...base, servername: 'a.test' }));
  t.not(poolKey({ ...base, servername: '' }), poolKey({ ...base, servername: 'b.test' }));
  t.not(poolKey(base), poolKey({ ...base, port: 8443 }));
  t.not(poolKey(base), poolKey({ ...base, host: 'b.test' }));
  t.not(poolKey(base), poolKey({ ...base, localAddress: '127.0.0.2' }));
});

test('a Node whose Agent or request lacks a part the free-connection path uses: Node’s addRequest, the pool untouched', (t) => {
  const options = { host: 'origin.test', port: 443, servername: 'origin.test' };
  const key = poolKey(options);
  const free = () => [{ destroyed: false } as Socket];
  const request = { onSocket: () => t.fail('not handed over') } as unknown as ClientRequest;
  const reuseSocket = () => t.fail('not reused');
  // The parts as a future Node might leave them out (docs/design.md, Node internals it relies on).
  t.false(takeFree({ sockets: {}, reuseSocket }, request, options), 'no freeSockets');
  t.false(takeFree({ freeSockets: { [key]: free() }, reuseSocket }, request, options), 'no sockets');
  const noReuse = { freeSockets: { [key]: free() }, sockets: {} };
  t.false(takeFree(noReuse, request, options), 'no reuseSocket');
  t.is(noReuse.freeSockets[key]?.length, 1);
  const noOnSocket = { freeSockets: { [key]: free() }, sockets: {}, reuseSocket };
  t.false(takeFree(noOnSocket, {} as ClientRequest, options), 'no request.onSocket');
  t.is(noOnSocket.freeSockets[key]?.length, 1);
});

test('time in the pool: the silence limit, or a second under a shorter announced idle timeout', (t) => {
  t.is(pooledTimeoutMs(undefined, 60_000), 60_000);
  t.is(pooledTimeoutMs('max=100', 60_000), 60_000);
  t.is(pooledTimeoutMs('timeout=5', 60_000), 4_000);
  t.is(pooledTimeoutMs('timeout=5, max=100', 60_000), 4_000);
  t.is(pooledTimeoutMs('timeout=600', 60_000), 60_000);
  t.is(pooledTimeoutMs('timeout=1', 60_000), null, 'no time left to reuse it');
  t.is(pooledTimeoutMs('timeout=0', 60_000), null);
  t.is(pooledTimeoutMs('timeout=5', 0), 0, 'no silence limit: none in the pool either');
});

const SILENCE_MS = 30_000;

/** An origin for valid.example.com; `hint` is its keep-alive timeout, announced as `Keep-Alive: timeout=N` (0: none). */
async function origin(hint: number) {
  const scenario = fixtures.pki.scenarios.valid!;
  const server = createServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => res.end('ok'));
  server.keepAliveTimeout = hint * 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const recorder = {
    cached: () => undefined,
    record: () => Promise.resolve(undefined),
    verdict: () => Promise.resolve({ record: undefined }),
    judging: () => Promise.resolve(undefined),
    refresh: () => Promise.resolve({} as HandshakeRecord),
  } as unknown as HostRecorder;
  const agent = new UpstreamAgent({
    resolve: new Map([[`valid.example.com:${port}`, ['127.0.0.1']]]),
    proxyFor: () => null,
    minVersion: 'TLSv1.2',
    timeoutMs: 5000,
    responseTimeoutMs: SILENCE_MS,
    recorder,
    accepts: () => true,
    clientFor: () => null,
    anchors: () => [fixtures.pki.publicRoot.pem],
  });
  /** One GET; the upstream socket's timeout while its response is read, and the socket. */
  const get = () =>
    new Promise<{ during: number | undefined; socket: Socket }>((resolve, reject) => {
      const req = request({ agent, host: 'valid.example.com', port, servername: '', path: '/' }, (res) => {
        const socket = res.socket;
        const during = socket.timeout;
        res.resume();
        res.on('end', () => resolve({ during, socket }));
      });
      req.on('error', reject);
      req.end();
    });
  const close = async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { get, close };
}

/** Resolves once the agent has taken `socket` back into its pool (the 'free' event runs on the next tick). */
const pooled = () => new Promise((resolve) => setImmediate(resolve));

test('a pooled connection keeps its silence limit: not cleared and set again around every exchange', async (t) => {
  const { get, close } = await origin(0);
  try {
    const first = await get();
    await pooled();
    const calls: number[] = [];
    const setTimeout = first.socket.setTimeout.bind(first.socket);
    first.socket.setTimeout = ((ms: number, callback?: () => void) => {
      calls.push(ms);
      return setTimeout(ms, callback);
    }) as typeof first.socket.setTimeout;
    for (let i = 0; i < 3; i++) {
      const next = await get();
      t.is(next.socket, first.socket, 'the same pooled connection');
      t.is(next.during, SILENCE_MS);
      await pooled();
    }
    t.deepEqual(calls, [], 'no timer work per exchange');
    t.is(first.socket.timeout, SILENCE_MS);
  } finally {
    await close();
  }
});

test("an origin's shorter Keep-Alive hint holds in the pool only: the next exchange has the full silence limit", async (t) => {
  const { get, close } = await origin(5);
  try {
    const first = await get();
    t.is(first.during, SILENCE_MS);
    await pooled();
    t.is(first.socket.timeout, 4_000, 'closed a second before the origin would');
    const next = await get();
    t.is(next.socket, first.socket);
    t.is(next.during, SILENCE_MS, 'a slow answer on a reused connection is not cut at the pool timeout');
    await pooled();
    t.is(first.socket.timeout, 4_000);
  } finally {
    await close();
  }
});

test.serial(
  "a request on a free pooled connection takes it without Node's addRequest; the first, with none free, goes through it",
  async (t) => {
    const { get, close } = await origin(0);
    const base = HttpAgent.prototype as unknown as { addRequest: (...args: unknown[]) => void };
    const addRequest = base.addRequest;
    let viaNode = 0;
    base.addRequest = function (this: unknown, ...args: unknown[]) {
      viaNode++;
      return addRequest.apply(this, args);
    };
    try {
      const first = await get();
      await pooled();
      t.is(viaNode, 1, 'a new connection: Node makes it');
      for (let i = 0; i < 3; i++) {
        const next = await get();
        t.is(next.socket, first.socket, 'the same pooled connection');
        await pooled();
      }
      t.is(viaNode, 1, 'the pooled connection was handed over directly');
    } finally {
      base.addRequest = addRequest;
      await close();
    }
  },
);
