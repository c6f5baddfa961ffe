// The effective verdict agrees with OpenSSL's own: a real node:tls handshake with the same CA set
// (`authorized` / `authorizationError`, then Node's hostname check) against every fixture.
import test from 'ava';
import { checkServerIdentity, connect } from 'node:tls';
import { fixtureTrust, observeScenario, storeOf } from '../helpers/observe.js';
import { makeFixtures, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import type { Scenario } from '../../scripts/fixture-pki.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function opensslVerdict(scenario: Scenario, port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const host = scenario.host ?? '127.0.0.1';
    const socket = connect({ host: '127.0.0.1', port, servername: scenario.host ?? undefined, ca, rejectUnauthorized: false, checkServerIdentity: () => undefined }, () => {
      let verdict = socket.authorized ? 'ok' : String(socket.authorizationError);
      if (socket.authorized) {
        const mismatch = checkServerIdentity(host, socket.getPeerCertificate());
        if (mismatch) verdict = (mismatch as NodeJS.ErrnoException).code!;
      }
      socket.destroy();
      resolve(verdict);
    });
    socket.on('error', reject);
  });
}

// Every scenario with its own anchors (the public fixture root unless it names others), and the
// corporate one again with its root added.
const CASES: Array<[string, 'default' | 'plus-corporate']> = [
  ...['valid', 'incomplete', 'expired', 'notYetValid', 'selfSigned', 'unknownRoot', 'unknownRootSent', 'mismatch', 'wrongOrder', 'extraCert', 'corporate', 'ipSan', 'missingMiddle', 'storeHasIntermediateOnly', 'v1Root', 'noBcCA', 'clientAuthRoot', 'sha1', 'weakKey', 'expiredRoot'].map(
    (name): [string, 'default'] => [name, 'default'],
  ),
  ['corporate', 'plus-corporate'],
];

for (const [name, stores] of CASES) {
  test(`${name} (${stores} anchors): verdict equals OpenSSL's`, async (t) => {
    const scenario = fixtures.pki.scenarios[name]!;
    const server = await startScenarioServer(scenario);
    const anchors = [...(scenario.anchors ?? [fixtures.pki.publicRoot.pem]), ...(stores === 'plus-corporate' ? [fixtures.pki.corporateRoot.pem] : [])];
    try {
      const expected = await opensslVerdict(scenario, server.port, anchors);
      const record = await observeScenario(scenario, server.port, { public: storeOf('public', anchors), system: null, extra: null });
      t.is(record.verification.ok ? 'ok' : record.verification.code, expected);
      t.is(record.diagnosis.problem, stores === 'plus-corporate' ? 'ok' : scenario.problem);
    } finally {
      await server.close();
    }
  });
}

test('an expired root in a trust store is the client side to fix, and is named', async (t) => {
  const scenario = fixtures.pki.scenarios.expiredRoot!;
  const server = await startScenarioServer(scenario);
  try {
    const record = await observeScenario(scenario, server.port, { public: null, system: storeOf('system', scenario.anchors!), extra: null });
    t.is(record.diagnosis.problem, 'expired');
    t.is(record.diagnosis.liability, 'client');
    t.regex(record.diagnosis.summary, /Fixture Expired Root.*system trust store/);
    t.is(record.verification.certificate?.from, 'system');
  } finally {
    await server.close();
  }
});

test('SHA-1 and weak keys: UNSPECIFIED as Node says, with the real reason kept', async (t) => {
  for (const name of ['sha1', 'weakKey']) {
    const scenario = fixtures.pki.scenarios[name]!;
    const server = await startScenarioServer(scenario);
    try {
      const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki));
      t.is(record.verification.code, 'UNSPECIFIED');
      t.regex(record.verification.detail ?? '', name === 'sha1' ? /sha1WithRSA|ecdsa-with-SHA1/ : /768-bit RSA key/);
      t.regex(record.diagnosis.summary, /too weak/);
    } finally {
      await server.close();
    }
  }
});

test('per-store verdicts: the corporate chain is trusted by the extra store only', async (t) => {
  const scenario = fixtures.pki.scenarios.corporate!;
  const server = await startScenarioServer(scenario);
  try {
    const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki, [fixtures.pki.corporateRoot.pem]));
    t.deepEqual(record.trust, { public: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', system: 'not-configured', extra: 'ok' });
    t.true(record.verification.ok);
    t.is(record.chainAnalysis.anchorStore, 'extra');
    t.true(record.warnings.some((w) => w.code === 'ca-basic-constraints-not-critical'), 'the corporate root is flagged for Python 3.13 strict mode');
  } finally {
    await server.close();
  }
});
