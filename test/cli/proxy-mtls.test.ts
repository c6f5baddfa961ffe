// The proxy in front of a real nginx that requires a client certificate at the HTTP layer
// (`ssl_verify_client on`): the app gets nginx's own 400, and the host's record turns
// client-cert-required (same id, an evidence bundle, the TUI's row); with --upstream-client-cert, 200.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostTable } from '../../src/tui/host-table.js';
import { verdictOf } from '../../src/tui/verdict.js';
import { startCliProxy, type CliProxy } from '../helpers/cli-proxy.js';
import { cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { hasNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { testNeeding } from '../helpers/requires.js';
import { fetchViaProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const HOST = 'mtls.example.com';

/** Tests against a real nginx: skipped where it is missing, failed under CI (.ci/run installs Debian nginx). */
const nginxTest = testNeeding(hasNginx() ? null : 'nginx is not installed here', { inCi: true });

async function nginx(): Promise<NginxServer> {
  const scenario = fixtures.pki.scenarios.mtls!;
  return startNginx({
    chainPem: scenario.sent.join(''),
    keyPem: scenario.keyPem,
    clientCaPem: fixtures.pki.clientRoot.pem,
    verifyClient: 'on',
    serverName: HOST,
  });
}

function proxyArgs(dir: string, port: number, ...extra: string[]): string[] {
  return [
    'proxy',
    '--port',
    '0',
    '--json',
    '--certs-dir',
    dir,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `${HOST}:${port}:127.0.0.1`,
    ...extra,
  ];
}

type Event = any;
const events = (proxy: CliProxy): Event[] =>
  proxy
    .output()
    .stdout.trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** Waits (bounded) until an event matching `match` is on the proxy's stdout. */
async function eventually(proxy: CliProxy, match: (event: Event) => boolean): Promise<Event | undefined> {
  for (let i = 0; i < 100; i++) {
    const found = events(proxy).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

nginxTest(
  "without an upstream client certificate: the app gets nginx's 400 unchanged, the record turns client-cert-required, a bundle is written",
  async (t) => {
    const server = await nginx();
    const dir = mkdtempSync(join(tmpdir(), 'tlswitness-proxy-mtls-'));
    const evidenceDir = join(dir, 'evidence');
    const proxy = startCliProxy(proxyArgs(dir, server.port, '--evidence-dir', evidenceDir), cleanEnv());
    try {
      const port = await proxy.port;
      const ca = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
      const answer = await fetchViaProxy(port, `https://${HOST}:${server.port}/`, ca);
      t.is(answer.status, 400);
      t.regex(answer.body, /No required SSL certificate was sent/);
      t.regex(String(answer.headers.server), /^nginx/);
      t.is(answer.headers['x-tlswitness-problem'], undefined, "not a block page: the server's own answer");

      const amended = await eventually(
        proxy,
        (e) => e.type === 'handshake' && e.diagnosis.problem === 'client-cert-required',
      );
      t.truthy(
        amended,
        events(proxy)
          .map((e) => `${e.type}:${e.diagnosis?.problem ?? e.code ?? ''}`)
          .join(' '),
      );
      const first = events(proxy).find((e) => e.type === 'handshake');
      t.is(first.diagnosis.problem, 'ok', 'the handshake alone said nothing was wrong');
      t.is(amended.id, first.id, 'an updated record, same id');
      t.is(amended.diagnosis.confidence, 'high', "nginx's page names the certificate");
      t.regex(
        amended.diagnosis.summary,
        /the app's GET was answered 400 Bad Request \("400 No required SSL certificate was sent"\)/,
      );
      t.regex(
        amended.diagnosis.action,
        new RegExp(`--upstream-client-cert ${HOST.replace(/\./g, '\\.')}=CERT\\.pem,KEY\\.pem`),
      );
      t.deepEqual(amended.clientCertificate.acceptableCAs, ['CN=Fixture Client Root,O=Fixture mTLS,C=US']);

      // The terminal UI reads the same stream: the host's row says so.
      const table = new HostTable();
      for (const event of events(proxy)) table.apply(event);
      t.is(verdictOf(table.get(`${HOST}:${server.port}`)!).word, 'CLIENT CERT REQUIRED');

      const announced = await eventually(proxy, (e) => e.type === 'evidence');
      t.like(announced, { host: HOST, problem: 'client-cert-required' });
      const report = JSON.parse(readFileSync(join(announced.path, 'report.json'), 'utf8'));
      t.is(report.target.diagnosis.problem, 'client-cert-required');
      t.is(report.target.id, first.id);

      // A second request is forwarded too, and does not publish the record again.
      t.is((await fetchViaProxy(port, `https://${HOST}:${server.port}/again`, ca)).status, 400);
      proxy.child.kill('SIGINT');
      t.is(await proxy.exited, 0);
      t.is(
        events(proxy).filter((e) => e.type === 'handshake' && e.diagnosis.problem === 'client-cert-required').length,
        1,
      );
      t.is(readdirSync(evidenceDir).filter((name) => !name.endsWith('.har')).length, 1);
    } finally {
      proxy.child.kill('SIGKILL');
      await server.close();
    }
  },
);

nginxTest('with --upstream-client-cert for the host: nginx answers 200 and the record stays ok', async (t) => {
  const server = await nginx();
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-proxy-mtls-'));
  const cert = `${HOST}=${fixtures.pki.files['client.pem']},${fixtures.pki.files['client-key.pem']}`;
  const proxy = startCliProxy(proxyArgs(dir, server.port, '--upstream-client-cert', cert), cleanEnv());
  try {
    const port = await proxy.port;
    const ca = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
    const answer = await fetchViaProxy(port, `https://${HOST}:${server.port}/`, ca);
    t.is(answer.status, 200);
    t.is(answer.body, 'hello\n');
    proxy.child.kill('SIGINT');
    t.is(await proxy.exited, 0);
    const handshakes = events(proxy).filter((e) => e.type === 'handshake');
    t.is(handshakes.length, 1);
    t.like(handshakes[0], {
      diagnosis: { problem: 'ok' },
      clientCertificate: { requested: true, presented: 'CN=fixture-client' },
    });
  } finally {
    proxy.child.kill('SIGKILL');
    await server.close();
  }
});

test('an upstream that asks, completes the handshake without a certificate, then closes on the request: client-cert-required (medium)', async (t) => {
  const { createServer } = await import('node:tls');
  const scenario = fixtures.pki.scenarios.mtls!;
  // Like a gateway that checks the certificate only when a request arrives, and hangs up.
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
      socket.once('data', () => socket.destroy());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (server.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-proxy-mtls-'));
  const proxy = startCliProxy(proxyArgs(dir, upstreamPort), cleanEnv());
  try {
    const port = await proxy.port;
    const ca = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
    const answer = await fetchViaProxy(port, `https://${HOST}:${upstreamPort}/`, ca);
    t.true(answer.status >= 500, 'the upstream hung up: the app is told so');
    const amended = await eventually(
      proxy,
      (e) => e.type === 'handshake' && e.diagnosis.problem === 'client-cert-required',
    );
    t.truthy(
      amended,
      events(proxy)
        .map((e) => `${e.type}:${e.diagnosis?.problem ?? e.code ?? ''}`)
        .join(' '),
    );
    t.is(amended.diagnosis.confidence, 'medium');
    t.regex(amended.diagnosis.summary, /the app's GET/);
  } finally {
    proxy.child.kill('SIGKILL');
    await new Promise((resolve) => server.close(resolve));
  }
});
