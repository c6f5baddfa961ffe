// A new host whose first traffic connection passed the blocking checks has its record made later: a
// leaf another connection shows meanwhile (a load balancer's other certificate) is still recorded.
import test from 'ava';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer } from 'node:tls';
import { parseResolve } from '../../src/net/target.js';
import { upstreamName } from '../../src/proxy/upstream-name.js';
import { anchorPems } from '../../src/record/assemble.js';
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
