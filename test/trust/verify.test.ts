// The effective verdict agrees with OpenSSL's own: a real node:tls handshake with the same CA set
// (`authorized` / `authorizationError`, then Node's hostname check) against every fixture.
import test from 'ava';
import { checkServerIdentity, connect } from 'node:tls';
import { fixtureTrust, observeScenario, storeOf } from '../helpers/observe.js';
import { makeFixtures, withScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { makeVerifyCases, type VerifyCase } from '../helpers/verify-cases.js';
import { describeCertificate, ParsedCertificate } from '../../src/trust/certificate.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import { verifyChain } from '../../src/trust/verify.js';
import type { Scenario } from '../../scripts/fixture-pki.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
const cases: Promise<VerifyCase[]> = makeVerifyCases();
test.after.always(async () => fixtures?.close());

function opensslVerdict(scenario: Scenario, port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const host = scenario.host ?? '127.0.0.1';
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: scenario.host ?? undefined,
        ca,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      },
      () => {
        let verdict = socket.authorized ? 'ok' : String(socket.authorizationError);
        if (socket.authorized) {
          const mismatch = checkServerIdentity(host, socket.getPeerCertificate());
          if (mismatch) verdict = (mismatch as NodeJS.ErrnoException).code!;
        }
        socket.destroy();
        resolve(verdict);
      },
    );
    socket.on('error', reject);
  });
}

// Every scenario with its own anchors (the public fixture root unless it names others), and the
// corporate one again with its root added.
const CASES: Array<[string, 'default' | 'plus-corporate']> = [
  ...[
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
    'missingMiddle',
    'storeHasIntermediateOnly',
    'v1Root',
    'noBcCA',
    'clientAuthRoot',
    'sha1',
    'weakKey',
    'rsa1024',
    'expiredRoot',
  ].map((name): [string, 'default'] => [name, 'default']),
  ['corporate', 'plus-corporate'],
];

for (const [name, stores] of CASES) {
  test(`${name} (${stores} anchors): verdict equals OpenSSL's`, async (t) => {
    const scenario = fixtures.pki.scenarios[name]!;
    const anchors = [
      ...(scenario.anchors ?? [fixtures.pki.publicRoot.pem]),
      ...(stores === 'plus-corporate' ? [fixtures.pki.corporateRoot.pem] : []),
    ];
    await withScenarioServer(scenario, async (server) => {
      const expected = await opensslVerdict(scenario, server.port, anchors);
      const record = await observeScenario(scenario, server.port, {
        public: storeOf('public', anchors),
        system: null,
        extra: null,
      });
      t.is(record.verification.ok ? 'ok' : record.verification.code, expected);
      t.is(record.diagnosis.problem, stores === 'plus-corporate' ? 'ok' : scenario.problem);
    });
  });
}

test('an expired root in a trust store is the client side to fix, and is named', async (t) => {
  const scenario = fixtures.pki.scenarios.expiredRoot!;
  await withScenarioServer(scenario, async (server) => {
    const record = await observeScenario(scenario, server.port, {
      public: null,
      system: storeOf('system', scenario.anchors!),
      extra: null,
    });
    t.is(record.diagnosis.problem, 'expired');
    t.is(record.diagnosis.liability, 'client');
    t.regex(record.diagnosis.summary, /Fixture Expired Root.*system trust store/);
    t.is(record.verification.certificate?.from, 'system');
  });
});

test('SHA-1 and weak keys: UNSPECIFIED as Node says, with the real reason kept', async (t) => {
  for (const name of ['sha1', 'weakKey']) {
    const scenario = fixtures.pki.scenarios[name]!;
    await withScenarioServer(scenario, async (server) => {
      const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki));
      t.is(record.verification.code, 'UNSPECIFIED');
      t.regex(record.verification.detail ?? '', name === 'sha1' ? /sha1WithRSA|ecdsa-with-SHA1/ : /768-bit RSA key/);
      t.regex(record.diagnosis.summary, /too weak/);
    });
  }
});

test('per-store verdicts: the corporate chain is trusted by the extra store only', async (t) => {
  const scenario = fixtures.pki.scenarios.corporate!;
  await withScenarioServer(scenario, async (server) => {
    const record = await observeScenario(
      scenario,
      server.port,
      fixtureTrust(fixtures.pki, [fixtures.pki.corporateRoot.pem]),
    );
    t.deepEqual(record.trust, {
      public: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      system: 'not-configured',
      extra: 'ok',
      certifi: 'not-configured',
    });
    t.true(record.verification.ok);
    t.is(record.chainAnalysis.anchorStore, 'extra');
    t.true(
      record.warnings.some((w) => w.code === 'ca-basic-constraints-not-critical'),
      'the corporate root is flagged for Python 3.13 strict mode',
    );
  });
});

// One chain per rule of OpenSSL's verify_chain; each expectation is what a Node 20 handshake reported.
test('each verification rule gives the code and depth a Node 20 client reports', async (t) => {
  for (const c of await cases) {
    const parse = (list: Array<{ der: Buffer }>) => list.map((x) => new ParsedCertificate(x.der));
    const store = TrustStore.fromCertificates('public', parse(c.anchors));
    const options = {
      ...(c.options?.maxDepth !== undefined ? { maxDepth: c.options.maxDepth } : {}),
      ...(c.options?.untrusted ? { untrusted: parse(c.options.untrusted) } : {}),
    };
    const verdict = verifyChain(parse(c.sent), [store], new Date(), c.host, options);
    const got = verdict.ok ? 'ok' : { code: verdict.code, opensslCode: verdict.opensslCode, depth: verdict.depth };
    t.deepEqual(got, c.expected, c.name);
  }
});

test('a verdict never throws on a certificate X509Certificate parses: each byte of an extension value flipped', async (t) => {
  const [valid] = await cases;
  const leaf = valid!.sent[0]!.der;
  const store = TrustStore.fromCertificates(
    'public',
    valid!.anchors.map((a) => new ParsedCertificate(a.der)),
  );
  let parsed = 0;
  // The extensions sit at the end of the TBSCertificate, before the signature (~80 bytes for EC).
  for (let i = leaf.length - 260; i < leaf.length - 80; i++) {
    for (const value of [0x00, 0xff, leaf[i]! ^ 0x80]) {
      const mutated = Buffer.from(leaf);
      mutated[i] = value;
      let cert: ParsedCertificate;
      try {
        cert = new ParsedCertificate(mutated);
      } catch {
        continue; // not a certificate at all: the caller reports a parse failure
      }
      parsed++;
      t.notThrows(() =>
        verifyChain([cert, new ParsedCertificate(valid!.sent[1]!.der)], [store], new Date(), 'good.test'),
      );
      t.notThrows(() => describeCertificate(cert));
    }
  }
  t.true(parsed > 50);
});

test('every certificate of the rule chains can be described for a record (empty names, malformed SAN and AIA included)', async (t) => {
  for (const c of await cases)
    for (const cert of [...c.sent, ...c.anchors])
      t.notThrows(() => describeCertificate(new ParsedCertificate(cert.der)), c.name);
});
