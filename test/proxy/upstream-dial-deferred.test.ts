// A new host whose first traffic connection passed the blocking checks has its record made later: that
// record judges the handshake as of its own time (as the checks did), and a leaf another connection
// shows meanwhile (a load balancer's other certificate) is still recorded.
import test from 'ava';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer } from 'node:tls';
import { parseResolve } from '../../src/net/target.js';
import { upstreamName } from '../../src/proxy/upstream-name.js';
import { EMPTY_RESIGNED } from '../../src/diagnose/resigned-memory.js';
import { upstreamAcceptable } from '../../src/proxy/policy.js';
import { anchorPems } from '../../src/record/assemble.js';
import { gatherHandshake, judgeHandshake, passesOnSight } from '../../src/record/observe.js';
import type { Sighting } from '../../src/tls/observe-target.js';
import { storeOf } from '../helpers/observe.js';
import { makeTestCa } from '../helpers/pki.js';
import { recordingAgent } from '../helpers/recording-agent.js';

test("a leaf another connection shows while a passed host's record is deferred is recorded once that record is made", async (t) => {
  const host = 'rotating.test';
  const ca = await makeTestCa('Rotation Test CA');
  const leaves = [await ca.issue([host]), await ca.issue([host])];
  const contexts = leaves.map((leaf) => createSecureContext({ key: leaf.keyPem, cert: leaf.pem }));
  let handshakes = 0;
  // Behind a load balancer: each connection gets the other certificate.
  const server = createServer({ SNICallback: (_name, done) => done(null, contexts[handshakes++ % 2]!) }, (socket) =>
    socket.on('error', () => undefined),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const trust = { public: null, system: null, extra: storeOf('extra', [ca.pem]) };
  const target = { host, port };
  const name = upstreamName(target, host)!;
  let release: () => void = () => undefined;
  let probed: () => void = () => undefined;
  const probe = new Promise<boolean>((resolve) => (probed = () => resolve(true)));
  const { agent, recorder } = recordingAgent({
    resolve: parseResolve([`${host}:${port}:127.0.0.1`]),
    trust,
    anchors: () => anchorPems(trust),
    prejudge: true,
    holdRecords: new Promise<void>((resolve) => (release = resolve)),
    onRecording: (seen) => void (seen ? undefined : probed()),
  });
  try {
    t.true(agent.recordHost(target, name));
    t.true('passed' in (await recorder.verdict(target, name.recordAs)));
    const second = await agent.dial(host, port, name);
    const secondLeaf = second.getPeerCertificate().fingerprint256;
    second.destroy();
    release();
    const first = await recorder.record(target, name.recordAs);
    t.not(first.chain[0]?.sha256, secondLeaf, 'the first connection recorded the other leaf');
    const held = new Promise<boolean>((resolve) => setTimeout(resolve, 3_000, false).unref());
    t.true(await Promise.race([probe, held]), 'the second leaf is recorded again, as for any other leaf not recorded');
  } finally {
    release();
    agent.destroy();
    server.close();
  }
});

test('the record made after the checks judges the handshake as of its time, as the checks did: it lets the host through too', async (t) => {
  const host = 'expiring.test';
  const ca = await makeTestCa('Expiry Test CA');
  const leaf = await ca.issue([host]);
  const server = createServer({ key: leaf.keyPem, cert: leaf.pem }, (socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const trust = { public: null, system: null, extra: storeOf('extra', [ca.pem]) };
  const target = { host, port };
  const name = upstreamName(target, host)!;
  let sighting: Sighting | undefined;
  const { agent, recorder } = recordingAgent({
    resolve: parseResolve([`${host}:${port}:127.0.0.1`]),
    trust,
    anchors: () => anchorPems(trust),
    onRecording: (seen) => void (sighting ??= seen),
  });
  try {
    t.true(agent.recordHost(target, name));
    await recorder.record(target, name.recordAs);
    const request = {
      id: 'h-1',
      target,
      servername: undefined,
      resolve: new Map(),
      proxy: null,
      minVersion: 'TLSv1.2' as const,
      maxVersion: 'TLSv1.3' as const,
      alpn: ['http/1.1'],
      client: null,
      timeoutMs: 5000,
      fetchMissing: false,
    };
    t.true(passesOnSight(request, sighting!, trust), 'the checks pass the host at its handshake');
    // The record is made later (after a response, or a busy moment): the leaf expired in between.
    const later = new Date(Date.now() + 2 * 365 * 86_400_000);
    const gathered = await gatherHandshake(request, trust, () => later, sighting);
    const { record } = judgeHandshake(gathered, EMPTY_RESIGNED);
    t.true(record.verification.ok, record.verification.message);
    t.true(upstreamAcceptable({}, record), 'the record does not block what was forwarded on its handshake');
  } finally {
    agent.destroy();
    server.close();
  }
});
