// The MITM's upstream agent: one TLS context for every connection (parsing the anchors per
// connection cost tens of milliseconds each), and OpenSSL still verifies each connection with it.
import test from 'ava';
import { once } from 'node:events';
import { createServer, get } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import tls from 'node:tls';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { startHttpsOrigin } from '../helpers/proxy.js';
import { recordingAgent } from '../helpers/recording-agent.js';
import { REPLACE_AFTER_BYTES, UpstreamAgent, type Disagreement } from '../../src/proxy/upstream-agent.js';
import { HostRecorder } from '../../src/proxy/host-recorder.js';
import { upstreamAcceptable } from '../../src/proxy/policy.js';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { fixtureTrust, observeScenario } from '../helpers/observe.js';
import type { HandshakeRecord } from '../../src/types.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function fetch(agent: UpstreamAgent, host: string, port: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    get({ host, port, path: '/', agent, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    }).on('error', (error) => resolve({ error: error.message }));
  });
}

/** An agent with nothing recorded: every connection must pass OpenSSL's own verification. */
function agentFor(
  pins: Array<[string, number]>,
  anchors: () => string[] = () => [fixtures.pki.publicRoot.pem],
): UpstreamAgent {
  const recorder = {
    cached: () => undefined,
    record: () => Promise.resolve(undefined),
    judging: () => Promise.resolve(undefined),
    refresh: () => Promise.resolve({} as HandshakeRecord),
  } as unknown as HostRecorder;
  return new UpstreamAgent({
    resolve: new Map(pins.map(([host, port]) => [`${host}:${port}`, ['127.0.0.1']])),
    proxyFor: () => null,
    minVersion: 'TLSv1.2',
    timeoutMs: 5000,
    responseTimeoutMs: 5000,
    recorder,
    accepts: () => true,
    clientFor: () => null,
    anchors,
  });
}

test.serial(
  'anchors are parsed into one context, shared by every upstream connection; unverifiable leaves still refused',
  async (t) => {
    const valid = await startHttpsOrigin(fixtures.pki.scenarios.valid!);
    const unknown = await startHttpsOrigin(fixtures.pki.scenarios.unknownRoot!);
    let anchorCalls = 0;
    const agent = agentFor(
      [
        ['valid.example.com', valid.port],
        ['unknown-root.example.com', unknown.port],
      ],
      () => {
        anchorCalls++;
        return [fixtures.pki.publicRoot.pem];
      },
    );
    // Counts every context built, by the agent or inside tls.connect() (which builds one when given `ca`).
    const original = tls.createSecureContext;
    let contexts = 0;
    tls.createSecureContext = (options) => {
      contexts++;
      return original(options);
    };
    syncBuiltinESMExports();
    try {
      for (let i = 0; i < 3; i++) t.deepEqual(await fetch(agent, 'valid.example.com', valid.port), { status: 200 });
      const refused = await fetch(agent, 'unknown-root.example.com', unknown.port);
      t.regex(
        'error' in refused ? refused.error : '',
        /OpenSSL refused the upstream certificate for unknown-root\.example\.com \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
      );
      t.is(anchorCalls, 1);
      t.is(contexts, 1, 'four upstream connections, one context');
    } finally {
      tls.createSecureContext = original;
      syncBuiltinESMExports();
      agent.destroy();
      await Promise.all([valid.close(), unknown.close()]);
    }
  },
);

/** A TLS origin of `scenario` answering with `handler`, counting its finished handshakes and TCP connections. */
async function countingOrigin(scenario: Scenario, handler: (url: string) => string | Buffer = () => 'ok') {
  let handshakes = 0;
  let connections = 0;
  const origin = createServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) =>
    res.end(handler(req.url ?? '/')),
  );
  origin.on('secureConnection', () => handshakes++);
  origin.on('connection', () => connections++);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  return {
    port: (origin.address() as AddressInfo).port,
    handshakes: () => handshakes,
    connections: () => connections,
    async close() {
      origin.closeAllConnections();
      await new Promise((resolve) => origin.close(resolve));
    },
  };
}

test.serial('preconnect: the first request uses the connection opened ahead of it, not a second one', async (t) => {
  const origin = await countingOrigin(fixtures.pki.scenarios.valid!);
  const { port } = origin;
  const agent = agentFor([['valid.example.com', port]]);
  try {
    const name = { servername: 'valid.example.com', checked: 'valid.example.com', recordAs: undefined };
    agent.preconnect({ host: 'valid.example.com', port }, name);
    agent.preconnect({ host: 'valid.example.com', port }, name); // already dialing: nothing more
    for (let i = 0; i < 100 && origin.handshakes() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    t.is(origin.handshakes(), 1, 'the connection was made before any request');
    t.deepEqual(await fetch(agent, 'valid.example.com', port), { status: 200 });
    t.is(origin.handshakes(), 1, 'and the request used it');
  } finally {
    agent.destroy();
    await origin.close();
  }
});

test.serial('preconnect: a host with a free pooled connection gets no second one', async (t) => {
  const origin = await countingOrigin(fixtures.pki.scenarios.valid!);
  const { port } = origin;
  const agent = agentFor([['valid.example.com', port]]);
  try {
    // As the MITM forwards: the app's name as servername, here the host itself (Node's pool key then leaves it out).
    const name = { servername: 'valid.example.com', checked: 'valid.example.com', recordAs: undefined };
    t.true(agent.preconnect({ host: 'valid.example.com', port }, name), 'nothing pooled yet');
    const freed = once(agent, 'free');
    t.deepEqual(await keptAlive(agent, 'valid.example.com', port), { status: 200 });
    await freed;
    t.false(agent.preconnect({ host: 'valid.example.com', port }, name), 'the pooled connection is free');
    t.deepEqual(await keptAlive(agent, 'valid.example.com', port), { status: 200 });
    t.is(origin.handshakes(), 1);
  } finally {
    agent.destroy();
    await origin.close();
  }
});

/** A GET as the MITM sends it (servername set, the connection kept for the next request). */
function keptAlive(agent: UpstreamAgent, host: string, port: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    get({ host, port, servername: host, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    }).on('error', (error) => resolve({ error: error.message }));
  });
}

/** An agent whose recorder holds `records` (by host), as the proxy's would after recording them. */
function agentWithRecords(
  pins: Array<[string, number]>,
  records: Map<string, HandshakeRecord>,
  accepts: (record: HandshakeRecord) => boolean,
): { agent: UpstreamAgent; disagreements: Disagreement[] } {
  const disagreements: Disagreement[] = [];
  const recorder = {
    cached: (target: { host: string }) => records.get(target.host),
    record: (target: { host: string }) => Promise.resolve(records.get(target.host)),
    judging: (target: { host: string }) => Promise.resolve(records.get(target.host)),
    refresh: () => Promise.resolve({} as HandshakeRecord),
  } as unknown as HostRecorder;
  const agent = new UpstreamAgent({
    resolve: new Map(pins.map(([host, port]) => [`${host}:${port}`, ['127.0.0.1']])),
    proxyFor: () => null,
    minVersion: 'TLSv1.2',
    timeoutMs: 5000,
    responseTimeoutMs: 5000,
    recorder,
    accepts,
    clientFor: () => null,
    anchors: () => [fixtures.pki.publicRoot.pem],
    disagreed: (d) => disagreements.push(d),
  });
  return { agent, disagreements };
}

/** The real record of a scenario served as `sent` (default: as the scenario sends it). */
async function recorded(scenario: Scenario, port: number): Promise<HandshakeRecord> {
  return observeScenario(scenario, port, fixtureTrust(fixtures.pki));
}

test.serial(
  'a leaf matching a record judged ok no longer passes on its own: OpenSSL refuses the connection, and the disagreement is reported',
  async (t) => {
    const scenario = fixtures.pki.scenarios.unknownRoot!;
    const origin = await startHttpsOrigin(scenario);
    const record = await recorded(scenario, origin.port);
    t.false(record.verification.ok);
    // A verifier bug, forced: the record says ok for the very leaf this server presents.
    const forced: HandshakeRecord = {
      ...record,
      verification: { ...record.verification, ok: true, code: null, opensslCode: 0, message: 'ok' },
    };
    const { agent, disagreements } = agentWithRecords(
      [[scenario.host!, origin.port]],
      new Map([[scenario.host!, forced]]),
      () => true,
    );
    try {
      const answer = await fetch(agent, scenario.host!, origin.port);
      t.regex(
        'error' in answer ? answer.error : 'passed',
        /OpenSSL refused the upstream certificate for unknown-root\.example\.com \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY \(20\)/,
      );
      t.is(disagreements.length, 1);
      const [d] = disagreements;
      t.true(d!.recordAccepts);
      t.is(d!.record, forced);
      t.deepEqual(d!.openssl, {
        ok: false,
        code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        opensslCode: 20,
        message: 'unable to get local issuer certificate',
      });
      t.false(d!.amended.verification.ok);
      t.is(d!.amended.verification.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
      t.regex(d!.amended.verification.detail ?? '', /tlswitness's verifier said ok/);
      t.is(d!.amended.diagnosis.problem, 'unknown-ca');
    } finally {
      agent.destroy();
      await origin.close();
    }
  },
);

test.serial(
  'the reverse disagreement: OpenSSL accepts a leaf the record refuses; the stricter verdict stands and it is reported',
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const origin = await startHttpsOrigin(scenario);
    const record = await recorded(scenario, origin.port);
    t.true(record.verification.ok);
    const forced: HandshakeRecord = {
      ...record,
      verification: {
        ...record.verification,
        ok: false,
        code: 'CERT_HAS_EXPIRED',
        opensslCode: 10,
        message: 'certificate has expired',
      },
    };
    const { agent, disagreements } = agentWithRecords(
      [[scenario.host!, origin.port]],
      new Map([[scenario.host!, forced]]),
      (r) => r.verification.ok,
    );
    try {
      const answer = await fetch(agent, scenario.host!, origin.port);
      t.regex(
        'error' in answer ? answer.error : 'passed',
        /the recorded verdict \(CERT_HAS_EXPIRED \(10\): certificate has expired\) refuses the chain OpenSSL accepts/,
      );
      t.is(disagreements.length, 1);
      t.false(disagreements[0]!.recordAccepts);
      t.true(disagreements[0]!.openssl.ok);
    } finally {
      agent.destroy();
      await origin.close();
    }
  },
);

test.serial(
  '--complete-chains: OpenSSL gets the fetched intermediate for that host only, as a link and never as an anchor',
  async (t) => {
    const { pki } = fixtures;
    // incomplete.example.com sends its leaf alone; AIA gave the public intermediate.
    const incomplete = pki.scenarios.incomplete!;
    const completable = await startHttpsOrigin(incomplete);
    const completableRecord = await recorded(incomplete, completable.port);
    t.is(completableRecord.verification.opensslCode, 21);
    const withLinks = (record: HandshakeRecord, pems: string[], anchorPems?: string[]): HandshakeRecord => ({
      ...record,
      chainAnalysis: {
        ...record.chainAnalysis,
        fetched: {
          url: 'http://127.0.0.1:9/x.der',
          ok: true,
          subject: null,
          completesChain: true,
          error: null,
          pems,
          ...(anchorPems ? { anchorPems } : {}),
        },
      },
    });
    // unknown-root.example.com sends its leaf alone too, and its fetched intermediate hangs off a root nobody trusts.
    const unknown = pki.scenarios.unknownRoot!;
    const unanchored = await startHttpsOrigin({ ...unknown, sent: [unknown.sent[0]!] });
    const unanchoredRecord = await recorded({ ...unknown, sent: [unknown.sent[0]!] }, unanchored.port);
    // The same incomplete server under another name (the host B of this test), with a record of its own that fetched nothing.
    const records = new Map([
      ['incomplete.example.com', withLinks(completableRecord, [pki.publicIntermediate.pem])],
      ['unknown-root.example.com', withLinks(unanchoredRecord, [pki.unknownIntermediate.pem])],
    ]);
    const completeChains = (record: HandshakeRecord) =>
      upstreamAcceptable({ completeChains: true }, record) || record.target.host === 'unknown-root.example.com';
    const { agent } = agentWithRecords(
      [
        ['incomplete.example.com', completable.port],
        ['unknown-root.example.com', unanchored.port],
        ['other.example.com', completable.port],
      ],
      records,
      completeChains,
    );
    try {
      t.deepEqual(
        await fetch(agent, 'incomplete.example.com', completable.port),
        { status: 200 },
        'the fetched intermediate completes the chain for OpenSSL',
      );
      // The context holds only the store certificates of the recorded path: the right one passes, another does not.
      records.set(
        'incomplete.example.com',
        withLinks(completableRecord, [pki.publicIntermediate.pem], [pki.publicRoot.pem]),
      );
      t.deepEqual(await fetch(agent, 'incomplete.example.com', completable.port), { status: 200 });
      records.set(
        'incomplete.example.com',
        withLinks(completableRecord, [pki.publicIntermediate.pem], [pki.corporateRoot.pem]),
      );
      const narrowed = await fetch(agent, 'incomplete.example.com', completable.port);
      t.regex('error' in narrowed ? narrowed.error : 'passed', /UNABLE_TO_GET_ISSUER_CERT \(2\)/);
      const other = await fetch(agent, 'other.example.com', completable.port);
      t.regex(
        'error' in other ? other.error : 'passed',
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
        "another host does not get host A's intermediate",
      );
      const refused = await fetch(agent, 'unknown-root.example.com', unanchored.port);
      // As an anchor, the intermediate would have verified this chain; as a link, OpenSSL looks for its root and finds none.
      t.regex(
        'error' in refused ? refused.error : 'passed',
        /OpenSSL refused the upstream certificate for unknown-root\.example\.com \(UNABLE_TO_GET_ISSUER_CERT \(2\)/,
      );
      // A self-signed certificate "fetched" would be an anchor in OpenSSL's store: it is never handed over.
      records.set(
        'unknown-root.example.com',
        withLinks(unanchoredRecord, [pki.unknownIntermediate.pem, pki.unknownRoot.pem]),
      );
      const selfSigned = await fetch(agent, 'unknown-root.example.com', unanchored.port);
      t.regex('error' in selfSigned ? selfSigned.error : 'passed', /UNABLE_TO_GET_ISSUER_CERT \(2\)/);
    } finally {
      agent.destroy();
      await Promise.all([completable.close(), unanchored.close()]);
    }
  },
);

test.serial(
  'a record older than the TTL does not decide a new connection: the host is recorded again first',
  async (t) => {
    const scenario = fixtures.pki.scenarios.unknownRoot!;
    const origin = await startHttpsOrigin(scenario);
    const real = await recorded(scenario, origin.port);
    // Recorded "ok" long ago (a verifier bug, or a leaf since revoked): that verdict must not speak now.
    const old: HandshakeRecord = {
      ...real,
      verification: { ...real.verification, ok: true, code: null, opensslCode: 0, message: 'ok' },
    };
    let clock = 0;
    const observed: HandshakeRecord[] = [];
    const recorder = new HostRecorder(
      () => {
        const record = observed.length ? real : old;
        observed.push(record);
        return Promise.resolve(record);
      },
      () => undefined,
      30_000,
      () => clock,
    );
    await recorder.record({ host: scenario.host!, port: origin.port });
    clock = 30_001;
    const disagreements: Disagreement[] = [];
    const agent = new UpstreamAgent({
      resolve: new Map([[`${scenario.host}:${origin.port}`, ['127.0.0.1']]]),
      proxyFor: () => null,
      minVersion: 'TLSv1.2',
      timeoutMs: 5000,
      responseTimeoutMs: 5000,
      recorder,
      accepts: (record) => record.verification.ok,
      clientFor: () => null,
      anchors: () => [fixtures.pki.publicRoot.pem],
      disagreed: (d) => disagreements.push(d),
    });
    try {
      const answer = await fetch(agent, scenario.host!, origin.port);
      t.regex(
        'error' in answer ? answer.error : 'passed',
        /OpenSSL refused the upstream certificate for unknown-root\.example\.com/,
      );
      t.is(observed.length, 2, 'recorded again before the verdict');
      t.deepEqual(disagreements, [], 'the fresh record agrees with OpenSSL; the stale one was not consulted');
    } finally {
      agent.destroy();
      await origin.close();
    }
  },
);

/** An agent and the real recorder, wired as the proxy wires them, counting the probes it makes. */
function countingAgent(host: string, port: number, ttlMs?: number, failureTtlMs?: number) {
  let probes = 0;
  const { agent, recorder } = recordingAgent({
    ttlMs,
    failureTtlMs,
    resolve: new Map([[`${host}:${port}`, ['127.0.0.1']]]),
    trust: fixtureTrust(fixtures.pki),
    anchors: () => [fixtures.pki.publicRoot.pem],
    onRecording: (seen) => {
      if (!seen) probes++;
    },
  });
  return { agent, recorder, probes: () => probes };
}

/** GET / through `agent`, keeping the connection (keep-alive); the socket it went over comes back too. */
function keptFetch(
  agent: UpstreamAgent,
  host: string,
  port: number,
  path = '/',
): Promise<{ status: number; socket: object }> {
  return new Promise((resolve, reject) => {
    const request = get({ host, port, path, agent, servername: host } as never, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: request.socket! }));
    });
    request.on('error', reject);
  });
}

test.serial(
  'a new host: one upstream handshake records it and carries its requests; after a large response a plain connection takes its place in the pool',
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    let handshakes = 0;
    /** Upstream connections open when each request arrived. */
    const seenAt: number[] = [];
    const origin = createServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
      seenAt.push(handshakes);
      res.end(req.url === '/big' ? Buffer.alloc(REPLACE_AFTER_BYTES + 1024) : 'ok');
    });
    origin.on('secureConnection', () => handshakes++);
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as AddressInfo).port;
    const host = scenario.host!;
    const { agent, recorder, probes } = countingAgent(host, port);
    const wait = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      const target = { host, port };
      const name = { servername: host, checked: host, recordAs: undefined };
      t.true(agent.recordHost(target, name));
      t.false(agent.recordHost(target, name), 'already recording');
      const record = await recorder.record(target);
      t.is(record.diagnosis.problem, 'ok');
      t.is(probes(), 0, 'no probe connection');
      const first = await keptFetch(agent, host, port);
      t.is(first.status, 200);
      t.deepEqual(seenAt, [1], 'the first request went over the connection that recorded the host');
      const again = await keptFetch(agent, host, port);
      t.is(again.socket, first.socket, 'small exchanges keep the connection that recorded the host');
      let closed = false;
      (first.socket as import('node:net').Socket).once('close', () => (closed = true));
      t.is((await keptFetch(agent, host, port, '/big')).socket, first.socket);
      await wait(() => handshakes === 2 && closed);
      t.is(handshakes, 2, 'after a large response, one plain connection dialled to replace the tapped one');
      t.true(closed, 'the tapped connection left the pool once the plain one was up');
      const second = await keptFetch(agent, host, port);
      t.is(second.status, 200);
      t.not(second.socket, first.socket);
      t.is(handshakes, 2, 'the next request used the replacement');
      t.false(agent.recordHost(target, name), 'a recorded host is not recorded again');
    } finally {
      agent.destroy();
      origin.closeAllConnections();
      await new Promise((resolve) => origin.close(resolve));
    }
  },
);

test.serial(
  'a host recorded before: its stale record is made again by a probe, and its next request rides a plain connection, not a tapped one',
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const origin = await countingOrigin(scenario, (url) =>
      url === '/big' ? Buffer.alloc(REPLACE_AFTER_BYTES + 1024) : 'ok',
    );
    const { port } = origin;
    const host = scenario.host!;
    const ttlMs = 50;
    const { agent, recorder, probes } = countingAgent(host, port, ttlMs);
    try {
      const target = { host, port };
      const name = { servername: host, checked: host, recordAs: undefined };
      t.true(agent.recordHost(target, name));
      await recorder.record(target);
      // Connection: close, so the tapped connection does not wait in the pool for the request below.
      t.deepEqual(await fetch(agent, host, port), { status: 200 });
      t.is(probes(), 0, 'a new host: recorded from its traffic connection');
      await new Promise((resolve) => setTimeout(resolve, 2 * ttlMs));
      t.true(agent.recordHost(target, name), 'the record is stale: recorded again');
      const record = await recorder.record(target);
      t.is(record.diagnosis.problem, 'ok');
      t.is(probes(), 1, "recorded again by the recorder's own probe");
      const big = await keptFetch(agent, host, port, '/big');
      t.is(big.status, 200);
      const after = origin.handshakes();
      // A tapped connection that carried a large response is replaced by a plain one (see the test above).
      await new Promise((resolve) => setTimeout(resolve, 300));
      t.is(origin.handshakes(), after, 'no replacement dialled: the download did not ride a tapped connection');
      // A probe may close before the server counts its handshake: TCP connections are counted here.
      t.is(origin.connections(), 3, 'the first connection, the probe and the plain connection');
    } finally {
      agent.destroy();
      await origin.close();
    }
  },
);

/**
 * A TLS origin whose first TCP connection is closed at once (a restarting server, a load balancer's hiccup)
 * and whose later ones are served; it counts the TLS handshakes it finishes.
 */
async function firstRefusingOrigin(scenario: Scenario) {
  let handshakes = 0;
  let connections = 0;
  const tlsOrigin = createServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => res.end('ok'));
  tlsOrigin.on('secureConnection', () => handshakes++);
  const front = createNetServer((socket) => {
    socket.on('error', () => undefined);
    if (++connections === 1) socket.destroy();
    else tlsOrigin.emit('connection', socket);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    port: (front.address() as AddressInfo).port,
    handshakes: () => handshakes,
    connections: () => connections,
    async close() {
      tlsOrigin.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
    },
  };
}

test.serial(
  "a host whose first recording dial failed is recorded from its next connection's own handshake, not a probe and then it",
  async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const origin = await firstRefusingOrigin(scenario);
    const host = scenario.host!;
    const failureTtlMs = 50;
    const { agent, recorder, probes } = countingAgent(host, origin.port, undefined, failureTtlMs);
    try {
      const target = { host, port: origin.port };
      const name = { servername: host, checked: host, recordAs: undefined };
      t.true(agent.recordHost(target, name));
      const failed = await recorder.record(target);
      t.not(failed.failure, null, 'the first dial was closed under it');
      t.true('error' in (await fetch(agent, host, origin.port)), "the first dial's request fails with it");
      await new Promise((resolve) => setTimeout(resolve, 2 * failureTtlMs));
      t.true(agent.recordHost(target, name), 'the failure is stale: recorded again');
      const record = await recorder.record(target);
      t.is(record.diagnosis.problem, 'ok');
      t.deepEqual(await fetch(agent, host, origin.port), { status: 200 });
      t.is(probes(), 0, 'no probe: recorded from the connection that carried the request');
      t.is(origin.handshakes(), 1, 'one TLS handshake for the recording and the request');
      t.is(origin.connections(), 2, 'the refused connection and the one that recorded the host');
    } finally {
      agent.destroy();
      await origin.close();
    }
  },
);

test.serial(
  'a new host that does not verify: one upstream handshake records it, and its block page needs no other',
  async (t) => {
    const scenario = fixtures.pki.scenarios.unknownRoot!;
    // TCP connections: the refused client closes before the server would count a completed handshake.
    let connections = 0;
    const origin = createServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => res.end('ok'));
    origin.on('connection', () => connections++);
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as AddressInfo).port;
    const host = scenario.host!;
    const { agent, recorder, probes } = countingAgent(host, port);
    try {
      const target = { host, port };
      const name = { servername: host, checked: host, recordAs: undefined };
      t.true(agent.recordHost(target, name));
      const record = await recorder.record(target);
      t.is(record.diagnosis.problem, 'unknown-ca');
      t.is(probes(), 0);
      const refused = await fetch(agent, host, port);
      t.regex('error' in refused ? refused.error : 'passed', /OpenSSL refused the upstream certificate/);
      const shown = await agent.crossCheck(target, name, record);
      t.is(shown.verification.openssl?.ok, false, "the page carries OpenSSL's verdict on the recording connection");
      t.is(shown.verification.openssl?.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
      t.is(connections, 1, 'no second connection for the block page');
    } finally {
      agent.destroy();
      origin.closeAllConnections();
      await new Promise((resolve) => origin.close(resolve));
    }
  },
);
