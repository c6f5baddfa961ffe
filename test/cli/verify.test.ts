// `tlswitness verify` as a user runs it: the built binary on the fixture chain files, judged as
// `inspect` judges the same chains served by real servers.
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pemCertificates } from '../../src/trust/pem.js';
import { cleanEnv, makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';

const run = promisify(execFile);
const DAY = 86_400_000;

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const file = (name: string) => fixtures.pki.files[name]!;

/** The scenario's anchors as a file: the public fixture root unless the scenario names its own. */
function anchorsFile(name: string): string {
  const scenario = fixtures.pki.scenarios[name]!;
  const path = join(fixtures.dir, `anchors-${name}.pem`);
  writeFileSync(path, (scenario.anchors ?? [fixtures.pki.publicRoot.pem]).join(''));
  return path;
}

function nameFlags(name: string): string[] {
  const host = fixtures.pki.scenarios[name]!.host;
  return host ? ['--host', host] : ['--ip', '127.0.0.1'];
}

async function verifyJson(args: string[], env = cleanEnv()): Promise<{ code: number; out: any }> {
  const result = await runCli(['verify', ...args, '--json'], env);
  return { code: result.code, out: result.stdout ? JSON.parse(result.stdout) : null };
}

// Every chain problem the fixture PKI knows, through both commands with the same trust.
for (const name of [
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
  'storeHasIntermediateOnly',
  'v1Root',
  'noBcCA',
  'clientAuthRoot',
  'sha1',
  'weakKey',
  'rsa1024',
  'expiredRoot',
]) {
  test(`verify ${name} gives inspect's problem code on the same chain`, async (t) => {
    const scenario = fixtures.pki.scenarios[name]!;
    const anchors = anchorsFile(name);
    const server = await startScenarioServer(scenario, { clientCAs: [fixtures.pki.clientRoot.pem] });
    try {
      const host = scenario.host ?? '127.0.0.1';
      const resolve = scenario.host ? ['--resolve', `${host}:${server.port}:127.0.0.1`] : [];
      const inspected = await runCli([
        'inspect',
        `${host}:${server.port}`,
        '--public-roots',
        anchors,
        '--json',
        ...resolve,
      ]);
      const record = JSON.parse(inspected.stdout);
      const verified = await verifyJson([
        file(`served-${scenario.name}.pem`),
        '--public-roots',
        anchors,
        ...nameFlags(name),
      ]);
      t.is(record.diagnosis.problem, scenario.problem, 'inspect itself as the fixture says');
      t.deepEqual(verified.out.verification, record.verification);
      t.deepEqual(verified.out.trust, record.trust);
      t.deepEqual(verified.out.chainAnalysis, record.chainAnalysis);
      t.deepEqual(verified.out.chain, record.chain);
      if (scenario.requestClientCert) {
        // The client certificate is the handshake's business: the chain itself verifies.
        t.is(verified.out.diagnosis.problem, 'ok');
        t.is(verified.code, 0);
      } else {
        t.is(verified.out.diagnosis.problem, record.diagnosis.problem);
        t.is(verified.out.ok, record.diagnosis.problem === 'ok');
        t.is(verified.code, inspected.code);
      }
    } finally {
      await server.close();
    }
  });
}

test('human output: the chain as given, each store, the Verify return code and the diagnosis', async (t) => {
  const result = await runCli([
    'verify',
    file('served-wrong-order.pem'),
    '--public-roots',
    file('public-roots.pem'),
    '--host',
    'wrong-order.example.com',
  ]);
  t.is(result.code, 1, 'wrong order is a problem, as in inspect');
  t.regex(result.stdout, /served-wrong-order\.pem: PEM, name wrong-order\.example\.com, at /);
  t.regex(result.stdout, /Certificate chain as given \(3\):/);
  t.regex(result.stdout, /Trust: public ok \| system not-configured \| extra not-configured/);
  t.regex(result.stdout, /Verify return code: 0 \(ok\)/);
  t.regex(result.stdout, /Diagnosis: WRONG-ORDER \(fault: server/);
  t.is(result.stderr, '');
});

test('no --host or --ip: no name is checked', async (t) => {
  const { code, out } = await verifyJson([
    file('served-hostname-mismatch.pem'),
    '--public-roots',
    file('public-roots.pem'),
  ]);
  t.is(code, 0);
  t.regex(out.diagnosis.summary, /no name was checked/);
  const named = await verifyJson([
    file('served-hostname-mismatch.pem'),
    '--public-roots',
    file('public-roots.pem'),
    '--host',
    'mismatch.example.com',
  ]);
  t.is(named.code, 1);
  t.is(named.out.verification.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('--ip checks IP SANs; --host checks DNS names', async (t) => {
  const args = [file('served-ip-san.pem'), '--public-roots', file('public-roots.pem')];
  t.is((await verifyJson([...args, '--ip', '127.0.0.1'])).code, 0);
  const other = await verifyJson([...args, '--ip', '127.0.0.2']);
  t.is(other.out.diagnosis.problem, 'hostname-mismatch');
  t.is((await verifyJson([...args, '--host', 'valid.example.com'])).out.diagnosis.problem, 'hostname-mismatch');
});

test('--ca trusts only its files, as openssl verify -CAfile', async (t) => {
  // The system store trusts the fixture root here; --ca must ignore it.
  const env = () => cleanEnv({ SSL_CERT_FILE: file('public-roots.pem') });
  const args = [file('served-valid.pem'), '--host', 'valid.example.com'];
  const usual = await verifyJson(args, env());
  t.is(usual.code, 0);
  t.is(usual.out.trust.system, 'ok');
  const other = await verifyJson([...args, '--ca', file('unknown-root.pem')], env());
  t.is(other.code, 1);
  t.is(other.out.verification.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  t.deepEqual(other.out.trust, {
    public: 'not-configured',
    system: 'not-configured',
    extra: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    certifi: 'not-configured',
  });
  const right = await verifyJson([...args, '--ca', file('unknown-root.pem'), '--ca', file('public-roots.pem')], env());
  t.is(right.code, 0);
  t.deepEqual(right.out.trust, {
    public: 'not-configured',
    system: 'not-configured',
    extra: 'ok',
    certifi: 'not-configured',
  });
});

test('verify judges the chain against certifi too (TLSWITNESS_CERTIFI_BUNDLE), and --ca leaves it out', async (t) => {
  const args = [file('served-valid.pem'), '--public-roots', file('public-roots.pem'), '--host', 'valid.example.com'];
  const old = await verifyJson(args, cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: file('corporate-root.pem') }));
  t.is(old.code, 0);
  t.is(old.out.trust.certifi, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  t.true(old.out.warnings.some((w: { code: string }) => w.code === 'certifi-lacks-root'));
  const current = await verifyJson(args, cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: file('public-roots.pem') }));
  t.is(current.out.trust.certifi, 'ok');
  const text = await runCli(['verify', ...args], cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: file('corporate-root.pem') }));
  t.regex(
    text.stdout,
    /Trust: public ok \| system not-configured \| extra not-configured \| certifi UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
  );
  t.regex(text.stdout, /^ {2}Python: the public roots verify this chain but your Python's certifi/m);
});

test('--untrusted completes an incomplete chain without joining the chain as given', async (t) => {
  const args = [
    file('served-incomplete.pem'),
    '--public-roots',
    file('public-roots.pem'),
    '--host',
    'incomplete.example.com',
  ];
  const alone = await verifyJson(args);
  t.is(alone.out.diagnosis.problem, 'incomplete-chain');
  t.is(alone.code, 1);
  const completed = await verifyJson([...args, '--untrusted', file('public-intermediate.pem')]);
  t.is(completed.code, 0);
  t.is(completed.out.diagnosis.problem, 'ok');
  t.is(completed.out.chain.length, 1);
  t.deepEqual(completed.out.chainAnalysis.path, [0]);
  // Unordered: the deep chain's two intermediates, given top first, still build the path.
  const deep = join(fixtures.dir, 'deep-intermediates.pem');
  writeFileSync(deep, fixtures.pki.publicIntermediate.pem + fixtures.pki.deepIntermediate.pem);
  const leafOnly = join(fixtures.dir, 'wrong-order-leaf.pem');
  writeFileSync(leafOnly, fixtures.pki.scenarios.wrongOrder!.sent[0]!);
  t.is((await verifyJson([leafOnly, '--public-roots', file('public-roots.pem'), '--untrusted', deep])).code, 0);
});

test('--at moves the verification time: in the future a chain expires, in the past it is not yet valid', async (t) => {
  const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
  // The fixture certificates are valid from 30 days ago for a year.
  const valid = [file('served-valid.pem'), '--public-roots', file('public-roots.pem'), '--host', 'valid.example.com'];
  t.is((await verifyJson(valid)).code, 0);
  const later = await verifyJson([...valid, '--at', iso(400 * DAY)]);
  t.is(later.out.diagnosis.problem, 'expired');
  t.is(later.code, 1);
  const before = await verifyJson([...valid, '--at', iso(-40 * DAY)]);
  t.is(before.out.diagnosis.problem, 'not-yet-valid');
  t.is(before.code, 1);
  const notYet = [file('served-not-yet-valid.pem'), '--public-roots', file('public-roots.pem')];
  t.is((await verifyJson(notYet)).out.diagnosis.problem, 'not-yet-valid');
  const once = await verifyJson([...notYet, '--at', iso(60 * DAY).slice(0, 10)]);
  t.is(once.out.diagnosis.problem, 'ok');
  t.is(once.code, 0);
});

test('--max-depth limits the intermediates as openssl -verify_depth does (error 22)', async (t) => {
  const args = [file('served-valid.pem'), '--public-roots', file('public-roots.pem'), '--host', 'valid.example.com'];
  const tooDeep = await verifyJson([...args, '--max-depth', '0']);
  t.is(tooDeep.code, 1);
  t.is(tooDeep.out.verification.opensslCode, 22);
  t.is(tooDeep.out.verification.code, 'CERT_CHAIN_TOO_LONG');
  t.is(tooDeep.out.verification.depth, 1);
  t.is((await verifyJson([...args, '--max-depth', '1'])).code, 0);
  // The same limits through OpenSSL itself.
  const leaf = join(fixtures.dir, 'valid-leaf.pem');
  writeFileSync(leaf, fixtures.pki.scenarios.valid!.sent[0]!);
  const openssl = (depth: string) =>
    run('openssl', [
      'verify',
      '-CAfile',
      file('public-roots.pem'),
      '-untrusted',
      file('public-intermediate.pem'),
      '-verify_depth',
      depth,
      leaf,
    ]).then(
      () => 0,
      (error: { stderr: string }) => (/error 22 at 1 depth/.test(error.stderr) ? 22 : -1),
    );
  t.is(await openssl('0'), 22);
  t.is(await openssl('1'), 0);
});

test('DER input: one certificate, completed with --untrusted', async (t) => {
  const der = join(fixtures.dir, 'incomplete-leaf.der');
  writeFileSync(der, pemCertificates(fixtures.pki.scenarios.incomplete!.sent[0]!)[0]!);
  const alone = await runCli(['verify', der, '--public-roots', file('public-roots.pem')]);
  t.regex(alone.stdout, /incomplete-leaf\.der: DER, /);
  t.regex(alone.stdout, /Diagnosis: INCOMPLETE-CHAIN/);
  t.is(
    (
      await verifyJson([
        der,
        '--public-roots',
        file('public-roots.pem'),
        '--untrusted',
        file('public-intermediate.der'),
      ])
    ).code,
    0,
  );
});

test('PKCS#12 input with --password; a wrong password is a one-line error', async (t) => {
  // As a server's PKCS#12 usually comes: key, leaf and intermediate, OpenSSL 3's default encryption.
  const p12 = join(fixtures.dir, 'valid-chain.p12');
  const key = join(fixtures.dir, 'valid-key.pem');
  writeFileSync(key, fixtures.pki.scenarios.valid!.keyPem);
  await run('openssl', [
    'pkcs12',
    '-export',
    '-in',
    file('served-valid.pem'),
    '-inkey',
    key,
    '-out',
    p12,
    '-passout',
    'pass:pw',
  ]);
  const good = await runCli([
    'verify',
    p12,
    '--password',
    'pw',
    '--public-roots',
    file('public-roots.pem'),
    '--host',
    'valid.example.com',
  ]);
  t.is(good.code, 0, good.stderr);
  t.regex(good.stdout, /valid-chain\.p12: P12, /);
  t.regex(good.stdout, /Certificate chain as given \(2\):/);
  const wrong = await runCli(['verify', p12, '--password', 'nope', '--public-roots', file('public-roots.pem')]);
  t.is(wrong.code, 2);
  t.regex(wrong.stderr, /^Error: .*valid-chain\.p12: wrong password for this PKCS#12 file \([^\n]*\)\n$/);
});

for (const [label, args, pattern] of [
  ['a garbage file', ['NOT_A_CERT'], /^Error: .*not-a-certificate\.pem: not a certificate file \(expected PEM/],
  ['an empty file', ['EMPTY'], /^Error: .*empty\.pem: not a certificate file/],
  [
    'a garbled PEM block',
    ['GARBLED'],
    /^Error: .*garbled\.pem: its CERTIFICATE block 1 of 1 is not a readable X.509 certificate .*; check that the file is not truncated or edited\n$/,
  ],
  ['a missing file', ['/nonexistent/chain.pem'], /^Error: \/nonexistent\/chain\.pem: no such file\n$/],
  [
    '--host and --ip together',
    ['VALID', '--host', 'a.example.com', '--ip', '127.0.0.1'],
    /^Error: --host and --ip both name what to check: give one\n$/,
  ],
  [
    'an IP given to --host',
    ['VALID', '--host', '127.0.0.1'],
    /^Error: --host 127\.0\.0\.1 is an IP address: check it with --ip 127\.0\.0\.1\n$/,
  ],
  ['a name given to --ip', ['VALID', '--ip', 'example.com'], /^Error: --ip "example\.com" is not an IP address/],
  ['--ca with --extra-ca', ['VALID', '--ca', 'ROOT', '--extra-ca', 'ROOT'], /^Error: --ca trusts only the files given/],
  [
    'a time that is not ISO 8601',
    ['VALID', '--at', 'next tuesday'],
    /^Error: --at "next tuesday" is not an ISO 8601 time/,
  ],
  ['a negative --max-depth', ['VALID', '--max-depth', '-1'], /^Error: --max-depth takes a whole number/],
  [
    'a --ca file without certificates',
    ['VALID', '--ca', 'NOT_A_CERT'],
    /^Error: --ca .*not-a-certificate\.pem: holds no certificate/,
  ],
] as Array<[string, string[], RegExp]>) {
  test(`unreadable input or bad usage exits 2 with one line: ${label}`, async (t) => {
    const garbled = join(fixtures.dir, 'garbled.pem');
    writeFileSync(garbled, '-----BEGIN CERTIFICATE-----\nMIIBaGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n');
    const swap: Record<string, string> = {
      NOT_A_CERT: file('not-a-certificate.pem'),
      EMPTY: file('empty.pem'),
      GARBLED: garbled,
      VALID: file('served-valid.pem'),
      ROOT: file('public-roots.pem'),
    };
    const result = await runCli(['verify', ...args.map((a) => swap[a] ?? a)]);
    t.is(result.code, 2);
    t.regex(result.stderr, pattern);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.is(result.stdout, '');
  });
}
