// The MITM proxy with real clients and fixture origins: what verifies passes, what does not is
// blocked with the diagnosis, every upstream handshake is recorded, secrets stay out of events.
import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import {
  fetchPlainViaProxy,
  fetchViaProxy,
  startHttpOrigin,
  startHttpsOrigin,
  startTestProxy,
  tlsViaProxy,
  type Origin,
  type TestProxy,
  type TestProxyExtras,
} from '../helpers/proxy.js';
import type { HandshakeRecord } from '../../src/types.js';
import { upstreamAcceptable } from '../../src/proxy/policy.js';
import type { RequestEvent } from '../../src/events.js';
import { testNeeding } from '../helpers/requires.js';
import { withServer, withServers } from '../helpers/with-servers.js';
import { curlViaProxy } from '../helpers/curl.js';

const run = promisify(execFile);
let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** The scenario's HTTPS origin, closed after `fn` whether it passed or threw. */
function withOrigin(name: string, fn: (origin: Origin, host: string) => Promise<void>): Promise<void> {
  const scenario = fixtures.pki.scenarios[name]!;
  return withServer(
    () => startHttpsOrigin(scenario),
    (origin) => fn(origin, scenario.host ?? '127.0.0.1'),
  );
}

/** The scenario's origin and a MITM proxy that resolves its host to it; both closed afterwards, the proxy first. */
function withProxyTo(
  name: string,
  fn: (proxy: TestProxy, origin: Origin, host: string) => Promise<void>,
  extras: TestProxyExtras = {},
): Promise<void> {
  return withOrigin(name, (origin, host) =>
    withServer(
      () => startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`], {}, extras),
      (proxy) => fn(proxy, origin, host),
    ),
  );
}

const handshakes = (events: unknown[]) =>
  events.filter((e): e is HandshakeRecord => (e as { type: string }).type === 'handshake');
const requests = (events: unknown[]) =>
  events.filter((e): e is RequestEvent => (e as { type: string }).type === 'request');

test('a valid host: 200 and the body through the MITM, its handshake recorded once, the request logged', async (t) => {
  await withProxyTo('valid', async (proxy, origin, host) => {
    const url = `https://${host}:${origin.port}/hello?token=s3cret&page=2`;
    const first = await fetchViaProxy(proxy.port, url, proxy.ca.certPem);
    const second = await fetchViaProxy(proxy.port, url, proxy.ca.certPem);
    t.is(first.status, 200);
    t.is(first.body, 'hello from valid /hello?token=s3cret&page=2\n');
    t.is(second.status, 200);
    // A host that verifies is forwarded first and recorded once its response went out.
    await proxy.event((e) => e.type === 'handshake');
    const records = handshakes(proxy.events);
    t.is(records.length, 1, 'one recording per host:port within the TTL');
    t.is(records[0]!.diagnosis.problem, 'ok');
    t.is(records[0]!.chain.length, 2);
    const logged = requests(proxy.events);
    t.is(logged.length, 2);
    t.is(logged[0]!.url, `https://${host}:${origin.port}/hello?token=REDACTED&page=2`);
    t.is(logged[0]!.status, 200);
    t.is(logged[0]!.handshakeId, records[0]!.id);
    t.true(logged[0]!.bytes.response > 0);
  });
});

test('curl through the proxy trusts the minted leaf with the local CA', async (t) => {
  await withProxyTo('valid', async (proxy, origin, host) => {
    const caFile = join(fixtures.dir, `proxy-ca-${proxy.port}.pem`);
    writeFileSync(caFile, proxy.ca.certPem);
    const { stdout } = await curlViaProxy(proxy.port, caFile, `https://${host}:${origin.port}/via-curl`);
    t.is(stdout, 'hello from valid /via-curl\n');
  });
});

for (const [name, problem] of [
  ['expired', 'expired'],
  ['incomplete', 'incomplete-chain'],
  ['mismatch', 'hostname-mismatch'],
  ['unknownRoot', 'unknown-ca'],
  ['selfSigned', 'self-signed'],
] as const) {
  test(`${name}: blocked with a 502 that names the host, the problem, the action and the served chain`, async (t) => {
    await withProxyTo(name, async (proxy, origin, host) => {
      const text = await fetchViaProxy(proxy.port, `https://${host}:${origin.port}/`, proxy.ca.certPem);
      t.is(text.status, 502);
      t.is(text.headers['x-tlswitness-problem'], problem);
      t.regex(text.body, new RegExp(`${host}:${origin.port} failed TLS verification`));
      t.regex(text.body, new RegExp(`Problem: +${problem}`));
      t.regex(text.body, /Action: +\S/);
      t.regex(text.body, /-----BEGIN CERTIFICATE-----/);
      t.false(text.body.includes('hello from'), 'the origin was never asked');
      const html = await fetchViaProxy(proxy.port, `https://${host}:${origin.port}/`, proxy.ca.certPem, {
        accept: 'text/html',
      });
      t.regex(String(html.headers['content-type']), /text\/html/);
      t.regex(html.body, /<h1>TLS problem: /);
      t.is(handshakes(proxy.events)[0]!.diagnosis.problem, problem);
      t.is(requests(proxy.events)[0]!.blocked, problem);
    });
  });
}

// A host that verifies is forwarded before its record is made (host-recorder.ts): on a cold host, its
// very first request, nothing the record blocks may reach the origin.
test('every fixture scenario on a cold host: the first request reaches the origin exactly when the record lets it through', async (t) => {
  const counts = { passed: 0, blocked: 0 };
  for (const [name, scenario] of Object.entries(fixtures.pki.scenarios)) {
    // An IP address as the target (no SNI) has tests of its own (routes.test.ts).
    if (!scenario.host) continue;
    const trust = fixtureTrust(fixtures.pki, [fixtures.pki.corporateRoot.pem, ...(scenario.anchors ?? [])]);
    await withOrigin(name, (origin, host) =>
      withServer(
        () => startTestProxy(trust, [`${host}:${origin.port}:127.0.0.1`]),
        async (proxy) => {
          const url = `https://${host}:${origin.port}/first`;
          const first = await fetchViaProxy(proxy.port, url, proxy.ca.certPem).catch((error: Error) => ({
            status: 0,
            body: error.message,
          }));
          const record = (await proxy.event((event) => event.type === 'handshake')) as HandshakeRecord;
          if (upstreamAcceptable({}, record)) {
            counts.passed++;
            t.is(first.status, 200, `${name}: forwarded`);
            const logged = (await proxy.event((event) => event.type === 'request')) as RequestEvent;
            t.is(logged.handshakeId, record.id, `${name}: the request names its record`);
          } else {
            counts.blocked++;
            t.is(first.status, 502, `${name}: blocked`);
            t.false(first.body.includes('hello from'), `${name}: the origin was never asked`);
          }
        },
      ),
    );
  }
  t.true(counts.passed >= 5 && counts.blocked >= 10, JSON.stringify(counts));
});

test('a corporate root: blocked without it, 200 once it is an extra trusted root (corporate CA injection)', async (t) => {
  await withOrigin('corporate', async (origin, host) => {
    const resolve = [`${host}:${origin.port}:127.0.0.1`];
    const withoutCorp = () => startTestProxy(fixtureTrust(fixtures.pki), resolve);
    const withCorpRoot = () => startTestProxy(fixtureTrust(fixtures.pki, [fixtures.pki.corporateRoot.pem]), resolve);
    await withServers([withoutCorp, withCorpRoot], async (without, withCorp) => {
      t.is((await fetchViaProxy(without.port, `https://${host}:${origin.port}/`, without.ca.certPem)).status, 502);
      const ok = await fetchViaProxy(withCorp.port, `https://${host}:${origin.port}/`, withCorp.ca.certPem);
      t.is(ok.status, 200);
      await withCorp.event((e) => e.type === 'handshake');
      t.is(handshakes(withCorp.events)[0]!.trust.extra, 'ok');
    });
  });
});

test('plain HTTP is forwarded', async (t) => {
  const proxyStart = () => startTestProxy(fixtureTrust(fixtures.pki), []);
  await withServers([startHttpOrigin, proxyStart], async (origin, proxy) => {
    const result = await fetchPlainViaProxy(proxy.port, `http://127.0.0.1:${origin.port}/plain?x=1`);
    t.is(result.status, 200);
    t.is(result.body, 'plain hello /plain?x=1\n');
    t.is(requests(proxy.events)[0]!.url, `http://127.0.0.1:${origin.port}/plain?x=1`);
  });
});

test('an app that does not trust the local CA shows up as client-tls-error', async (t) => {
  await withProxyTo('valid', async (proxy, origin, host) => {
    await t.throwsAsync(fetchViaProxy(proxy.port, `https://${host}:${origin.port}/`, null), {
      message: /self-signed|unable to verify|local issuer/,
    });
    for (let i = 0; i < 50 && !proxy.events.some((e) => e.type === 'client-tls-error'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const rejection = proxy.events.find((e) => e.type === 'client-tls-error');
    t.truthy(rejection);
    t.is(rejection && 'host' in rejection ? rejection.host : null, host);
    t.regex(rejection && 'action' in rejection ? rejection.action : '', /tlswitness ca env/);
    // Two more refusals for the same host: the event suggests --passthrough (a pinned app).
    for (let i = 0; i < 2; i++) await t.throwsAsync(fetchViaProxy(proxy.port, `https://${host}:${origin.port}/`, null));
    for (let i = 0; i < 50 && proxy.events.filter((e) => e.type === 'client-tls-error').length < 3; i++)
      await new Promise((r) => setTimeout(r, 20));
    const third = proxy.events.filter((e) => e.type === 'client-tls-error')[2];
    t.regex(third && 'action' in third ? third.action : '', new RegExp(`--passthrough ${host.replace(/\./g, '\\.')}`));
  });
});

test('no private key and no Authorization, Cookie or Set-Cookie value in any event', async (t) => {
  await withProxyTo('valid', async (proxy, origin, host) => {
    const result = await fetchViaProxy(proxy.port, `https://${host}:${origin.port}/private`, proxy.ca.certPem, {
      authorization: 'Bearer top-secret-token',
      cookie: 'sid=top-secret-cookie',
    });
    t.is(result.headers['x-seen-authorization'], 'yes', 'the app’s own header still reaches the origin');
    const serialized = JSON.stringify(proxy.events);
    for (const secret of ['PRIVATE KEY', 'top-secret-token', 'top-secret-cookie', 'origin-secret-cookie'])
      t.false(serialized.includes(secret), secret);
  });
});

test('a bad CONNECT target gets a 400 and an error event; the proxy keeps serving', async (t) => {
  await withProxyTo('valid', async (proxy, origin, host) => {
    await t.throwsAsync(fetchViaProxy(proxy.port, `https://${host}:0/`, proxy.ca.certPem), {
      message: /CONNECT answered 400/,
    });
    t.true(proxy.events.some((e) => e.type === 'error' && e.code === 'BAD_CONNECT'));
    t.is((await fetchViaProxy(proxy.port, `https://${host}:${origin.port}/`, proxy.ca.certPem)).status, 200);
  });
});

/** An HTTPS origin (the valid scenario) whose WebSocket endpoint echoes every message. */
async function startWebSocketEcho(): Promise<Origin & { connections(): number }> {
  const { createServer: createHttps } = await import('node:https');
  const { WebSocketServer } = await import('ws');
  const scenario = fixtures.pki.scenarios.valid!;
  const server = createHttps({ key: scenario.keyPem, cert: scenario.sent.join('') });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${data}`)));
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connections: () => connections,
    close: async () => {
      wss.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

test('a WebSocket echo through the MITM', async (t) => {
  const { WebSocket } = await import('ws');
  const scenario = fixtures.pki.scenarios.valid!;
  await withServer(startWebSocketEcho, async ({ port, connections }) => {
    await withServer(
      () => startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${port}:127.0.0.1`]),
      async (proxy) => {
        const tls = await tlsViaProxy(proxy.port, scenario.host!, port, { ca: [proxy.ca.certPem] });
        const ws = new WebSocket(`wss://${scenario.host}:${port}/chat`, { createConnection: () => tls } as never);
        const answer = await new Promise<string>((resolve, reject) => {
          ws.on('open', () => ws.send('ping through the MITM'));
          ws.on('message', (data) => resolve(String(data)));
          ws.on('error', reject);
        });
        t.is(answer, 'echo: ping through the MITM');
        // One connection: it recorded the host, OpenSSL verified it before the app's 101, and it carries the WebSocket.
        t.is(connections(), 1);
        ws.close();
        await new Promise((resolve) => setTimeout(resolve, 200));
        t.false(
          proxy.events.some((e) => e.type === 'client-tls-error'),
          'a WebSocket-only session is not a rejected CA',
        );
      },
    );
  });
});

test('the local CA is never trusted upstream, even when it sits in the system or extra store', async (t) => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { runCli, cleanEnv } = await import('../helpers/fixtures.js');
  const certsDir = mkdtempSync(join(tmpdir(), 'tlswitness-own-ca-'));
  await withProxyTo(
    'valid',
    async (proxy, origin, host) => {
      const caFile = join(certsDir, 'ca', 'certs', 'ca.pem');
      // inspect through the proxy: it is shown the leaf the proxy minted with the local CA.
      const result = await runCli(
        [
          'inspect',
          `${host}:${origin.port}`,
          '--json',
          '--certs-dir',
          certsDir,
          '--extra-ca',
          caFile,
          '--upstream-proxy',
          `http://127.0.0.1:${proxy.port}`,
        ],
        cleanEnv({ SSL_CERT_FILE: caFile }),
      );
      t.is(result.stderr, '');
      const record = JSON.parse(result.stdout);
      t.regex(record.chain[0].issuer, /tlswitness CA/);
      t.is(record.trust.system, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      t.is(record.trust.extra, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      t.false(record.verification.ok);
      t.is(record.interception.product, 'tlswitness', 'a loop through a tlswitness proxy is named');
    },
    { certsDir },
  );
});

testNeeding(
  spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0 ? null : 'python3 is not installed here',
)('python3 (urllib, HTTPS_PROXY and the local CA) gets the page through the MITM', async (t) => {
  await withProxyTo('valid', async (proxy, origin, host) => {
    const caFile = join(fixtures.dir, `python-ca-${proxy.port}.pem`);
    writeFileSync(caFile, proxy.ca.certPem);
    const script = [
      'import ssl, sys, urllib.request',
      `ctx = ssl.create_default_context(cafile=${JSON.stringify(caFile)})`,
      'opener = urllib.request.build_opener(urllib.request.ProxyHandler(), urllib.request.HTTPSHandler(context=ctx))',
      'sys.stdout.write(opener.open(sys.argv[1], timeout=10).read().decode())',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, `https://${host}:${origin.port}/from-python`], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` },
    });
    t.is(stdout, 'hello from valid /from-python\n');
  });
});
