// `inspect` against servers that ask for a client certificate: a real nginx that requires it
// (`ssl_verify_client on`: handshake completes, then HTTP 400), one where it is optional, and a node
// server that sends the `certificate required` alert; the HEAD / that tells them apart (and evidence).
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { makeFixtures, runCli, withScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { hasNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { testNeeding } from '../helpers/requires.js';
import { withServer } from '../helpers/with-servers.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const HOST = 'mtls.example.com';

function inspectArgs(port: number, ...extra: string[]): string[] {
  return [
    'inspect',
    `${HOST}:${port}`,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `${HOST}:${port}:127.0.0.1`,
    '--json',
    ...extra,
  ];
}

const clientFlags = () => [
  '--client-cert',
  fixtures.pki.files['client.pem']!,
  '--client-key',
  fixtures.pki.files['client-key.pem']!,
];

/** Tests against a real nginx: skipped where it is missing, failed under CI (.ci/run installs Debian nginx). */
const nginxTest = testNeeding(hasNginx() ? null : 'nginx is not installed here', { inCi: true });

/** nginx serving the mtls scenario's chain. */
async function nginx(verifyClient: 'on' | 'optional', http2 = false): Promise<NginxServer> {
  const scenario = fixtures.pki.scenarios.mtls!;
  return startNginx({
    chainPem: scenario.sent.join(''),
    keyPem: scenario.keyPem,
    clientCaPem: fixtures.pki.clientRoot.pem,
    verifyClient,
    serverName: HOST,
    http2,
  });
}

for (const version of ['1.2', '1.3']) {
  nginxTest(
    `nginx ssl_verify_client on, TLS ${version}: the handshake completes, HEAD / gets 400, so client-cert-required (exit 1)`,
    async (t) => {
      await withServer(
        () => nginx('on'),
        async (server) => {
          const result = await runCli(inspectArgs(server.port, '--tls-max', version));
          const record = JSON.parse(result.stdout);
          t.is(result.code, 1, result.stderr);
          t.is(record.failure, null, 'nginx completes the handshake without a certificate');
          t.is(record.tls.protocol, `TLSv${version}`);
          t.is(record.diagnosis.problem, 'client-cert-required');
          t.is(record.diagnosis.liability, 'client');
          t.is(record.diagnosis.confidence, 'medium', 'a 400 to HEAD carries no body to name the certificate');
          t.regex(record.diagnosis.summary, /HEAD \/ was answered 400 Bad Request/);
          t.regex(record.diagnosis.summary, /Fixture Client Root/);
          t.regex(record.diagnosis.action, /--client-cert FILE --client-key FILE/);
          t.regex(record.diagnosis.action, /--upstream-client-cert mtls\.example\.com=/);
          t.deepEqual(record.clientCertificate.acceptableCAs, ['CN=Fixture Client Root,O=Fixture mTLS,C=US']);
          t.like(record.clientCertificate.httpCheck, { request: 'HEAD /', status: 400, outcome: 'required' });
          t.false(record.warnings.some((w: { code: string }) => w.code.startsWith('client-certificate')));
          t.regex(server.accessLog(), /"HEAD \/ HTTP\/1\.1" 400/);
        },
      );
    },
  );
}

for (const verifyClient of ['on', 'optional'] as const) {
  nginxTest(
    `nginx with http2, ssl_verify_client ${verifyClient}: ALPN chooses h2 and HEAD / goes as an HTTP/2 stream`,
    async (t) => {
      await withServer(
        () => nginx(verifyClient, true),
        async (server) => {
          const result = await runCli(inspectArgs(server.port));
          const record = JSON.parse(result.stdout);
          t.is(record.tls.alpn, 'h2');
          t.like(record.clientCertificate.httpCheck, {
            request: 'HEAD /',
            status: verifyClient === 'on' ? 400 : 200,
            outcome: verifyClient === 'on' ? 'required' : 'optional',
          });
          t.is(record.diagnosis.problem, verifyClient === 'on' ? 'client-cert-required' : 'ok');
          t.is(result.code, verifyClient === 'on' ? 1 : 0);
          t.regex(server.accessLog(), new RegExp(`"HEAD / HTTP/2\\.0" ${verifyClient === 'on' ? 400 : 200}`));
        },
      );
    },
  );
}

nginxTest('nginx ssl_verify_client on, human output: CLIENT-CERT-REQUIRED and the action', async (t) => {
  await withServer(
    () => nginx('on'),
    async (server) => {
      const result = await runCli(inspectArgs(server.port).filter((a) => a !== '--json'));
      t.is(result.code, 1);
      t.regex(result.stdout, /Diagnosis: CLIENT-CERT-REQUIRED \(fault: client/);
      t.regex(result.stdout, /--client-cert FILE --client-key FILE/);
    },
  );
});

nginxTest(
  'nginx ssl_verify_client optional: ok, with a warning that the certificate is optional (exit 0)',
  async (t) => {
    await withServer(
      () => nginx('optional'),
      async (server) => {
        const result = await runCli(inspectArgs(server.port));
        const record = JSON.parse(result.stdout);
        t.is(result.code, 0, result.stdout);
        t.is(record.diagnosis.problem, 'ok');
        t.true(record.clientCertificate.requested);
        t.like(record.clientCertificate.httpCheck, { request: 'HEAD /', status: 200, outcome: 'optional' });
        const warning = record.warnings.find((w: { code: string }) => w.code === 'client-certificate-optional');
        t.truthy(warning);
        t.regex(warning.message, /HEAD \/ was answered 200 OK.*optional/);
      },
    );
  },
);

nginxTest(
  'nginx ssl_verify_client on with the right client certificate: ok, and no HTTP request is sent',
  async (t) => {
    await withServer(
      () => nginx('on'),
      async (server) => {
        const result = await runCli(inspectArgs(server.port, ...clientFlags()));
        const record = JSON.parse(result.stdout);
        t.is(result.code, 0, result.stdout);
        t.is(record.diagnosis.problem, 'ok');
        t.is(record.clientCertificate.presented, 'CN=fixture-client');
        t.is(record.clientCertificate.httpCheck, null);
        t.is(server.accessLog(), '', 'the probe sends nothing when the user gave a certificate');
      },
    );
  },
);

nginxTest(
  'nginx ssl_verify_client on with a certificate from a CA it did not name: HEAD / gets 400, so client-cert-required for the one presented',
  async (t) => {
    await withServer(
      () => nginx('on'),
      async (server) => {
        const result = await runCli(
          inspectArgs(
            server.port,
            '--client-cert',
            fixtures.pki.files['stranger-client.pem']!,
            '--client-key',
            fixtures.pki.files['stranger-client-key.pem']!,
          ),
        );
        const record = JSON.parse(result.stdout);
        t.is(result.code, 1, result.stdout);
        t.is(record.failure, null, 'nginx completes the handshake with any certificate');
        t.is(record.diagnosis.problem, 'client-cert-required');
        t.regex(
          record.diagnosis.summary,
          /refused the one presented \(CN=stranger-client\)\. It completed the handshake with it, but HEAD \/ was answered 400 Bad Request/,
        );
        t.like(record.clientCertificate, {
          presented: 'CN=stranger-client',
          httpCheck: { status: 400, outcome: 'required' },
        });
      },
    );
  },
);

nginxTest(
  "--no-http-probe: nothing is sent, and the server that asks keeps the warning (today's answer)",
  async (t) => {
    await withServer(
      () => nginx('on'),
      async (server) => {
        const result = await runCli(inspectArgs(server.port, '--no-http-probe'));
        const record = JSON.parse(result.stdout);
        t.is(result.code, 0);
        t.is(record.diagnosis.problem, 'ok');
        t.is(record.clientCertificate.httpCheck, null);
        t.true(record.warnings.some((w: { code: string }) => w.code === 'client-certificate-requested'));
        t.is(server.accessLog(), '');
      },
    );
  },
);

test('a node server that sends the certificate_required alert (116) after the handshake: client-cert-required (exit 1)', async (t) => {
  const options = { clientCAs: [fixtures.pki.clientRoot.pem] };
  await withScenarioServer(fixtures.pki.scenarios.mtls!, options, async (server) => {
    const result = await runCli(inspectArgs(server.port));
    const record = JSON.parse(result.stdout);
    t.is(result.code, 1);
    t.is(record.diagnosis.problem, 'client-cert-required');
    t.is(record.diagnosis.confidence, 'high');
    t.regex(record.failure.code, /CERTIFICATE_REQUIRED/);
    t.deepEqual(record.clientCertificate.acceptableCAs, ['CN=Fixture Client Root,O=Fixture mTLS,C=US']);
  });
});

/** A TLS server that asks for a client certificate, goes on without one, and answers in a protocol that is not HTTP. */
async function startNonHttpAsker(): Promise<{ port: number; close(): Promise<unknown> }> {
  // The scenario server writes "hello" after the handshake and is not HTTP; with requestCert but
  // rejectUnauthorized false it accepts a client without a certificate.
  const scenario = fixtures.pki.scenarios.mtls!;
  const server = createServer(
    {
      key: scenario.keyPem,
      cert: scenario.sent.join(''),
      requestCert: true,
      rejectUnauthorized: false,
      ca: [fixtures.pki.clientRoot.pem],
    },
    (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('220 not http here\r\n'));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('a server that asks, goes on without a certificate, and does not speak HTTP: the warning stays (low confidence)', async (t) => {
  await withServer(startNonHttpAsker, async ({ port }) => {
    const result = await runCli(inspectArgs(port));
    const record = JSON.parse(result.stdout);
    t.is(result.code, 0);
    t.is(record.diagnosis.problem, 'ok');
    t.like(record.clientCertificate.httpCheck, { outcome: 'inconclusive', confidence: 'low' });
    const warning = record.warnings.find((w: { code: string }) => w.code === 'client-certificate-requested');
    t.regex(warning.message, /not confirmed: the server did not answer HEAD \/ in HTTP/);
  });
});

nginxTest('evidence against nginx ssl_verify_client on: the bundle says client-cert-required', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tlswitness-mtls-evidence-')), 'bundle');
  await withServer(
    () => nginx('on'),
    async (server) => {
      const args = inspectArgs(server.port).filter((a) => a !== '--json');
      args[0] = 'evidence';
      const result = await runCli([...args, '-o', out, '--sanity-host', 'none', '--no-client-checks', '--json']);
      t.is(result.code, 1, result.stderr);
      t.is(JSON.parse(result.stdout).problem, 'client-cert-required');
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      t.like(report.target.clientCertificate.httpCheck, { status: 400, outcome: 'required' });
    },
  );
});
