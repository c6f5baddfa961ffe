// The MITM's upstream agent: one TLS context for every connection (parsing the anchors per
// connection cost tens of milliseconds each), and OpenSSL still verifies each connection with it.
import test from 'ava';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import tls from 'node:tls';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { startHttpsOrigin } from '../helpers/proxy.js';
import { UpstreamAgent } from '../../src/proxy/upstream-agent.js';
import type { HostRecorder } from '../../src/proxy/host-recorder.js';
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
function agentFor(pins: Array<[string, number]>, anchors: () => string[] = () => [fixtures.pki.publicRoot.pem]): UpstreamAgent {
  const recorder = { cached: () => undefined, refresh: () => Promise.resolve({} as HandshakeRecord) } as unknown as HostRecorder;
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

test.serial('anchors are parsed into one context, shared by every upstream connection; unverifiable leaves still refused', async (t) => {
  const valid = await startHttpsOrigin(fixtures.pki.scenarios.valid!);
  const unknown = await startHttpsOrigin(fixtures.pki.scenarios.unknownRoot!);
  let anchorCalls = 0;
  const agent = agentFor([['valid.example.com', valid.port], ['unknown-root.example.com', unknown.port]], () => {
    anchorCalls++;
    return [fixtures.pki.publicRoot.pem];
  });
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
    t.regex('error' in refused ? refused.error : '', /OpenSSL refused the upstream certificate for unknown-root\.example\.com \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    t.is(anchorCalls, 1);
    t.is(contexts, 1, 'four upstream connections, one context');
  } finally {
    tls.createSecureContext = original;
    syncBuiltinESMExports();
    agent.destroy();
    await Promise.all([valid.close(), unknown.close()]);
  }
});

test.serial('preconnect: the first request uses the connection opened ahead of it, not a second one', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  let handshakes = 0;
  const origin = createServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => res.end('ok'));
  origin.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const agent = agentFor([['valid.example.com', port]]);
  try {
    const name = { servername: 'valid.example.com', checked: 'valid.example.com', recordAs: undefined };
    agent.preconnect({ host: 'valid.example.com', port }, name);
    agent.preconnect({ host: 'valid.example.com', port }, name); // already dialing: nothing more
    for (let i = 0; i < 100 && handshakes === 0; i++) await new Promise((r) => setTimeout(r, 10));
    t.is(handshakes, 1, 'the connection was made before any request');
    t.deepEqual(await fetch(agent, 'valid.example.com', port), { status: 200 });
    t.is(handshakes, 1, 'and the request used it');
  } finally {
    agent.destroy();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
  }
});
