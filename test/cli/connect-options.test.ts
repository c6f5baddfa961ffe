// The connecting commands' shared flags: a PKCS#12 --client-cert as openssl writes it (default and -legacy,
// whose RC2 Node's own `pfx` reading refuses) is presented to a real mTLS server; a wrong password is a
// usage error before any connection.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { opensslPkcs12 } from '../helpers/pkcs12.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function inspectArgs(port: number): string[] {
  return [
    'inspect',
    `mtls.example.com:${port}`,
    '--resolve',
    `mtls.example.com:${port}:127.0.0.1`,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--json',
  ];
}

for (const mode of ['default', 'legacy', 'windows'] as const) {
  test(`inspect --client-cert FILE.p12 --password (openssl ${mode}): the server accepts it`, async (t) => {
    // Root first: the leaf is found by its key, not by its place in the file.
    const p12 = opensslPkcs12(
      fixtures.dir,
      `client-${mode}`,
      [fixtures.pki.client.pem, fixtures.pki.clientRoot.pem],
      fixtures.pki.client.keyPem,
      'secret',
      mode,
    );
    const server = await startScenarioServer(fixtures.pki.scenarios.mtls!, {
      clientCAs: [fixtures.pki.clientRoot.pem],
    });
    try {
      const result = await runCli([...inspectArgs(server.port), '--client-cert', p12, '--password', 'secret']);
      t.is(result.code, 0, result.stderr);
      const record = JSON.parse(result.stdout);
      t.is(record.diagnosis.problem, 'ok');
      t.is(record.clientCertificate.presented, 'CN=fixture-client');
    } finally {
      await server.close();
    }
  });
}

test('a PKCS#12 --client-cert with a wrong or missing password is a one-line error (exit 2)', async (t) => {
  const p12 = opensslPkcs12(
    fixtures.dir,
    'client-wrong',
    [fixtures.pki.client.pem],
    fixtures.pki.client.keyPem,
    'secret',
    'default',
  );
  const wrong = await runCli([...inspectArgs(9), '--client-cert', p12, '--password', 'nope']);
  t.is(wrong.code, 2);
  t.regex(
    wrong.stderr,
    /^Error: --client-cert .*client-wrong\.p12: wrong password for this PKCS#12 file \([^\n]*\)\n$/,
  );
  const none = await runCli([...inspectArgs(9), '--client-cert', p12]);
  t.is(none.code, 2);
  t.regex(
    none.stderr,
    /^Error: --client-cert .*client-wrong\.p12: this PKCS#12 file is protected by a password: pass --password\n$/,
  );
});

test('a PKCS#12 --client-cert without a private key says what to do (exit 2)', async (t) => {
  const p12 = opensslPkcs12(
    fixtures.dir,
    'client-nokey',
    [fixtures.pki.client.pem],
    fixtures.pki.client.keyPem,
    'secret',
    'default',
  );
  // -nokeys export: certificates only.
  const certsOnly = `${p12}.certs-only.p12`;
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    '-nokeys',
    '-in',
    join(fixtures.dir, 'client-nokey-certs.pem'),
    '-passout',
    'pass:secret',
    '-out',
    certsOnly,
  ]);
  const result = await runCli([...inspectArgs(9), '--client-cert', certsOnly, '--password', 'secret']);
  t.is(result.code, 2);
  t.regex(result.stderr, /holds no private key: export it with its key, or pass a PEM certificate and --client-key\n$/);
});

test("loadTrust: the certifi store never trusts tlswitness's own CA, even when it was added to certifi's bundle", async (t) => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { ensureLocalCa } = await import('../../src/ca/local-ca.js');
  const { loadTrust } = await import('../../src/cli/connect-options.js');
  const certsDir = mkdtempSync(join(tmpdir(), 'tlswitness-certifi-ca-'));
  const ca = await ensureLocalCa(certsDir);
  const trust = await loadTrust(
    { 'certs-dir': certsDir, 'public-roots': fixtures.pki.files['public-roots.pem']! },
    { TLSWITNESS_CERTIFI_BUNDLE: ca.paths.cert, SSL_CERT_FILE: '/nonexistent/ca-bundle.crt' },
  );
  t.is(trust.certifi?.size, 1);
  t.deepEqual(trust.certifi?.anchorDers(), []);
  t.is(trust.certifiInfo?.label, `certifi bundle ${ca.paths.cert} (TLSWITNESS_CERTIFI_BUNDLE)`);
});
