// Routes other than interception: tunnel on upstream error, passthrough, --mode tunnel, apps whose ALPN
// offers no HTTP and non-TLS CONNECTs; each still records the chain (except non-TLS).
import test from 'ava';
import { createServer, type AddressInfo } from 'node:net';
import { makeFixtures, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import type { PolicyOptions } from '../../src/proxy/policy.js';
import { relayCollector, YOUNG_GC_EVERY_BYTES } from '../../src/proxy/young-collector.js';
import { fixtureTrust } from '../helpers/observe.js';
import { hasIpv6Loopback, testNeeding } from '../helpers/requires.js';
import {
  fetchViaProxy,
  rawViaProxy,
  startHttpsOrigin,
  startTestProxy,
  tlsViaProxy,
  type Origin,
  type TestProxy,
} from '../helpers/proxy.js';
import { withServer, withServers } from '../helpers/with-servers.js';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { curlViaProxy } from '../helpers/curl.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** The scenario's origin and a proxy with this policy that resolves the scenario's host to it; both closed afterwards, the proxy first. */
function withRoute(
  name: string,
  policy: Partial<PolicyOptions>,
  fn: (proxy: TestProxy, origin: Origin, scenario: Scenario) => Promise<void>,
  startOrigin: (scenario: Scenario) => Promise<Origin> = startHttpsOrigin,
): Promise<void> {
  const scenario = fixtures.pki.scenarios[name]!;
  return withServer(
    () => startOrigin(scenario),
    (origin) =>
      withServer(
        () => startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`], policy),
        (proxy) => fn(proxy, origin, scenario),
      ),
  );
}

async function recorded(
  events: Array<{ type: string }>,
): Promise<Array<{ type: string; diagnosis?: { problem: string } }>> {
  for (let i = 0; i < 100 && !events.some((e) => e.type === 'handshake'); i++)
    await new Promise((r) => setTimeout(r, 20));
  return events.filter((e) => e.type === 'handshake');
}

test('--on-upstream-error tunnel: the app sees the real certificate and its own error; the record is written', async (t) => {
  await withRoute('expired', { onUpstreamError: 'tunnel' }, async (proxy, origin, scenario) => {
    await t.throwsAsync(
      fetchViaProxy(proxy.port, `https://${scenario.host}:${origin.port}/`, fixtures.pki.publicRoot.pem),
      { message: /certificate has expired/ },
    );
    t.is((await recorded(proxy.events))[0]!.diagnosis!.problem, 'expired');
  });
});

const ROUTES: Array<[string, Partial<PolicyOptions>]> = [
  ['--passthrough *.example.com', { passthrough: [{ host: 'example.com', wildcard: true, port: null }] }],
  ['--mode tunnel', { mode: 'tunnel' }],
];
for (const [label, policy] of ROUTES) {
  test(`${label}: the origin's own chain reaches the app, and the chain is recorded`, async (t) => {
    await withRoute('valid', policy, async (proxy, origin, scenario) => {
      const tls = await tlsViaProxy(proxy.port, scenario.host!, origin.port, { ca: [fixtures.pki.publicRoot.pem] });
      t.is(tls.getPeerX509Certificate()?.subject, 'CN=valid.example.com');
      t.true(tls.authorized, 'verified against the fixture public root: not our CA');
      tls.destroy();
      t.is((await recorded(proxy.events))[0]!.diagnosis!.problem, 'ok');
    });
  });
}

test('an app whose ALPN offers no HTTP (here IMAP over TLS) is passed through', async (t) => {
  // A TLS origin that does not insist on an ALPN protocol.
  await withRoute(
    'valid',
    {},
    async (proxy, origin, scenario) => {
      const tls = await tlsViaProxy(proxy.port, scenario.host!, origin.port, {
        ca: [fixtures.pki.publicRoot.pem],
        alpn: ['imap'],
      });
      t.true(tls.authorized);
      t.is(tls.getPeerX509Certificate()?.issuer, 'C=US\nO=Fixture Trust Services\nCN=Fixture Public CA 1');
      tls.destroy();
    },
    startScenarioServer,
  );
});

/** A plain TCP server that answers the first bytes it gets with "echo: " and them, then closes. */
async function startEcho() {
  const echo = createServer((socket) => socket.once('data', (d) => socket.end(`echo: ${d}`)));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  return { port: (echo.address() as AddressInfo).port, close: () => echo.close() };
}

const startFixtureProxy = () => startTestProxy(fixtureTrust(fixtures.pki), []);

test('a CONNECT whose first bytes are not TLS is tunnelled raw', async (t) => {
  await withServers([startEcho, startFixtureProxy], async (echo, proxy) => {
    const answer = await rawViaProxy(proxy.port, '127.0.0.1', echo.port, 'SSH-2.0-test\r\n');
    t.is(answer, 'echo: SSH-2.0-test\r\n');
    t.false(
      proxy.events.some((e) => e.type === 'handshake'),
      'nothing to record: it is not TLS',
    );
  });
});

// Serial: nothing else in this file relays while the count is read.
test.serial("a tunnel's relayed bytes count towards the young-generation collections", async (t) => {
  await withServers([startEcho, startFixtureProxy], async (echo, proxy) => {
    const before = relayCollector.pending;
    const answer = await rawViaProxy(proxy.port, '127.0.0.1', echo.port, 'SSH-2.0-test\r\n');
    // The app's first bytes are read to tell TLS from not, and written on by hand: the answer is what the pipes carried.
    t.is((relayCollector.pending - before + YOUNG_GC_EVERY_BYTES) % YOUNG_GC_EVERY_BYTES, Buffer.byteLength(answer));
  });
});

test('--complete-chains: an incomplete chain that AIA completes passes, still recorded as incomplete-chain', async (t) => {
  await withRoute('incomplete', { completeChains: true }, async (proxy, origin, scenario) => {
    const result = await fetchViaProxy(
      proxy.port,
      `https://${scenario.host}:${origin.port}/repaired`,
      proxy.ca.certPem,
    );
    t.is(result.status, 200);
    t.is(result.body, 'hello from incomplete /repaired\n');
    const record = (await recorded(proxy.events))[0] as unknown as {
      diagnosis: { problem: string; liability: string };
      chainAnalysis: { fetched: { completesChain: boolean } };
    };
    t.is(record.diagnosis.problem, 'incomplete-chain');
    t.is(record.diagnosis.liability, 'server');
    t.true(record.chainAnalysis.fetched.completesChain);
  });
});

test('--complete-chains does not rescue a chain AIA cannot complete (unknown root)', async (t) => {
  await withRoute('unknownRoot', { completeChains: true }, async (proxy, origin, scenario) => {
    t.is((await fetchViaProxy(proxy.port, `https://${scenario.host}:${origin.port}/`, proxy.ca.certPem)).status, 502);
  });
});

test('--upstream-client-cert: the proxy presents the client certificate an mTLS API demands', async (t) => {
  const { parseUpstreamClientCert } = await import('../../src/proxy/client-certificates.js');
  const scenario = fixtures.pki.scenarios.mtls!;
  const spec = `*.example.com=${fixtures.pki.files['client.pem']},${fixtures.pki.files['client-key.pem']}`;
  const client = parseUpstreamClientCert(spec).credentials;
  await withServer(
    () => startHttpsOrigin(scenario, fixtures.pki.clientRoot.pem),
    async (origin) => {
      const resolve = [`${scenario.host}:${origin.port}:127.0.0.1`];
      const startWithCert = () => startTestProxy(fixtureTrust(fixtures.pki), resolve, {}, { client });
      const startWithout = () => startTestProxy(fixtureTrust(fixtures.pki), resolve);
      await withServers([startWithCert, startWithout], async (withCert, without) => {
        const ok = await fetchViaProxy(
          withCert.port,
          `https://${scenario.host}:${origin.port}/api`,
          withCert.ca.certPem,
        );
        t.is(ok.status, 200);
        t.is(ok.body, 'hello from mtls /api\n');
        const refused = await fetchViaProxy(
          without.port,
          `https://${scenario.host}:${origin.port}/api`,
          without.ca.certPem,
        );
        t.is(refused.status, 502);
        t.is(refused.headers['x-tlswitness-problem'], 'client-cert-required');
      });
    },
  );
});

test('--upstream-proxy carries HTTPS (CONNECT) and plain HTTP (absolute-form, with credentials)', async (t) => {
  const { startConnectProxy } = await import('../helpers/connect-proxy.js');
  const { parseProxyUrl } = await import('../../src/net/connector.js');
  const { startHttpOrigin } = await import('../helpers/proxy.js');
  const { fetchPlainViaProxy } = await import('../helpers/proxy.js');
  const scenario = fixtures.pki.scenarios.valid!;
  const startOrigin = () => startHttpsOrigin(scenario);
  await withServers([startOrigin, startHttpOrigin, startConnectProxy], async (origin, plain, corporate) => {
    const upstreamProxy = parseProxyUrl(`http://bob:pw@127.0.0.1:${corporate.port}`, 'upstream-proxy');
    await withServer(
      () => startTestProxy(fixtureTrust(fixtures.pki), [], {}, { upstreamProxy }),
      async (proxy) => {
        t.is(
          (await fetchViaProxy(proxy.port, `https://${scenario.host}:${origin.port}/x`, proxy.ca.certPem)).status,
          200,
        );
        t.is(
          (await fetchPlainViaProxy(proxy.port, `http://127.0.0.1:${plain.port}/plain`)).body,
          'plain hello /plain\n',
        );
        t.true(
          corporate.seen.includes(`${scenario.host}:${origin.port}`),
          'CONNECT for the HTTPS host (probe and traffic)',
        );
        t.true(corporate.seen.includes(`GET http://127.0.0.1:${plain.port}/plain`), 'absolute-form for plain HTTP');
        t.true(corporate.authorizations.every((a) => a === `Basic ${Buffer.from('bob:pw').toString('base64')}`));
        const record = await proxy.event((e) => e.type === 'handshake');
        t.is((record as { via?: string }).via, 'upstream-proxy');
      },
    );
  });
});

test('tunnel on upstream error, seen by curl: its own error (exit 60, certificate has expired)', async (t) => {
  await withRoute('expired', { onUpstreamError: 'tunnel' }, async (proxy, origin, scenario) => {
    const url = `https://${scenario.host}:${origin.port}/`;
    const result = await curlViaProxy(proxy.port, fixtures.pki.files['public-roots.pem']!, url).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr: string }) => ({ code: error.code ?? null, stderr: error.stderr }),
    );
    t.is(result.code, 60);
    t.regex(result.stderr, /certificate has expired/);
  });
});

testNeeding(hasIpv6Loopback() ? null : 'no IPv6 loopback on this machine')(
  'an IPv6 CONNECT target ([::1]:port): recorded with its address and a leaf with an IP SAN',
  async (t) => {
    const startV6Origin = async (): Promise<Origin> => {
      const { createServer: createHttps } = await import('node:https');
      const scenario = fixtures.pki.scenarios.ipSan!;
      // The fixture leaf names 127.0.0.1; the proxy mints ::1 from the CONNECT target either way.
      const server = createHttps({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) =>
        res.end('v6 hello\n'),
      );
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '::1', resolve);
      });
      const port = (server.address() as { port: number }).port;
      return {
        port,
        close: async () => {
          server.closeAllConnections();
          server.close();
        },
      };
    };
    const startProxy = () => startTestProxy(fixtureTrust(fixtures.pki), []);
    await withServers([startV6Origin, startProxy], async ({ port }, proxy) => {
      const tls = await tlsViaProxy(proxy.port, '::1', port, { ca: [proxy.ca.certPem] }).catch((error: Error) => error);
      // The upstream leaf names 127.0.0.1, not ::1: a hostname mismatch, so the session is minted for ::1 and blocked.
      t.false(tls instanceof Error, String(tls));
      if (!(tls instanceof Error)) {
        t.regex(tls.getPeerX509Certificate()?.subjectAltName ?? '', /IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
        tls.destroy();
      }
      for (let i = 0; i < 50 && !proxy.events.some((e) => e.type === 'handshake'); i++)
        await new Promise((r) => setTimeout(r, 20));
      const record = proxy.events.find((e) => e.type === 'handshake') as {
        target: { host: string; address: string };
        diagnosis: { problem: string };
      };
      t.is(record.target.host, '::1');
      t.is(record.target.address, '::1');
      t.is(record.diagnosis.problem, 'hostname-mismatch');
    });
  },
);
