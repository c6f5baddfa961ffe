// A new host is recorded from its first traffic connection's own handshake: on every fixture scenario,
// TLS 1.2 and 1.3, that record equals the one `inspect` builds with its probe (the chain as sent, each
// store's verdict, the verification, the diagnosis), and no probe connection is made for it.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import type { HandshakeRecord } from '../../src/types.js';
import { upstreamName } from '../../src/proxy/upstream-name.js';
import { upstreamAcceptable } from '../../src/proxy/policy.js';
import { passesOnSight } from '../../src/record/observe.js';
import type { Sighting } from '../../src/tls/observe-target.js';
import { parseResolve } from '../../src/net/target.js';
import { anchorPems, type TrustContext } from '../../src/record/assemble.js';
import type { SecureVersion } from 'node:tls';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { makeFixtures, withScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust, observeScenario } from '../helpers/observe.js';
import { recordingAgent, testHandshakeRequest } from '../helpers/recording-agent.js';

let fixtures: Fixtures;
let trust: TrustContext;
test.before(async () => {
  fixtures = await makeFixtures();
  // Two stores, so that each store's verdict is compared: the public root, and the corporate root as extra.
  trust = fixtureTrust(fixtures.pki, [fixtures.pki.corporateRoot.pem]);
});
test.after.always(async () => fixtures?.close());

/** The record without what differs between any two handshakes (its id, time and timing). */
function comparable(record: HandshakeRecord): Omit<HandshakeRecord, 'id' | 'time' | 'timing'> {
  const { id: _id, time: _time, timing: _timing, ...rest } = record;
  return rest;
}

interface Recorded {
  record: HandshakeRecord;
  /** Recordings made with a probe of their own (the side connection), and from a traffic connection. */
  probed: number;
  seen: number;
  /** What the traffic connection showed, when it recorded the host. */
  sighting: Sighting | undefined;
}

/** The proxy's recorder and agent, as proxy-run wires them, recording one new host. */
async function recordThroughAgent(
  scenario: Scenario,
  port: number,
  maxVersion: SecureVersion,
  anchors: () => string[] | Promise<string[]> = () => anchorPems(trust),
): Promise<Recorded> {
  const host = scenario.host ?? '127.0.0.1';
  const resolve = parseResolve(scenario.host ? [`${host}:${port}:127.0.0.1`] : []);
  const counts = { probed: 0, seen: 0 };
  let sighting: Sighting | undefined;
  const { agent, recorder } = recordingAgent({
    resolve,
    trust,
    anchors,
    maxVersion,
    onRecording: (seen) => {
      counts[seen ? 'seen' : 'probed']++;
      sighting ??= seen;
    },
  });
  try {
    const target = { host, port };
    const name = upstreamName(target, scenario.host)!;
    if (!agent.recordHost(target, name)) throw new Error('the agent did not record the host');
    const record = await recorder.record(target, name.recordAs);
    return { record, ...counts, sighting };
  } finally {
    agent.destroy();
  }
}

const versions: Array<[string, SecureVersion]> = [
  ['TLS 1.3', 'TLSv1.3'],
  ['TLS 1.2', 'TLSv1.2'],
];

for (const [label, maxVersion] of versions) {
  test(`${label}: on every fixture scenario the record from the traffic connection equals inspect's`, async (t) => {
    const names = Object.keys(fixtures.pki.scenarios);
    t.true(names.length >= 15, 'every scenario of the fixture PKI');
    for (const key of names) {
      const scenario = fixtures.pki.scenarios[key]!;
      await withScenarioServer(scenario, { maxVersion }, async (server) => {
        const viaProbe = await observeScenario(scenario, server.port, trust, { maxVersion });
        const { record, probed, seen } = await recordThroughAgent(scenario, server.port, maxVersion);
        t.is(record.tls.protocol, maxVersion, `${key}: ${label}`);
        t.true(record.chain.length > 0, `${key}: a chain was read`);
        t.deepEqual(
          record.chain.map((c) => c.sha256),
          scenario.sent.map((pem) => new X509Certificate(pem).fingerprint256),
          `${key}: the chain exactly as sent, in its order`,
        );
        t.deepEqual(comparable(record), comparable(viaProbe), `${key}: the same record as inspect's`);
        // The corporate root is trusted here (the extra store); scenarios with anchors of their own are judged by them.
        if (!scenario.anchors)
          t.is(
            record.diagnosis.problem,
            key === 'corporate' ? 'ok' : scenario.problem,
            `${key}: the fixture's problem`,
          );
        // A TLS 1.3 server that asks for a client certificate refuses one only after the handshake: the
        // probe waits for that, a connection that is to carry requests cannot. In TLS 1.2 the refusal ends
        // the handshake itself, which the traffic connection sees as the probe does.
        const byProbe = !!scenario.requestClientCert && maxVersion === 'TLSv1.3';
        t.deepEqual(
          { probed, seen },
          byProbe ? { probed: 1, seen: 0 } : { probed: 0, seen: 1 },
          `${key}: who recorded`,
        );
      });
    }
  });
}

for (const [label, maxVersion] of versions) {
  // The proxy forwards to a new host once these checks pass, before its record is made: they must never
  // pass a host its record blocks (a weak key, a name constraint, an unknown critical extension...).
  test(`${label}: on every fixture scenario the checks made before the record pass exactly the hosts it lets through`, async (t) => {
    const verdicts = { passed: 0, blocked: 0 };
    for (const [key, scenario] of Object.entries(fixtures.pki.scenarios)) {
      await withScenarioServer(scenario, { maxVersion }, async (server) => {
        const { record, sighting } = await recordThroughAgent(scenario, server.port, maxVersion);
        const target = { host: scenario.host ?? '127.0.0.1', port: server.port };
        const request = testHandshakeRequest(target, upstreamName(target, scenario.host)!.recordAs, maxVersion);
        const passes = !!sighting && passesOnSight(request, sighting, trust);
        const acceptable = upstreamAcceptable({}, record);
        if (passes) t.true(acceptable, `${key}: passed before its record, which lets it through`);
        // A server that asks for a client certificate is left to the record alone.
        else if (!sighting?.probe?.flight.certificateRequest)
          t.false(acceptable, `${key}: the record lets through what the checks held back`);
        verdicts[acceptable ? 'passed' : 'blocked']++;
      });
    }
    t.true(verdicts.passed >= 3 && verdicts.blocked >= 10, JSON.stringify(verdicts));
  });
}

test("a new host that passed the checks: the app's next connection to it is gated by OpenSSL, not held until the first's record", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  await withScenarioServer(scenario, {}, async (server) => {
    const host = scenario.host!;
    const target = { host, port: server.port };
    const name = upstreamName(target, host)!;
    let release: () => void = () => undefined;
    const { agent, recorder } = recordingAgent({
      resolve: parseResolve([`${host}:${server.port}:127.0.0.1`]),
      trust,
      anchors: () => anchorPems(trust),
      prejudge: true,
      // The first connection's record is not made until the second connection is through.
      holdRecords: new Promise<void>((resolve) => (release = resolve)),
    });
    try {
      t.true(agent.recordHost(target, name));
      t.true('passed' in (await recorder.verdict(target, name.recordAs)));
      const held = new Promise<null>((resolve) => setTimeout(resolve, 5_000, null).unref());
      const second = await Promise.race([agent.dial(host, server.port, name), held]);
      t.truthy(second, 'the second connection did not wait for the record');
      t.true(second?.authorized, 'verified by OpenSSL');
      t.is(recorder.cached(target, name.recordAs), undefined, 'the record is still to come');
      second?.destroy();
      release();
      t.is((await recorder.record(target, name.recordAs)).diagnosis.problem, 'ok', 'then made from the first');
    } finally {
      release();
      agent.destroy();
    }
  });
});

for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
  test(`TLS 1.3 with ${suite}: the record from the traffic connection equals inspect's`, async (t) => {
    const scenario = fixtures.pki.scenarios.extraCert!;
    await withScenarioServer(scenario, { ciphers: suite }, async (server) => {
      const viaProbe = await observeScenario(scenario, server.port, trust);
      const { record, seen } = await recordThroughAgent(scenario, server.port, 'TLSv1.3');
      t.is(seen, 1);
      t.is(record.tls.cipher, suite);
      t.is(record.chain.length, 3, 'the unrelated certificate too, as sent');
      t.deepEqual(comparable(record), comparable(viaProbe));
    });
  });
}

test('a connection dialled while the stores are still loading waits for them and records its host', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  await withScenarioServer(scenario, async (server) => {
    let calls = 0;
    let released = false;
    // The proxy listens before its stores are read: they arrive after the first connection asked for them.
    const anchors = () => {
      calls++;
      return new Promise<string[]>((resolve) =>
        setImmediate(() => {
          released = true;
          resolve(anchorPems(trust));
        }),
      );
    };
    const { record, probed, seen } = await recordThroughAgent(scenario, server.port, 'TLSv1.3', anchors);
    t.true(released);
    t.is(calls, 1, 'the anchors are read once');
    t.deepEqual({ probed, seen }, { probed: 0, seen: 1 }, 'recorded from the connection that waited');
    t.is(record.diagnosis.problem, 'ok');
  });
});
