// `tlswitness detect`: clean, intercepted (a small interceptor with a catalogue-named CA), and
// inconclusive when targets cannot be reached. Loopback only; targets pinned with --resolve.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import {
  closedPort,
  makeFixtures,
  runCli,
  startScenarioServer,
  withScenarioServer,
  type Fixtures,
} from '../helpers/fixtures.js';
import { mitmdumpCommand } from '../helpers/mitmdump.js';
import { makeTestCa } from '../helpers/pki.js';
import { findExecutable, testNeeding } from '../helpers/requires.js';
import { withServer, withServers } from '../helpers/with-servers.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** A CONNECT proxy that re-signs every host with a "Zscaler Root CA", as an inspecting gateway does. */
async function startInterceptor() {
  const ca = await makeTestCa([
    { type: 'C', value: 'US' },
    { type: 'O', value: 'Zscaler Inc.' },
    { type: 'OU', value: 'Zscaler Inc.' },
    { type: 'CN', value: 'Zscaler Root CA' },
  ]);
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const tls = new TLSSocket(socket, {
        isServer: true,
        SNICallback: (name, cb) => {
          ca.issue([name]).then(
            (leaf) => cb(null, createSecureContext({ key: leaf.keyPem, cert: leaf.pem + ca.pem })),
            cb,
          );
        },
      });
      tls.on('error', () => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

test('detect: a public-root chain is clean (exit 0)', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (valid) => {
    const result = await runCli([
      'detect',
      `valid.example.com:${valid.port}`,
      '--json',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `valid.example.com:${valid.port}:127.0.0.1`,
    ]);
    const report = JSON.parse(result.stdout);
    t.is(result.code, 0);
    t.is(report.verdict, 'clean');
    t.is(report.path, 'direct');
    t.is(report.targets.length, 1);
  });
});

test('detect through an interceptor whose CA is named like Zscaler: intercepted, named, exit 1, even beside an unreachable target', async (t) => {
  const down = await closedPort();
  await withServer(startInterceptor, async (interceptor) => {
    const result = await runCli([
      'detect',
      'valid.example.com:443',
      'github.example.com:443',
      '--json',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--upstream-proxy',
      interceptor.url,
    ]);
    const report = JSON.parse(result.stdout);
    t.is(result.code, 1);
    t.is(report.verdict, 'intercepted');
    t.is(report.product, 'Zscaler');
    t.is(report.path, 'upstream-proxy');
    const mixed = await runCli([
      'detect',
      'valid.example.com:443',
      `127.0.0.1:${down}`,
      '--json',
      '--no-env-proxy',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--upstream-proxy',
      interceptor.url,
    ]);
    t.is(mixed.code, 1, 'interception seen anywhere wins over an unreachable target');
    const human = await runCli([
      'detect',
      'valid.example.com:443',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--upstream-proxy',
      interceptor.url,
    ]);
    t.regex(human.stdout, /^INTERCEPTED by Zscaler/);
    t.regex(human.stdout, /path: upstream-proxy \(http:\/\/127\.0\.0\.1:\d+\)/);
  });
});

test('detect with unreachable targets and no interception seen is inconclusive (exit 3), never clean', async (t) => {
  const down = await closedPort();
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (valid) => {
    const none = await runCli(['detect', `127.0.0.1:${down}`, '--json']);
    t.is(none.code, 3);
    t.is(JSON.parse(none.stdout).verdict, 'inconclusive');
    const partly = await runCli([
      'detect',
      `valid.example.com:${valid.port}`,
      `127.0.0.1:${down}`,
      '--json',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `valid.example.com:${valid.port}:127.0.0.1`,
    ]);
    t.is(partly.code, 3);
    t.is(JSON.parse(partly.stdout).verdict, 'inconclusive');
  });
});

/** mitmdump in regular mode on loopback, verifying upstream against the fixture root (so the real chain is good). */
async function startMitmdump(): Promise<{ port: number; close(): void }> {
  const confdir = mkdtempSync(join(tmpdir(), 'tlswitness-mitmproxy-'));
  // Port 0, and the port it says: a released one given to it could be bound meanwhile (it takes seconds
  // to start) by a test running beside this one.
  const [command, ...args] = mitmdumpCommand({
    port: 0,
    confdir,
    upstreamRoots: fixtures.pki.files['public-roots.pem']!,
  });
  const mitm = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const close = () => void mitm.kill('SIGTERM');
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d;
        const listening = /listening at \S*:(\d+)\D/i.exec(out);
        if (listening && Number(listening[1]) > 0) resolve(Number(listening[1]));
        else if (listening) reject(new Error(`mitmdump did not say its port: ${out}`));
      };
      mitm.stdout.on('data', onData);
      mitm.stderr.on('data', onData);
      mitm.once('exit', (code) => reject(new Error(`mitmdump exited ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`mitmdump did not start: ${out}`)), 20_000).unref();
    });
    return { port, close };
  } catch (error) {
    close();
    throw error;
  }
}

testNeeding(findExecutable('mitmdump') ? null : 'mitmdump is not installed here (.ci/run installs Debian mitmproxy)')(
  'detect through a real mitmproxy (mitmdump) names mitmproxy',
  async (t) => {
    const valid = () => startScenarioServer(fixtures.pki.scenarios.valid!);
    await withServers([valid, startMitmdump], async (origin, mitm) => {
      // mitmproxy resolves names itself: an IP target, with the name as SNI.
      const result = await runCli([
        'detect',
        `127.0.0.1:${origin.port}`,
        '--servername',
        'valid.example.com',
        '--json',
        '--public-roots',
        fixtures.pki.files['public-roots.pem']!,
        '--upstream-proxy',
        `http://127.0.0.1:${mitm.port}`,
      ]);
      const report = JSON.parse(result.stdout);
      t.is(
        report.verdict,
        'intercepted',
        JSON.stringify(report.targets[0]?.failure ?? report.targets[0]?.interception),
      );
      t.is(report.product, 'mitmproxy');
      t.is(result.code, 1);
    });
  },
);

test('detect: a self-signed target anchors nowhere, so it is no evidence of a clean network (inconclusive, exit 3); each target says why from its own record', async (t) => {
  const { expired: expiredScenario, selfSigned: selfSignedScenario } = fixtures.pki.scenarios;
  await withServers(
    [() => startScenarioServer(expiredScenario!), () => startScenarioServer(selfSignedScenario!)],
    async (expired, selfSigned) => {
      const args = [
        `expired.example.com:${expired.port}`,
        `self-signed.example.com:${selfSigned.port}`,
        '--public-roots',
        fixtures.pki.files['public-roots.pem']!,
        '--resolve',
        `expired.example.com:${expired.port}:127.0.0.1`,
        '--resolve',
        `self-signed.example.com:${selfSigned.port}:127.0.0.1`,
      ];
      const json = await runCli(['detect', ...args, '--json']);
      const report = JSON.parse(json.stdout);
      t.is(json.code, 3);
      t.is(report.verdict, 'inconclusive');
      const [exp, self] = report.verdicts;
      t.is(exp.state, 'clean', 'an expired chain under a public root was not re-signed');
      t.regex(exp.reason, /anchors in the public roots.*own problem: expired/);
      t.is(self.state, 'unanchored');
      t.regex(self.reason, /self-signed/);
      t.notRegex(self.reason, /expired\.example\.com/);
      const text = await runCli(['detect', ...args]);
      t.is(text.code, 3);
      t.regex(text.stdout, /^INCONCLUSIVE: 1 target anchored in no public root/);
      t.notRegex(text.stdout, /CLEAN/);
    },
  );
});

test('detect: two hosts under the same private root get the same verdict, each explained by its own record', async (t) => {
  const { valid: validScenario, expired: expiredScenario } = fixtures.pki.scenarios;
  await withServers(
    [() => startScenarioServer(validScenario!), () => startScenarioServer(expiredScenario!)],
    async (valid, expired) => {
      // No --public-roots: Node's bundled Mozilla roots are the public set, and the fixture root is in no store.
      const result = await runCli([
        'detect',
        `valid.example.com:${valid.port}`,
        `expired.example.com:${expired.port}`,
        '--json',
        '--resolve',
        `valid.example.com:${valid.port}:127.0.0.1`,
        '--resolve',
        `expired.example.com:${expired.port}:127.0.0.1`,
      ]);
      const report = JSON.parse(result.stdout);
      t.is(result.code, 3);
      t.is(report.verdict, 'inconclusive');
      t.deepEqual(
        report.verdicts.map((v: { state: string }) => v.state),
        ['unanchored', 'unanchored'],
      );
      t.deepEqual(
        report.targets.map((r: { interception: { detected: boolean } }) => r.interception.detected),
        [false, false],
      );
      t.notRegex(report.verdicts[0].reason, /expired\.example\.com/);
      t.notRegex(report.verdicts[1].reason, /valid\.example\.com/);
    },
  );
});
