// `tlswitness proxy --evidence-dir`: a bundle per problem host while it runs, a redacted HAR 1.2 at
// the end; no secret from the traffic in any file.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fetchViaProxy, startHttpsOrigin } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

test('--evidence-dir: one bundle for the expired host (not the good one), a HAR with redacted secrets', async (t) => {
  const valid = await startHttpsOrigin(fixtures.pki.scenarios.valid!);
  const expired = await startHttpsOrigin(fixtures.pki.scenarios.expired!);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-proxy-evidence-'));
  const evidenceDir = join(dir, 'evidence');
  const proxy = startCliProxy(
    [
      'proxy',
      '--port',
      '0',
      '--json',
      '--certs-dir',
      dir,
      '--evidence-dir',
      evidenceDir,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `valid.example.com:${valid.port}:127.0.0.1`,
      '--resolve',
      `expired.example.com:${expired.port}:127.0.0.1`,
    ],
    cleanEnv(),
  );
  try {
    const port = await proxy.port;
    const ca = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
    const secrets = {
      authorization: 'Bearer har-secret-token-77',
      cookie: 'sid=har-secret-cookie-78',
      'x-api-key': 'har-secret-key-79',
    };
    const good = await fetchViaProxy(
      port,
      `https://valid.example.com:${valid.port}/path?q=1&access_token=har-secret-query-80`,
      ca,
      secrets,
    );
    t.is(good.status, 200);
    const blocked = await fetchViaProxy(port, `https://expired.example.com:${expired.port}/`, ca, secrets);
    t.is(blocked.status, 502);
    // A second visit to the same problem host does not write a second bundle.
    t.is((await fetchViaProxy(port, `https://expired.example.com:${expired.port}/again`, ca)).status, 502);

    // The bundle is announced on the event stream once written.
    for (let i = 0; i < 100 && !proxy.output().stdout.includes('"type":"evidence"'); i++)
      await new Promise((r) => setTimeout(r, 50));
    proxy.child.kill('SIGINT');
    t.is(await proxy.exited, 0);
    const events = proxy
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const announced = events.filter((e) => e.type === 'evidence');
    t.is(announced.length, 1);
    t.is(announced[0].problem, 'expired');

    const entries = readdirSync(evidenceDir).sort();
    t.is(entries.length, 2, entries.join(', '));
    const [bundleName, harName] = entries as [string, string];
    t.is(bundleName, `expired.example.com_${expired.port}`);
    t.regex(harName, /^tlswitness-session-.*\.har$/);
    const bundle = join(evidenceDir, bundleName);
    t.deepEqual(filesUnder(bundle), [
      'MANIFEST',
      'chain/0-expired.example.com.pem',
      'chain/0-expired.example.com.txt',
      'chain/1-Fixture_Public_CA_1.pem',
      'chain/1-Fixture_Public_CA_1.txt',
      'email.txt',
      'report.html',
      'report.json',
      'report.md',
      'served-chain.pem',
    ]);
    t.regex(
      readFileSync(join(bundle, 'report.md'), 'utf8'),
      /Written by the proxy: the sanity host and this machine's own clients were not checked/,
    );

    const har = JSON.parse(readFileSync(join(evidenceDir, harName), 'utf8'));
    t.is(har.log.version, '1.2');
    t.is(har.log.creator.name, 'tlswitness');
    t.is(har.log.entries.length, 3);
    const [first, second] = har.log.entries;
    t.is(first.request.method, 'GET');
    t.is(first.request.url, `https://valid.example.com:${valid.port}/path?q=1&access_token=REDACTED`);
    t.deepEqual(first.request.queryString, [
      { name: 'q', value: '1' },
      { name: 'access_token', value: 'REDACTED' },
    ]);
    t.is(first.response.status, 200);
    t.is(first.response.content.size, `hello from valid /path?q=1&access_token=har-secret-query-80\n`.length);
    const header = (list: Array<{ name: string; value: string }>, name: string) =>
      list.find((h) => h.name.toLowerCase() === name)?.value;
    // The shape stays: the auth scheme, the cookie names.
    t.is(header(first.request.headers, 'authorization'), 'Bearer REDACTED');
    t.is(header(first.request.headers, 'cookie'), 'sid=REDACTED');
    t.is(header(first.request.headers, 'x-api-key'), 'REDACTED');
    t.is(header(first.response.headers, 'set-cookie'), 'session=REDACTED');
    t.deepEqual(first.request.cookies, [{ name: 'sid', value: 'REDACTED' }]);
    t.deepEqual(first.response.cookies, [{ name: 'session', value: 'REDACTED' }]);
    t.is(header(first.response.headers, 'content-type'), 'text/plain');
    t.is(second.response.status, 502);
    t.is(second.comment, 'blocked by tlswitness: expired');

    // Nothing secret anywhere under the evidence dir, and nothing readable by other users.
    t.is(statSync(join(evidenceDir, harName)).mode & 0o777, 0o600);
    for (const file of filesUnder(evidenceDir)) {
      t.is(statSync(join(evidenceDir, file)).mode & 0o077, 0, file);
      const content = readFileSync(join(evidenceDir, file), 'latin1');
      t.notRegex(content, /har-secret|origin-secret-cookie|PRIVATE KEY/, file);
    }
  } finally {
    proxy.child.kill('SIGKILL');
    await Promise.all([valid.close(), expired.close()]);
  }
});

test('--evidence-dir that cannot be a directory is a one-line error before listening (exit 2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-proxy-evidence-bad-'));
  const proxy = startCliProxy(['proxy', '--port', '0', '--certs-dir', dir, '--evidence-dir', '/proc/version/evidence']);
  t.is(await proxy.exited, 2);
  t.regex(
    proxy.output().stderr,
    /^Error: --evidence-dir \/proc\/version\/evidence: not a writable directory \(ENOTDIR\)\n$/,
  );
});
