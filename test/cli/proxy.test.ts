// `tlswitness proxy` as a user runs it: NDJSON out, --log, clean shutdown, refusals.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cleanEnv, makeFixtures, PortTaken, runCli, withFreePort, type Fixtures } from '../helpers/fixtures.js';
import { startHttpsOrigin } from '../helpers/proxy.js';
import { watchBuiltIns } from '../helpers/built-ins.js';
import { startAndStopIdleProxy, startCliProxy } from '../helpers/cli-proxy.js';
import { curlViaProxy } from '../helpers/curl.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const startProxy = (args: string[]) => startCliProxy(args);

test('proxy --json --log: NDJSON events on stdout and in the log; SIGINT exits 0', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-proxy-'));
  const log = join(dir, 'events.ndjson');
  const proxy = startProxy([
    'proxy',
    '--port',
    '0',
    '--json',
    '--log',
    log,
    '--certs-dir',
    dir,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `valid.example.com:${origin.port}:127.0.0.1`,
  ]);
  try {
    const port = await proxy.port;
    const { stdout } = await curlViaProxy(
      port,
      join(dir, 'ca', 'certs', 'ca.pem'),
      `https://valid.example.com:${origin.port}/x`,
    );
    t.is(stdout, 'hello from valid /x\n');
    proxy.child.kill('SIGINT');
    t.is(await proxy.exited, 0);
    const lines = proxy
      .output()
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // A new host that verifies is forwarded before its record: its request's event may come first.
    t.deepEqual(lines.map((e) => e.type).sort(), ['handshake', 'request']);
    const handshake = lines.find((e) => e.type === 'handshake');
    t.is(handshake.diagnosis.problem, 'ok');
    t.is(lines.find((e) => e.type === 'request').handshakeId, handshake.id, 'the request names its record');
    t.is(readFileSync(log, 'utf8'), proxy.output().stdout, 'the log holds the same NDJSON');
    t.false(readFileSync(log, 'utf8').includes('PRIVATE KEY'));
  } finally {
    proxy.child.kill('SIGKILL');
    await origin.close();
  }
});

test("the proxy's records carry the certifi store's verdict (TLSWITNESS_CERTIFI_BUNDLE: an old certifi)", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-proxy-'));
  const env = cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: fixtures.pki.files['corporate-root.pem']! });
  const proxy = startCliProxy(
    [
      'proxy',
      '--port',
      '0',
      '--json',
      '--certs-dir',
      dir,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `valid.example.com:${origin.port}:127.0.0.1`,
    ],
    env,
  );
  try {
    const port = await proxy.port;
    const { stdout } = await curlViaProxy(
      port,
      join(dir, 'ca', 'certs', 'ca.pem'),
      `https://valid.example.com:${origin.port}/x`,
    );
    t.is(stdout, 'hello from valid /x\n', 'certifi is judged alone: it never blocks what the public roots verify');
    proxy.child.kill('SIGINT');
    await proxy.exited;
    const handshake = proxy
      .output()
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'handshake');
    t.deepEqual(handshake.trust, {
      public: 'ok',
      system: 'not-configured',
      extra: 'not-configured',
      certifi: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
    t.true(handshake.warnings.some((w: { code: string }) => w.code === 'certifi-lacks-root'));
  } finally {
    proxy.child.kill('SIGKILL');
    await origin.close();
  }
});

test('bare tlswitness runs the proxy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-bare-'));
  await startAndStopIdleProxy(t, ['--port', '0', '--certs-dir', dir], cleanEnv());
});

test('an idle proxy has not loaded node:http2, node:dns/promises, node:v8 nor node:vm: each waits for its first use', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-built-ins-'));
  const builtIns = watchBuiltIns();
  await startAndStopIdleProxy(
    t,
    ['--port', '0', '--no-tui', '--certs-dir', dir],
    cleanEnv({ NODE_OPTIONS: builtIns.nodeOptions }),
  );
  const loaded = builtIns.loaded();
  t.true(loaded.includes('tls'), 'the list was written');
  for (const name of ['http2', 'dns/promises', 'v8', 'vm']) t.false(loaded.includes(name), name);
});

test('a busy port, a non-loopback --host and a bad --passthrough are one-line errors (exit 2)', async (t) => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-busy-'));
  try {
    const result = await runCli(['proxy', '--port', String(port), '--certs-dir', dir]);
    t.is(result.code, 2);
    t.regex(
      result.stderr,
      new RegExp(`^Error: port 127\\.0\\.0\\.1:${port} is already in use: stop the other program or pass --port N\\n$`),
    );
    const open = await runCli(['proxy', '--host', '0.0.0.0', '--port', '0', '--certs-dir', dir]);
    t.is(open.code, 2);
    t.regex(
      open.stderr,
      /^Error: --host 0\.0\.0\.0 is not a loopback address: set TLSWITNESS_PROXY_AUTH=user:password \(or --auth-file FILE\), or listen on 127\.0\.0\.1\n$/,
    );
    const pattern = await runCli(['proxy', '--port', '0', '--passthrough', '*.', '--certs-dir', dir]);
    t.is(pattern.code, 2);
    t.regex(
      pattern.stderr,
      /^Error: --passthrough "\*\.": expected host, \*\.domain, an IP address, with an optional :port\n$/,
    );
  } finally {
    busy.close();
  }
});

test('an --extra-ca that holds no certificate is a one-line error before the banner (exit 2), though the proxy listens while stores load', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-extra-'));
  const bad = join(dir, 'not-a-cert.pem');
  writeFileSync(bad, 'not a certificate\n');
  const result = await runCli(['proxy', '--port', '0', '--no-tui', '--extra-ca', bad, '--certs-dir', dir]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^Error: --extra-ca .*not-a-cert\.pem: holds no certificate \(expected PEM/);
  t.notRegex(result.stderr, /listening/);
});

test('a *.localhost --host that resolves off loopback is refused once bound, without credentials (exit 2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-name-'));
  // Stands in for a hosts file pointing the name at every interface: the lookup the listener makes answers 0.0.0.0.
  const preload = join(dir, 'lookup.mjs');
  writeFileSync(
    preload,
    `import dns from 'node:dns';
const real = dns.lookup;
dns.lookup = function (host, options, callback) {
  if (host !== 'evil.localhost') return real.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [{ address: '0.0.0.0', family: 4 }]) : done(null, '0.0.0.0', 4)));
};
`,
  );
  const env = { ...cleanEnv(), NODE_OPTIONS: `--import=${preload}` };
  const open = await runCli(['proxy', '--host', 'evil.localhost', '--port', '0', '--certs-dir', dir, '--no-tui'], env);
  t.is(open.code, 2, open.stderr);
  t.regex(
    open.stderr,
    /^Error: --host evil\.localhost is not a loopback address: set TLSWITNESS_PROXY_AUTH=user:password \(or --auth-file FILE\), or listen on 127\.0\.0\.1\n$/,
  );
});

test('--upstream-proxy pointing at the proxy itself is refused; HTTPS_PROXY pointing at it is ignored with a Note', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-loop-'));
  // Each run binds the port it is told: a released one, which a test running beside this one may bind first.
  const taken = (stderr: string) => /is already in use/.test(stderr);
  await withFreePort(async (port) => {
    const proxyOn = async (upstream: string) => {
      const result = await runCli(['proxy', '--port', String(port), '--certs-dir', dir, '--upstream-proxy', upstream]);
      if (taken(result.stderr)) throw new PortTaken(result.stderr);
      return result;
    };
    const loop = await proxyOn(`http://127.0.0.1:${port}`);
    t.is(loop.code, 2);
    t.regex(
      loop.stderr,
      new RegExp(`^Error: --upstream-proxy http://127\\.0\\.0\\.1:${port} is this proxy itself: that would loop\\n$`),
    );
    // By address, not spelling.
    for (const host of ['127.1', '0', '[::ffff:127.0.0.1]', 'localhost.']) {
      const spelled = await proxyOn(`http://${host}:${port}`);
      t.is(spelled.code, 2, host);
      t.regex(spelled.stderr, /is this proxy itself: that would loop\n$/, host);
    }
    const child = spawn(process.execPath, [CLI, 'proxy', '--port', String(port), '--certs-dir', dir], {
      env: cleanEnv({ HTTPS_PROXY: `http://127.0.0.1:${port}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (stderr.includes('Note:')) resolve();
      });
      child.once('exit', () =>
        reject(taken(stderr) ? new PortTaken(stderr) : new Error(`the proxy exited: ${stderr}`)),
      );
    });
    t.regex(
      stderr,
      /Note: ignoring the proxy in HTTPS_PROXY\/ALL_PROXY \(http:\/\/127\.0\.0\.1:\d+\): it is this tlswitness itself/,
    );
    child.kill('SIGTERM');
    t.is(await new Promise((resolve) => child.once('exit', resolve)), 0);
  });
});

test('a malformed --upstream-client-cert is a one-line error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-ucc-'));
  const bad = await runCli(['proxy', '--port', '0', '--certs-dir', dir, '--upstream-client-cert', 'api.example.com']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^Error: --upstream-client-cert "api\.example\.com": expected HOSTPATTERN=CERT\.pem,KEY\.pem\n$/);
  const missing = await runCli([
    'proxy',
    '--port',
    '0',
    '--certs-dir',
    dir,
    '--upstream-client-cert',
    'api.example.com=/nonexistent.pem,/nonexistent-key.pem',
  ]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /^Error: --upstream-client-cert .*: \/nonexistent\.pem: ENOENT\n$/);
});
