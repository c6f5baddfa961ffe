// `tlswitness detect`: clean, intercepted (a small interceptor with a catalogue-named CA), and
// inconclusive when targets cannot be reached. Loopback only; targets pinned with --resolve.
import test from 'ava';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { freePort, makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { makeTestCa } from '../helpers/pki.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** A CONNECT proxy that re-signs every host with a "Zscaler Root CA", as an inspecting gateway does. */
async function startInterceptor() {
  const ca = await makeTestCa([{ type: 'C', value: 'US' }, { type: 'O', value: 'Zscaler Inc.' }, { type: 'OU', value: 'Zscaler Inc.' }, { type: 'CN', value: 'Zscaler Root CA' }]);
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const tls = new TLSSocket(socket, {
        isServer: true,
        SNICallback: (name, cb) => {
          ca.issue([name]).then((leaf) => cb(null, createSecureContext({ key: leaf.keyPem, cert: leaf.pem + ca.pem })), cb);
        },
      });
      tls.on('error', () => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

test('detect: a public-root chain is clean (exit 0)', async (t) => {
  const valid = await startScenarioServer(fixtures.pki.scenarios.valid!);
  try {
    const result = await runCli(['detect', `valid.example.com:${valid.port}`, '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--resolve', `valid.example.com:${valid.port}:127.0.0.1`]);
    const report = JSON.parse(result.stdout);
    t.is(result.code, 0);
    t.is(report.verdict, 'clean');
    t.is(report.path, 'direct');
    t.is(report.targets.length, 1);
  } finally {
    valid.close();
  }
});

test('detect through an interceptor whose CA is named like Zscaler: intercepted, named, exit 1, even beside an unreachable target', async (t) => {
  const interceptor = await startInterceptor();
  const down = await freePort();
  try {
    const result = await runCli(['detect', 'valid.example.com:443', 'github.example.com:443', '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--upstream-proxy', interceptor.url]);
    const report = JSON.parse(result.stdout);
    t.is(result.code, 1);
    t.is(report.verdict, 'intercepted');
    t.is(report.product, 'Zscaler');
    t.is(report.path, 'upstream-proxy');
    const mixed = await runCli(['detect', 'valid.example.com:443', `127.0.0.1:${down}`, '--json', '--no-env-proxy', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--upstream-proxy', interceptor.url]);
    t.is(mixed.code, 1, 'interception seen anywhere wins over an unreachable target');
    const human = await runCli(['detect', 'valid.example.com:443', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--upstream-proxy', interceptor.url]);
    t.regex(human.stdout, /^INTERCEPTED by Zscaler/);
    t.regex(human.stdout, /path: upstream-proxy \(http:\/\/127\.0\.0\.1:\d+\)/);
  } finally {
    interceptor.close();
  }
});

test('detect with unreachable targets and no interception seen is inconclusive (exit 3), never clean', async (t) => {
  const valid = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const down = await freePort();
  try {
    const none = await runCli(['detect', `127.0.0.1:${down}`, '--json']);
    t.is(none.code, 3);
    t.is(JSON.parse(none.stdout).verdict, 'inconclusive');
    const partly = await runCli(['detect', `valid.example.com:${valid.port}`, `127.0.0.1:${down}`, '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--resolve', `valid.example.com:${valid.port}:127.0.0.1`]);
    t.is(partly.code, 3);
    t.is(JSON.parse(partly.stdout).verdict, 'inconclusive');
  } finally {
    valid.close();
  }
});

test('detect through a real mitmproxy (mitmdump) names mitmproxy', async (t) => {
  const { execFileSync, spawn } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  try {
    execFileSync('mitmdump', ['--version'], { stdio: 'ignore' });
  } catch {
    t.pass('mitmdump is not installed here (.ci/run installs Debian mitmproxy)');
    return;
  }
  const valid = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const port = await freePort();
  const confdir = mkdtempSync(join(tmpdir(), 'tlswitness-mitmproxy-'));
  // Regular mode on loopback; it verifies upstream against the fixture root, so the real chain is good.
  const mitm = spawn('mitmdump', ['--listen-host', '127.0.0.1', '--listen-port', String(port), '--set', `confdir=${confdir}`, '--set', `ssl_verify_upstream_trusted_ca=${fixtures.pki.files['public-roots.pem']}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d;
        if (/listening at/i.test(out)) resolve();
      };
      mitm.stdout.on('data', onData);
      mitm.stderr.on('data', onData);
      mitm.once('exit', (code) => reject(new Error(`mitmdump exited ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`mitmdump did not start: ${out}`)), 20_000);
    });
    // mitmproxy resolves names itself: an IP target, with the name as SNI.
    const result = await runCli(['detect', `127.0.0.1:${valid.port}`, '--servername', 'valid.example.com', '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--upstream-proxy', `http://127.0.0.1:${port}`]);
    const report = JSON.parse(result.stdout);
    t.is(report.verdict, 'intercepted', JSON.stringify(report.targets[0]?.failure ?? report.targets[0]?.interception));
    t.is(report.product, 'mitmproxy');
    t.is(result.code, 1);
  } finally {
    mitm.kill('SIGTERM');
    valid.close();
  }
});
