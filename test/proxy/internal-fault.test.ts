// A bug in the proxy's own code while serving a request (a TypeError in the upstream dial, the agent, the
// block page, the HTTP/2 upstream) answers that request with a 502 naming the code path, within a bounded
// time, and the proxy goes on serving: never a request left hanging, never a crashed process. Each fault
// is injected by making one part throw once.
import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { TrafficTap } from '../../src/tls/traffic-tap.js';
import type { UpstreamAgent } from '../../src/proxy/upstream-agent.js';
import type { HandshakeRecord } from '../../src/types.js';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2Request, h2ViaProxy } from '../helpers/h2.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchViaProxy, startHttpsOrigin, startTestProxy, type TestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** How long an answer may take: the upstream timeouts are 5 s, so a hang shows as no answer by then. */
const ANSWER_MS = 4_000;

/** `method` of `owner` throws a TypeError on its next call only (as a bug would), then is itself again. */
function throwsOnce(owner: object, method: string): void {
  const slots = owner as Record<string, unknown>;
  const had = Object.prototype.hasOwnProperty.call(owner, method);
  const original = slots[method];
  slots[method] = () => {
    if (had) slots[method] = original;
    else delete slots[method];
    throw new TypeError(`injected fault in ${method}`);
  };
}

/** The promise, or a rejection saying the answer never came (the request hung). */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ANSWER_MS} ms`)), ANSWER_MS).unref(),
    ),
  ]);
}

const agentOf = (proxy: TestProxy) => (proxy.server as unknown as { agent: UpstreamAgent }).agent;

/** The agent's idle upstream connections closed, so that the next request dials a new one. */
async function dropFree(proxy: TestProxy): Promise<void> {
  const free = Object.values(agentOf(proxy).freeSockets).flatMap((sockets) => (sockets ?? []) as Socket[]);
  await Promise.all(free.map((socket) => (socket.destroy(), once(socket, 'close'))));
}

/** A proxy resolving the scenario's host to its HTTPS origin; `fn` gets them and the origin's URL. */
async function withOrigin(
  t: ExecutionContext,
  scenario: Scenario,
  fn: (proxy: TestProxy, url: string) => Promise<void>,
): Promise<void> {
  t.timeout(20_000);
  const origin = await startHttpsOrigin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    await fn(proxy, `https://${scenario.host}:${origin.port}/`);
  } finally {
    await proxy.close();
    await origin.close();
  }
}

/** One request through the proxy, bounded; its status, body and the PROXY_ERROR events so far. */
async function fetchBounded(proxy: TestProxy, url: string) {
  const answer = await bounded(fetchViaProxy(proxy.port, url, proxy.ca.certPem), `GET ${url}`);
  const faults = proxy.events.flatMap((event) =>
    event.type === 'error' && event.code === 'PROXY_ERROR' ? [event.message] : [],
  );
  return { status: answer.status, body: answer.body, error: answer.headers['x-tlswitness-error'], faults };
}

test.serial(
  'a TypeError in the gate of a dial (the record lookup) is a 502 naming the dial, and the next request is served',
  async (t) => {
    await withOrigin(t, fixtures.pki.scenarios.valid!, async (proxy, url) => {
      t.is((await fetchBounded(proxy, url)).status, 200);
      await dropFree(proxy);
      throwsOnce(proxy.server.recorded, 'cached');
      const faulted = await fetchBounded(proxy, url);
      t.is(faulted.status, 502);
      t.is(faulted.error, 'PROXY_ERROR');
      t.regex(faulted.body, /internal error in the upstream dial \(TypeError: injected fault in cached\)/);
      t.is(faulted.faults.length, 1);
      t.is((await fetchBounded(proxy, url)).status, 200, 'the proxy goes on serving');
    });
  },
);

test.serial(
  'a throw while reading the handshake that records a new host is a 502, not a recording that never ends',
  async (t) => {
    await withOrigin(t, fixtures.pki.scenarios.valid!, async (proxy, url) => {
      throwsOnce(TrafficTap.prototype, 'result');
      const faulted = await fetchBounded(proxy, url);
      t.is(faulted.status, 502);
      t.regex(faulted.body, /internal error in the upstream dial \(TypeError: injected fault in result\)/);
      // The host is recorded by a probe instead, and served.
      t.is((await fetchBounded(proxy, url)).status, 200, 'the proxy goes on serving');
    });
  },
);

test.serial("a throw in the agent's createConnection is a 502 naming the agent, not a crashed process", async (t) => {
  await withOrigin(t, fixtures.pki.scenarios.valid!, async (proxy, url) => {
    t.is((await fetchBounded(proxy, url)).status, 200);
    await dropFree(proxy);
    throwsOnce(agentOf(proxy), 'createConnection');
    const faulted = await fetchBounded(proxy, url);
    t.is(faulted.status, 502);
    t.regex(faulted.body, /internal error in the upstream agent \(TypeError: injected fault in createConnection\)/);
    t.is((await fetchBounded(proxy, url)).status, 200, 'the proxy goes on serving');
  });
});

test.serial('a block page that cannot be made is a 502 naming it, not a request left hanging', async (t) => {
  await withOrigin(t, fixtures.pki.scenarios.expired!, async (proxy, url) => {
    // OpenSSL's verdict comes back as a record the page cannot be made from.
    agentOf(proxy).crossCheck = () => Promise.resolve({} as HandshakeRecord);
    const faulted = await fetchBounded(proxy, url);
    t.is(faulted.status, 502);
    t.regex(faulted.body, /internal error in the block page \(TypeError: /);
    t.is(faulted.faults.length, 1);
  });
});

test.serial(
  'a throw forwarding an h2 stream to an HTTP/1.1 origin is a 502 on that stream, and the next stream is served',
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    await withOrigin(t, scenario, async (proxy, url) => {
      const port = Number(new URL(url).port);
      const session = await bounded(h2ViaProxy(proxy.port, scenario.host!, port, proxy.ca.certPem), 'h2 session');
      try {
        throwsOnce(agentOf(proxy), 'addRequest');
        const faulted = await bounded(h2Request(session, { ':path': '/' }), 'h2 stream');
        t.is(faulted.status, 502);
        t.regex(faulted.body, /internal error in the HTTP\/2 upstream \(TypeError: injected fault in addRequest\)/);
        t.is((await bounded(h2Request(session, { ':path': '/' }), 'h2 stream')).status, 200);
      } finally {
        session.close();
      }
    });
  },
);
