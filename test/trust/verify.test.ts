// The effective verdict agrees with OpenSSL's own: a real node:tls handshake with the same CA set
// (`authorized` / `authorizationError`, then Node's hostname check) against every fixture.
import test from 'ava';
import { checkServerIdentity, connect } from 'node:tls';
import { fixtureTrust, observeScenario } from '../helpers/observe.js';
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

const CASES: Array<[string, 'public' | 'public+corporate']> = [
  ['valid', 'public'],
  ['incomplete', 'public'],
  ['expired', 'public'],
  ['notYetValid', 'public'],
  ['selfSigned', 'public'],
  ['unknownRoot', 'public'],
  ['unknownRootSent', 'public'],
  ['mismatch', 'public'],
  ['wrongOrder', 'public'],
  ['extraCert', 'public'],
  ['corporate', 'public'],
  ['corporate', 'public+corporate'],
  ['ipSan', 'public'],
];

for (const [name, stores] of CASES) {
  test(`${name} with ${stores} roots: verdict equals OpenSSL's`, async (t) => {
    const scenario = fixtures.pki.scenarios[name]!;
    const server = await startScenarioServer(scenario);
    const extra = stores === 'public+corporate' ? [fixtures.pki.corporateRoot.pem] : [];
    try {
      const expected = await opensslVerdict(scenario, server.port, [fixtures.pki.publicRoot.pem, ...extra]);
      const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki, extra));
      t.is(record.verification.ok ? 'ok' : record.verification.code, expected);
    } finally {
      await server.close();
    }
  });
}

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
