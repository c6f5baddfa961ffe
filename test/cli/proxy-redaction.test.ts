// Every family of secret through the real proxy (fixture origins on 127.0.0.1, an upstream proxy with
// credentials): no secret value in stdout (--json), stderr, the --log file, the HAR or the evidence
// bundle, while the redacted shape (names, `REDACTED`) is still there to read.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fetchViaProxy, startHttpOrigin, startHttpsOrigin, type Origin } from '../helpers/proxy.js';
import { onLoopback } from '../helpers/loopback-server.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** Each secret is unique, so a leak names its family. */
const s = (family: string) => `sekrit-${family}-7q`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqd3QtZmFtaWx5In0.c2lnbmF0dXJlLWp3dA';

/** An origin that answers /redirect like an OAuth server: a code in Location, a session cookie, a signed Link. */
async function startRedirectingOrigin(scenario: Scenario): Promise<Origin> {
  const server = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, {
        location: `https://app.example/cb?code=${s('location-code')}&state=visible-state`,
        'set-cookie': [`sid=${s('set-cookie')}; Path=/; HttpOnly`, `pref=${s('set-cookie-2')}`],
        link: `<https://valid.example.com/next?page=2&token=${s('link')}>; rel="next"`,
        'x-amz-security-token': s('response-header'),
      });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  return onLoopback(server);
}

/** Raw bytes to the proxy's listener; resolves to what it answered when it closes. */
function rawToProxy(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write(payload));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** CONNECT, TLS trusting the proxy's CA, then one raw request (an absolute-form target inside the tunnel). */
function rawInsideTls(port: number, host: string, originPort: number, ca: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () =>
      socket.write(`CONNECT ${host}:${originPort} HTTP/1.1\r\nHost: ${host}:${originPort}\r\n\r\n`),
    );
    socket.once('data', (head: Buffer) => {
      if (!/^HTTP\/1\.1 200/.test(head.toString('latin1'))) return reject(new Error(head.toString('latin1')));
      const tls = tlsConnect({ socket, servername: host, ca: [ca] }, () => tls.write(request));
      let answer = '';
      tls.on('data', (d: Buffer) => (answer += d));
      tls.on('end', () => resolve(answer));
      tls.on('close', () => resolve(answer));
      tls.on('error', reject);
    });
    socket.on('error', reject);
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

test('no secret of any family reaches stdout, stderr, --log, the HAR or an evidence bundle', async (t) => {
  const valid = await startRedirectingOrigin(fixtures.pki.scenarios.valid!);
  const expired = await startHttpsOrigin(fixtures.pki.scenarios.expired!);
  const plain = await startHttpOrigin();
  const upstream = await startConnectProxy();
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-redaction-'));
  const evidenceDir = join(dir, 'evidence');
  const logFile = join(dir, 'events.ndjson');
  const proxy = startCliProxy(
    [
      'proxy',
      '--port',
      '0',
      '--json',
      '--log',
      logFile,
      '--certs-dir',
      dir,
      '--evidence-dir',
      evidenceDir,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--upstream-proxy',
      `http://alice:${s('upstream-proxy')}@127.0.0.1:${upstream.port}`,
      '--resolve',
      `valid.example.com:${valid.port}:127.0.0.1`,
      '--resolve',
      `expired.example.com:${expired.port}:127.0.0.1`,
    ],
    // Ignored for routing (--upstream-proxy wins) but recorded in the bundle's environment.
    cleanEnv({ https_proxy: `http://bob:${s('env-proxy')}@127.0.0.1:${upstream.port}` }),
  );
  try {
    const port = await proxy.port;
    const ca = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
    const query = [
      'token',
      'access_token',
      'code',
      'key',
      'api_key',
      'sig',
      'X-Amz-Signature',
      'X-Amz-Credential',
      'password',
      'client_secret',
      'session',
      'auth',
    ]
      .map((key) => `${key}=${s(`query-${key}`)}`)
      .join('&');
    const headers: Record<string, string> = {
      authorization: `Bearer ${s('authorization')}`,
      cookie: `sid=${s('cookie')}; theme=${s('cookie-2')}`,
      referer: `https://app.example/page?code=${s('referer-code')}&token=${s('referer-token')}`,
      'x-custom-forwarded': `Bearer ${JWT}`,
    };
    for (const name of [
      'x-api-key',
      'X_Api_Key',
      'api-key',
      'x-goog-api-key',
      'private-token',
      'x-amz-security-token',
      'x-vault-token',
      'ocp-apim-subscription-key',
      'x-auth-token',
      'x-csrf-token',
      'x-session-id',
      'x-client-secret',
      'x-password',
    ]) {
      headers[name] = s(`header-${name}`);
    }
    t.is(
      (await fetchViaProxy(port, `https://valid.example.com:${valid.port}/api?q=visible&${query}`, ca, headers)).status,
      200,
    );
    t.is((await fetchViaProxy(port, `https://valid.example.com:${valid.port}/redirect`, ca)).status, 302);
    // A problem host: blocked, and an evidence bundle written for it.
    t.is(
      (
        await fetchViaProxy(
          port,
          `https://expired.example.com:${expired.port}/?token=${s('blocked-query')}`,
          ca,
          headers,
        )
      ).status,
      502,
    );
    // An absolute-form target with userinfo inside the TLS tunnel.
    await rawInsideTls(
      port,
      'valid.example.com',
      valid.port,
      ca,
      `GET https://carol:${s('mitm-userinfo')}@valid.example.com:${valid.port}/abs?x=1 HTTP/1.1\r\nHost: valid.example.com:${valid.port}\r\nConnection: close\r\n\r\n`,
    );
    // Plain HTTP, forwarded (through the upstream proxy), with secrets in the URL and headers.
    const forwarded = await rawToProxy(
      port,
      `GET http://127.0.0.1:${plain.port}/p?q=1&api_key=${s('plain-query')} HTTP/1.1\r\nHost: 127.0.0.1:${plain.port}\r\nCookie: a=${s('plain-cookie')}\r\nConnection: close\r\n\r\n`,
    );
    t.regex(forwarded, /^HTTP\/1\.1 200/);
    // Refused targets: each becomes an `error` event.
    for (const request of [
      `GET https://valid.example.com:${valid.port}/?token=${s('refused-https')} HTTP/1.1`,
      `GET http://dave:${s('refused-userinfo')}@127.0.0.1:${plain.port}/ HTTP/1.1`,
      `GET /?access_token=${s('refused-origin-form')} HTTP/1.1`,
      `CONNECT erin:${s('refused-connect')}@valid.example.com HTTP/1.1`,
    ]) {
      t.regex(await rawToProxy(port, `${request}\r\nHost: x\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 400/, request);
    }

    // The bundle is announced once written; the HAR is written when the proxy stops.
    for (let i = 0; i < 100 && !proxy.output().stdout.includes('"type":"evidence"'); i++)
      await new Promise((r) => setTimeout(r, 50));
    proxy.child.kill('SIGINT');
    t.is(await proxy.exited, 0);

    const outputs: Array<[string, string]> = [
      ['stdout', proxy.output().stdout],
      ['stderr', proxy.output().stderr],
      ...filesUnder(dir)
        .filter((path) => !path.includes(`${join(dir, 'ca')}/`))
        .map((path): [string, string] => [path, readFileSync(path, 'latin1')]),
    ];
    t.true(
      outputs.some(([name]) => name.endsWith('.har')),
      'a HAR was written',
    );
    t.true(
      outputs.some(([name]) => name.endsWith('report.json')),
      'an evidence bundle was written',
    );
    t.true(
      outputs.some(([name]) => name === logFile),
      'the --log file was written',
    );
    const leaks: Record<string, string[]> = {};
    for (const [name, content] of outputs) {
      const found = [
        ...new Set([...(content.match(/sekrit-[\w-]+?-7q/g) ?? []), ...(content.includes(JWT) ? ['the JWT'] : [])]),
      ];
      if (found.length) leaks[name.replace(dir, 'DIR')] = found;
    }
    t.deepEqual(leaks, {});

    // The shape is still there to read.
    const events = proxy
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const errors = events.filter((e) => e.type === 'error').map((e) => e.message as string);
    t.true(
      errors.some((m) => m.includes('?token=REDACTED')),
      errors.join('\n'),
    );
    t.true(
      errors.some((m) => m.includes('?access_token=REDACTED')),
      errors.join('\n'),
    );
    t.true(
      errors.some((m) => m.includes('http://***@127.0.0.1')),
      errors.join('\n'),
    );
    const har = JSON.parse(readFileSync(outputs.find(([name]) => name.endsWith('.har'))![0], 'utf8'));
    const entries = har.log.entries as Array<{ request: any; response: any }>;
    const api = entries.find((e) => e.request.url.includes('/api?'))!;
    t.true(api.request.url.includes('q=visible&token=REDACTED&access_token=REDACTED'));
    const header = (list: Array<{ name: string; value: string }>, name: string) =>
      list.find((h) => h.name.toLowerCase() === name)?.value;
    t.is(header(api.request.headers, 'x-goog-api-key'), 'REDACTED');
    t.is(header(api.request.headers, 'referer'), 'https://app.example/page?code=REDACTED&token=REDACTED');
    t.is(header(api.request.headers, 'authorization'), 'Bearer REDACTED');
    const redirect = entries.find((e) => e.response.status === 302)!;
    t.is(redirect.response.redirectURL, 'https://app.example/cb?code=REDACTED&state=visible-state');
    t.deepEqual(redirect.response.cookies, [
      { name: 'sid', value: 'REDACTED' },
      { name: 'pref', value: 'REDACTED' },
    ]);
  } finally {
    proxy.child.kill('SIGKILL');
    await Promise.all([valid.close(), expired.close(), plain.close(), upstream.close()]);
  }
});
