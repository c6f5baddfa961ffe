// `tlswitness inspect` as a user runs it: the built binary, a clean environment, real servers.
import test from 'ava';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import {
  cleanEnv,
  closedPort,
  makeFixtures,
  runCli,
  startScenarioServer,
  withScenarioServer,
  type Fixtures,
} from '../helpers/fixtures.js';
import { watchBuiltIns } from '../helpers/built-ins.js';
import { hasIpv6Loopback, testNeeding } from '../helpers/requires.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function baseArgs(scenarioName: string, port: number): string[] {
  const scenario = fixtures.pki.scenarios[scenarioName]!;
  const host = scenario.host ?? '127.0.0.1';
  const args = ['inspect', `${host}:${port}`, '--public-roots', fixtures.pki.files['public-roots.pem']!];
  if (scenario.host) args.push('--resolve', `${host}:${port}:127.0.0.1`);
  return args;
}

const EXPECTED_EXIT: Record<string, number> = { ok: 0, 'connection-failed': 3 };

for (const name of [
  'valid',
  'incomplete',
  'expired',
  'notYetValid',
  'selfSigned',
  'unknownRoot',
  'mismatch',
  'wrongOrder',
  'extraCert',
  'corporate',
  'ipSan',
  'mtls',
  'sha1',
  'weakKey',
  'rsa1024',
]) {
  test(`inspect --json ${name}: SPEC problem code and exit code`, async (t) => {
    const scenario = fixtures.pki.scenarios[name]!;
    await withScenarioServer(scenario, { clientCAs: [fixtures.pki.clientRoot.pem] }, async (server) => {
      const result = await runCli([...baseArgs(name, server.port), '--json']);
      const record = JSON.parse(result.stdout);
      t.is(record.type, 'handshake');
      t.is(record.diagnosis.problem, scenario.problem);
      t.is(result.code, EXPECTED_EXIT[scenario.problem] ?? 1);
      t.deepEqual(Object.keys(record.trust), ['public', 'system', 'extra', 'certifi']);
      t.false(
        record.interception.detected,
        'fixture hosts are public names, and only the corporate one lacks a public anchor',
      );
    });
  });
}

test('human output shows the chain, the stores, the Verify return code and the action', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.incomplete!, async (server) => {
    const result = await runCli(baseArgs('incomplete', server.port));
    t.is(result.code, 1);
    t.regex(result.stdout, /Certificate chain as sent \(1\):/);
    t.regex(result.stdout, /0 s: CN=incomplete\.example\.com/);
    t.regex(
      result.stdout,
      /Trust: public UNABLE_TO_VERIFY_LEAF_SIGNATURE \| system not-configured \| extra not-configured/,
    );
    t.regex(result.stdout, /Verify return code: 21 \(unable to verify the first certificate\)/);
    t.regex(result.stdout, /Diagnosis: INCOMPLETE-CHAIN \(fault: server/);
    t.regex(result.stdout, /Action: .*full chain/);
  });
});

test('--fetch-missing confirms an incomplete chain from the AIA URL (high confidence)', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.incomplete!, async (server) => {
    const result = await runCli([...baseArgs('incomplete', server.port), '--json', '--fetch-missing']);
    const record = JSON.parse(result.stdout);
    t.is(record.diagnosis.problem, 'incomplete-chain');
    t.is(record.diagnosis.confidence, 'high');
    t.is(record.chainAnalysis.missingIssuer, 'CN=Fixture Public CA 1,O=Fixture Trust Services,C=US');
    t.true(record.chainAnalysis.fetched.ok);
    t.true(record.chainAnalysis.fetched.completesChain);
    t.is(record.chain.length, 1, 'the fetched issuer never joins the chain as sent');
  });
});

test('--fetch-missing follows the AIA of the certificate whose issuer is missing, not the leaf', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.missingMiddle!, async (server) => {
    const without = JSON.parse((await runCli([...baseArgs('missingMiddle', server.port), '--json'])).stdout);
    t.is(without.diagnosis.problem, 'unknown-ca');
    const withFetch = JSON.parse(
      (await runCli([...baseArgs('missingMiddle', server.port), '--json', '--fetch-missing'])).stdout,
    );
    t.is(withFetch.chainAnalysis.fetched.url, `${fixtures.aia.url}/public-intermediate.der`);
    t.true(withFetch.chainAnalysis.fetched.completesChain);
    t.is(withFetch.diagnosis.problem, 'incomplete-chain');
    t.is(withFetch.diagnosis.confidence, 'high');
  });
});

test('--extra-ca trusts a corporate root; --save-chain writes the chain as sent', async (t) => {
  const saved = join(fixtures.dir, 'saved-corporate.pem');
  await withScenarioServer(fixtures.pki.scenarios.corporate!, async (server) => {
    const result = await runCli([
      ...baseArgs('corporate', server.port),
      '--json',
      '--extra-ca',
      fixtures.pki.files['corporate-root.pem']!,
      '--save-chain',
      saved,
    ]);
    t.is(result.code, 0);
    const record = JSON.parse(result.stdout);
    t.is(record.trust.extra, 'ok');
    t.is(readFileSync(saved, 'utf8'), fixtures.pki.scenarios.corporate!.sent.join(''));
  });
});

test('certifi as a store: a corporate root trusted by --extra-ca but not by an old certifi bundle (TLSWITNESS_CERTIFI_BUNDLE)', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.corporate!, async (server) => {
    // A stand-in for an old certifi: only the public fixture root, not the corporate one.
    const env = cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: fixtures.pki.files['public-roots.pem']! });
    const args = [...baseArgs('corporate', server.port), '--extra-ca', fixtures.pki.files['corporate-root.pem']!];
    const json = await runCli([...args, '--json'], env);
    t.is(json.code, 0, json.stderr);
    const record = JSON.parse(json.stdout);
    t.is(record.trust.extra, 'ok');
    t.is(record.trust.certifi, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    t.true(record.verification.ok, 'certifi is judged alone, never part of the effective verdict');
    t.true(record.warnings.some((w: { code: string }) => w.code === 'certifi-lacks-root'));
    const text = await runCli(args, env);
    t.regex(
      text.stdout,
      /Trust: public UNABLE_TO_GET_ISSUER_CERT_LOCALLY \| system not-configured \| extra ok \| certifi UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
    );
    t.regex(
      text.stdout,
      /^ {2}Python: this machine trusts this chain \(extra store\) but your Python's certifi bundle .* \(TLSWITNESS_CERTIFI_BUNDLE\) does not/m,
    );
    // With the corporate root in certifi's bundle too, certifi says ok and nothing is said.
    const both = await runCli(
      [...args, '--json'],
      cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: fixtures.pki.files['corporate-root.pem']! }),
    );
    t.is(JSON.parse(both.stdout).trust.certifi, 'ok');
    t.false(JSON.parse(both.stdout).warnings.some((w: { code: string }) => w.code === 'certifi-lacks-root'));
  });
});

test('certifi as a store: the public roots verify, an old certifi does not: the upgrade line', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (server) => {
    const result = await runCli(
      baseArgs('valid', server.port),
      cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: fixtures.pki.files['corporate-root.pem']! }),
    );
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, /\| certifi UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    t.regex(
      result.stdout,
      /Python: the public roots verify this chain but your Python's certifi .*python3 -m pip install --upgrade certifi/,
    );
    t.notRegex(result.stdout, /^Warning: .*certifi/m, 'said once, in the diagnosis');
  });
});

// Serial: python3 through a version manager's shim is slow to start while the other tests load the machine.
test.serial("certifi as a store: this machine's python3 and certifi, found through certifi.where()", async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (server) => {
    const env = cleanEnv();
    delete env.TLSWITNESS_CERTIFI_BUNDLE;
    const record = JSON.parse((await runCli([...baseArgs('valid', server.port), '--json'], env)).stdout);
    const { execFileSync } = await import('node:child_process');
    let installed = true;
    try {
      execFileSync('python3', ['-c', 'import certifi'], { env: { PATH: process.env.PATH }, stdio: 'ignore' });
    } catch {
      installed = false;
    }
    // The real certifi holds Mozilla's roots, never the fixture root; without python3 or certifi it is not configured.
    t.is(record.trust.certifi, installed ? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' : 'not-configured');
  });
});

test("the certs dir's extra/ folder counts as extra roots", async (t) => {
  const certsDir = join(fixtures.dir, 'certs-with-extra');
  await withScenarioServer(fixtures.pki.scenarios.corporate!, async (server) => {
    const before = await runCli(
      [...baseArgs('corporate', server.port), '--json'],
      cleanEnv({ TLSWITNESS_CERTS_DIR: certsDir }),
    );
    t.is(JSON.parse(before.stdout).trust.extra, 'not-configured');
    mkdirSync(join(certsDir, 'extra'), { recursive: true });
    copyFileSync(fixtures.pki.files['corporate-root.pem']!, join(certsDir, 'extra', 'corp.pem'));
    const after = await runCli(
      [...baseArgs('corporate', server.port), '--json'],
      cleanEnv({ TLSWITNESS_CERTS_DIR: certsDir }),
    );
    t.is(JSON.parse(after.stdout).trust.extra, 'ok');
    t.is(after.code, 0);
  });
});

test('SSL_CERT_FILE is the system store', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (server) => {
    const result = await runCli(
      [...baseArgs('valid', server.port), '--json'],
      cleanEnv({ SSL_CERT_FILE: fixtures.pki.files['public-roots.pem']! }),
    );
    t.is(JSON.parse(result.stdout).trust.system, 'ok');
  });
});

test('--servername overrides SNI and the name checked', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.mismatch!, async (server) => {
    const result = await runCli([
      ...baseArgs('mismatch', server.port),
      '--json',
      '--servername',
      'other-name.example.com',
    ]);
    const record = JSON.parse(result.stdout);
    t.is(record.target.servername, 'other-name.example.com');
    t.is(record.diagnosis.problem, 'ok');
  });
});

test('mTLS: with the right client certificate the server accepts; with a stranger one it refuses', async (t) => {
  await withScenarioServer(
    fixtures.pki.scenarios.mtls!,
    { clientCAs: [fixtures.pki.clientRoot.pem] },
    async (server) => {
      const good = JSON.parse(
        (
          await runCli([
            ...baseArgs('mtls', server.port),
            '--json',
            '--client-cert',
            fixtures.pki.files['client.pem']!,
            '--client-key',
            fixtures.pki.files['client-key.pem']!,
          ])
        ).stdout,
      );
      t.is(good.diagnosis.problem, 'ok');
      t.true(good.clientCertificate.requested);
      t.deepEqual(good.clientCertificate.acceptableCAs, ['CN=Fixture Client Root,O=Fixture mTLS,C=US']);
      t.is(good.clientCertificate.presented, 'CN=fixture-client');
      const none = JSON.parse((await runCli([...baseArgs('mtls', server.port), '--json'])).stdout);
      t.is(none.diagnosis.problem, 'client-cert-required');
      t.is(none.clientCertificate.presented, null);
      t.regex(none.diagnosis.summary, /Fixture Client Root/);
      const stranger = await runCli([
        ...baseArgs('mtls', server.port),
        '--json',
        '--client-cert',
        fixtures.pki.files['stranger-client.pem']!,
        '--client-key',
        fixtures.pki.files['stranger-client-key.pem']!,
      ]);
      t.is(JSON.parse(stranger.stdout).diagnosis.problem, 'client-cert-required');
      t.is(stranger.code, 1);
    },
  );
});

test('mTLS over TLS 1.1 (--tls-min 1.0): the CertificateRequest without signature algorithms is read', async (t) => {
  await withScenarioServer(
    fixtures.pki.scenarios.mtls!,
    { clientCAs: [fixtures.pki.clientRoot.pem], minVersion: 'TLSv1', maxVersion: 'TLSv1.1' },
    async (server) => {
      const refused = await runCli([...baseArgs('mtls', server.port), '--json']);
      t.is(JSON.parse(refused.stdout).diagnosis.problem, 'handshake-failed', 'TLS 1.2 minimum by default, as Node');
      const legacy = JSON.parse(
        (await runCli([...baseArgs('mtls', server.port), '--json', '--tls-min', '1.0'])).stdout,
      );
      t.is(legacy.tls.protocol, 'TLSv1.1');
      t.true(legacy.clientCertificate.requested);
      t.deepEqual(legacy.clientCertificate.acceptableCAs, ['CN=Fixture Client Root,O=Fixture mTLS,C=US']);
      t.is(legacy.diagnosis.problem, 'client-cert-required');
    },
  );
});

test('a client key that does not match its certificate is a one-line usage error', async (t) => {
  await withScenarioServer(
    fixtures.pki.scenarios.mtls!,
    { clientCAs: [fixtures.pki.clientRoot.pem] },
    async (server) => {
      const result = await runCli([
        ...baseArgs('mtls', server.port),
        '--client-cert',
        fixtures.pki.files['client.pem']!,
        '--client-key',
        fixtures.pki.files['stranger-client-key.pem']!,
      ]);
      t.is(result.code, 2);
      t.regex(result.stderr, /^Error: --client-key does not belong to the certificate in --client-cert [^\n]*\n$/);
    },
  );
});

test('a proxy that never answers CONNECT: exit 3 at step proxy, within the timeout', async (t) => {
  const silent = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const result = await runCli([
      'inspect',
      'valid.example.com:443',
      '--json',
      '--timeout',
      '800',
      '--upstream-proxy',
      `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    ]);
    t.is(result.code, 3);
    const record = JSON.parse(result.stdout);
    t.is(record.failure.step, 'proxy');
    t.regex(record.failure.message, /did not open a tunnel/);
    // Before the fix the process never exited on its own: runCli would have killed it at 30 s (code 99,
    // not 3). A wall-clock bound here only measured how loaded the machine was.
  } finally {
    silent.close();
  }
});

test('through --upstream-proxy: CONNECT with basic auth, via upstream-proxy, credentials never printed', async (t) => {
  const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const proxy = await startConnectProxy();
  try {
    const args = [
      'inspect',
      `valid.example.com:${server.port}`,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--json',
      '--upstream-proxy',
      `http://alice:s3cret@127.0.0.1:${proxy.port}`,
    ];
    const result = await runCli(args);
    const record = JSON.parse(result.stdout);
    t.is(record.via, 'upstream-proxy');
    t.is(record.diagnosis.problem, 'ok');
    t.is(record.target.address, null, 'the proxy resolved the name, not us');
    t.deepEqual(proxy.seen, [`valid.example.com:${server.port}`]);
    t.deepEqual(proxy.authorizations, [`Basic ${Buffer.from('alice:s3cret').toString('base64')}`]);
    t.false(result.stdout.includes('s3cret'));
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('HTTPS_PROXY is honoured (via env-proxy), NO_PROXY and --no-env-proxy bypass it', async (t) => {
  const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const proxy = await startConnectProxy();
  try {
    const viaEnv = JSON.parse(
      (await runCli([...baseArgs('valid', server.port), '--json'], cleanEnv({ HTTPS_PROXY: proxy.url }))).stdout,
    );
    t.is(viaEnv.via, 'env-proxy');
    const bypassed = JSON.parse(
      (
        await runCli(
          [...baseArgs('valid', server.port), '--json'],
          cleanEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '.example.com' }),
        )
      ).stdout,
    );
    t.is(bypassed.via, 'direct');
    const ignored = JSON.parse(
      (
        await runCli(
          [...baseArgs('valid', server.port), '--json', '--no-env-proxy'],
          cleanEnv({ https_proxy: proxy.url }),
        )
      ).stdout,
    );
    t.is(ignored.via, 'direct');
    t.is(proxy.seen.length, 1);
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('a proxy asking for NTLM is named; a 502 and a closed proxy port exit 3 with step proxy', async (t) => {
  const ntlm = await startConnectProxy({
    refuse: 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate',
  });
  const bad = await startConnectProxy({ refuse: 'HTTP/1.1 502 Bad Gateway' });
  const closed = await closedPort();
  try {
    const r407 = await runCli(['inspect', 'valid.example.com:443', '--json', '--upstream-proxy', ntlm.url]);
    t.is(r407.code, 3);
    const rec407 = JSON.parse(r407.stdout);
    t.is(rec407.failure.step, 'proxy');
    t.is(rec407.failure.proxyStatus, 407);
    t.regex(rec407.failure.message, /NTLM or Negotiate/);
    const r502 = JSON.parse(
      (await runCli(['inspect', 'valid.example.com:443', '--json', '--upstream-proxy', bad.url])).stdout,
    );
    t.is(r502.failure.proxyStatus, 502);
    t.is(r502.diagnosis.problem, 'connection-failed');
    const refused = await runCli([
      'inspect',
      'valid.example.com:443',
      '--json',
      '--upstream-proxy',
      `http://127.0.0.1:${closed}`,
    ]);
    t.is(refused.code, 3);
    t.is(JSON.parse(refused.stdout).failure.step, 'proxy');
  } finally {
    await ntlm.close();
    await bad.close();
  }
});

test('a closed port exits 3 with step connect; an unresolvable name with step dns', async (t) => {
  const port = await closedPort();
  const refused = await runCli(['inspect', `127.0.0.1:${port}`, '--json']);
  t.is(refused.code, 3);
  const record = JSON.parse(refused.stdout);
  t.is(record.failure.step, 'connect');
  t.is(record.diagnosis.problem, 'connection-failed');
  // RFC 6761 6.4: .invalid never resolves; it names no public host.
  const dns = await runCli(['inspect', 'no-such-host.invalid', '--json', '--timeout', '3000']);
  t.is(dns.code, 3);
  t.is(JSON.parse(dns.stdout).failure.step, 'dns');
});

test('a server that does not speak TLS is a handshake failure', async (t) => {
  const plain = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  try {
    const result = await runCli(['inspect', `127.0.0.1:${(plain.address() as AddressInfo).port}`, '--json']);
    t.is(result.code, 1);
    const record = JSON.parse(result.stdout);
    t.is(record.diagnosis.problem, 'handshake-failed');
    t.regex(record.diagnosis.summary, /does not speak TLS/);
  } finally {
    plain.close();
  }
});

test("a chain over OpenSSL's 100 KiB limit (a CA bundle served as the chain): a handshake failure the server must fix, said as such", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const { createServer: createTls } = await import('node:tls');
  // ~340 KB: the fixture's public root, again and again, after the real chain.
  const bundle = Array.from({ length: 300 }, () => fixtures.pki.publicRoot.pem).join('');
  const server = createTls({ key: scenario.keyPem, cert: scenario.sent.join('') + bundle }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const result = await runCli([...baseArgs('valid', (server.address() as AddressInfo).port), '--json']);
    t.is(result.code, 1);
    const record = JSON.parse(result.stdout);
    t.like(record.diagnosis, { problem: 'handshake-failed', liability: 'server', confidence: 'high' });
    t.regex(
      record.diagnosis.summary,
      /larger than OpenSSL accepts, almost always a certificate chain over its 100 KiB limit/,
    );
    t.regex(record.diagnosis.action, /serve only the leaf and its intermediates, not a CA bundle/);
  } finally {
    server.close();
  }
});

testNeeding(hasIpv6Loopback() ? null : 'no IPv6 loopback on this machine')('IPv6 literal targets', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const { createServer: createTls } = await import('node:tls');
  const server = createTls({ key: scenario.keyPem, cert: scenario.sent.join('') }, (s) => s.end());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '::1', resolve);
  });
  try {
    const port = (server.address() as AddressInfo).port;
    const result = await runCli([
      'inspect',
      `[::1]:${port}`,
      '--json',
      '--servername',
      'valid.example.com',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
    ]);
    const record = JSON.parse(result.stdout);
    t.is(record.target.host, '::1');
    t.is(record.target.address, '::1');
    t.is(record.diagnosis.problem, 'ok');
  } finally {
    server.close();
  }
});

for (const [label, args, pattern] of [
  [
    'missing --extra-ca file',
    ['inspect', 'valid.example.com', '--extra-ca', '/nonexistent/corp.pem'],
    /^Error: --extra-ca \/nonexistent\/corp\.pem: no such file\n$/,
  ],
  [
    'non-PEM --public-roots',
    ['inspect', 'valid.example.com', '--public-roots', 'NOT_A_CERT'],
    /^Error: --public-roots .*not-a-certificate\.pem: holds no certificate/,
  ],
  ['malformed target', ['inspect', 'bad host!:443'], /^Error: target "bad host!:443"/],
  ['port out of range', ['inspect', 'example.com:99999'], /^Error: target "example\.com:99999": port "99999"/],
  [
    'malformed --resolve',
    ['inspect', 'valid.example.com', '--resolve', 'valid.example.com:443'],
    /^Error: --resolve "valid\.example\.com:443": expected HOST:PORT:ADDRESS/,
  ],
  ['unknown flag', ['inspect', 'valid.example.com', '--frobnicate'], /^Error: Unknown argument: frobnicate/],
  [
    'proxy URL with a stray %',
    ['inspect', 'valid.example.com', '--upstream-proxy', 'http://bob:50%off@127.0.0.1:1'],
    /^Error: proxy "http:\/\/\*\*\*@127\.0\.0\.1:1": the user or password has a stray %/,
  ],
  [
    'proxy URL with a bad port, no scheme',
    ['inspect', 'valid.example.com', '--upstream-proxy', 'alice:s3cret@proxy.corp:99999'],
    /^Error: proxy "http:\/\/\*\*\*@proxy\.corp:99999" is not a URL/,
  ],
] as Array<[string, string[], RegExp]>) {
  test(`bad input exits 2 with one line: ${label}`, async (t) => {
    const result = await runCli(
      args
        .map((a) => (a === 'NOT_A_CERT' ? fixtures.pki.files['not-a-certificate.pem']! : a))
        .concat(['--resolve', 'valid.example.com:443:127.0.0.1'].filter(() => !args.includes('--resolve'))),
    );
    t.is(result.code, 2);
    t.regex(result.stderr, pattern);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.is(result.stdout, '');
  });
}

test('inspect with --resolve and no upstream proxy loads neither node:http nor node:dns/promises', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (server) => {
    const builtIns = watchBuiltIns();
    const result = await runCli(
      [...baseArgs('valid', server.port), '--json'],
      cleanEnv({ NODE_OPTIONS: builtIns.nodeOptions }),
    );
    t.is(result.code, 0, result.stderr);
    const loaded = builtIns.loaded();
    t.true(loaded.includes('tls'), 'the list was written');
    t.false(loaded.includes('http'));
    t.false(loaded.includes('dns/promises'));
    // The entry file's built-ins come without their ES module facades, which read every lazy getter:
    // node:crypto's loaded all of Web Crypto, node:fs's the file streams (scripts/build.mjs).
    t.false(loaded.includes('internal/crypto/webcrypto'));
    t.false(loaded.includes('internal/fs/streams'));
    // Every store comes from the cache and nothing is written: node:fs/promises (with Node's watchers and readline)
    // is loaded only where a file is read or written asynchronously.
    t.false(loaded.includes('fs/promises'));
  });
});
