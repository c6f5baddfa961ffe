// Every fixture over TLS 1.2 and 1.3: the record's chain is exactly what the server sent, in its
// order, and the diagnosis is the scenario's problem.
import test from 'ava';
import { connect, type SecureVersion } from 'node:tls';
import { fixtureTrust, observeScenario } from '../helpers/observe.js';
import { makeFixtures, withScenarioServer, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const VERSIONS: SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];
const SCENARIOS = [
  'valid',
  'incomplete',
  'expired',
  'notYetValid',
  'selfSigned',
  'unknownRoot',
  'unknownRootSent',
  'mismatch',
  'wrongOrder',
  'extraCert',
  'corporate',
  'ipSan',
  'mtls',
  'missingMiddle',
  'noBcCA',
  'sha1',
];

for (const name of SCENARIOS) {
  for (const maxVersion of VERSIONS) {
    test(`${name} over ${maxVersion}: chain as sent and problem`, async (t) => {
      const scenario = fixtures.pki.scenarios[name]!;
      await withScenarioServer(scenario, { maxVersion, clientCAs: [fixtures.pki.clientRoot.pem] }, async (server) => {
        const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki), { maxVersion });
        t.is(record.tls.protocol, maxVersion);
        t.deepEqual(
          record.chain.map((c) => c.pem),
          scenario.sent,
          'the chain in the record is byte for byte what the server was given, in order',
        );
        t.is(record.diagnosis.problem, scenario.problem);
        if (scenario.problem !== 'client-cert-required')
          t.is(
            record.verification.opensslCode,
            scenario.opensslCode === 0 && name === 'mismatch' ? 62 : scenario.opensslCode,
          );
      });
    });
  }
}

test("Node's getPeerCertificate rebuilds the chain (why the raw read exists)", async (t) => {
  const scenario = fixtures.pki.scenarios.extraCert!;
  await withScenarioServer(scenario, async (server) => {
    const subjects = await new Promise<string[]>((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port: server.port, servername: scenario.host!, ca: [fixtures.pki.publicRoot.pem] },
        () => {
          const seen: string[] = [];
          let cert = socket.getPeerCertificate(true);
          while (cert && !seen.includes(cert.fingerprint256)) {
            seen.push(cert.fingerprint256);
            cert = cert.issuerCertificate;
          }
          socket.destroy();
          resolve(seen);
        },
      );
      socket.on('error', reject);
    });
    t.is(subjects.length, 3);
    const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki));
    t.is(
      record.chain[1]!.subject,
      'CN=Unrelated Extra CA,O=Unknown Org,C=US',
      'the raw read keeps the unrelated certificate where it was sent',
    );
    t.is(record.chainAnalysis.extraCerts, 1);
    t.true(record.warnings.some((w) => w.code === 'unrelated-certificates'));
  });
});

for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
  test(`TLS 1.3 with ${suite}: the encrypted Certificate message is read`, async (t) => {
    const scenario = fixtures.pki.scenarios.wrongOrder!;
    await withScenarioServer(scenario, { ciphers: suite }, async (server) => {
      const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki));
      t.is(record.tls.cipher, suite);
      t.deepEqual(
        record.chain.map((c) => c.pem),
        scenario.sent,
      );
      t.deepEqual(
        record.warnings.filter((w) => w.code === 'handshake-unreadable'),
        [],
      );
    });
  });
}
