// Proxy credentials without putting them on the command line: $TLSWITNESS_PROXY_AUTH and
// --auth-file, each checked against the built proxy requiring them (407 without, 200 with).
import test from 'ava';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxyCredentials } from '../../src/cli/proxy-credentials.js';
import { authorized } from '../../src/proxy/proxy-auth.js';
import { TlswitnessError } from '../../src/errors.js';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { cleanEnv, runCli } from '../helpers/fixtures.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const scratch = () => mkdtempSync(join(tmpdir(), 'tlswitness-auth-'));

function connectStatus(port: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'CONNECT', path: '127.0.0.1:9', headers });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function requiresExactly(
  t: import('ava').ExecutionContext,
  args: string[],
  env: NodeJS.ProcessEnv,
  credentials: string,
): Promise<string> {
  const proxy = startCliProxy(['proxy', '--port', '0', '--json', ...args], env);
  try {
    const port = await proxy.port;
    t.is(await connectStatus(port), 407);
    t.is(await connectStatus(port, { 'proxy-authorization': basic(`${credentials}x`) }), 407);
    t.is(await connectStatus(port, { 'proxy-authorization': basic(credentials) }), 200);
    t.false(
      proxy.child.spawnargs.join(' ').includes(credentials.split(':')[1]!),
      'the password is not in the command line',
    );
    return proxy.output().stderr;
  } finally {
    proxy.child.kill('SIGKILL');
    await proxy.exited;
  }
}

test('TLSWITNESS_PROXY_AUTH: the proxy requires those credentials', async (t) => {
  // A certs dir with a space, as macOS's Application Support: the banner's curl line quotes it.
  const certsDir = join(scratch(), 'Application Support');
  const stderr = await requiresExactly(
    t,
    [],
    cleanEnv({ TLSWITNESS_PROXY_AUTH: 'alice:env-s3cret', TLSWITNESS_CERTS_DIR: certsDir }),
    'alice:env-s3cret',
  );
  t.false(stderr.includes('Warning'), stderr);
  t.true(stderr.includes(`curl --cacert '${join(certsDir, 'ca', 'certs', 'ca.pem')}'`), stderr);
});

test('--auth-file: the first line, and a warning when other users can read the file', async (t) => {
  const file = join(scratch(), 'proxy-auth');
  writeFileSync(file, 'bob:file-s3cret\r\nthis line is not read\n', { mode: 0o644 });
  chmodSync(file, 0o644);
  const stderr = await requiresExactly(
    t,
    ['--auth-file', file],
    cleanEnv({ TLSWITNESS_PROXY_AUTH: 'alice:env-s3cret' }),
    'bob:file-s3cret',
  );
  t.regex(stderr, new RegExp(`Warning: --auth-file ${file} is readable by other users \\(mode 0644\\): chmod 600 `));
});

test('sources: flags win over the variable, both flags at once are refused, a readable file warns, --auth warns about ps', async (t) => {
  const dir = scratch();
  const file = join(dir, 'auth');
  writeFileSync(file, 'carol:pw\n', { mode: 0o600 });
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(text);
  const env = { TLSWITNESS_PROXY_AUTH: 'alice:env' };
  t.true(authorized((await proxyCredentials({ 'auth-file': file }, env, warn, 'linux'))!, basic('carol:pw')));
  t.deepEqual(warnings, [], 'mode 0600: no warning');
  t.true(authorized((await proxyCredentials({}, env, warn, 'linux'))!, basic('alice:env')));
  t.is(await proxyCredentials({}, {}, warn, 'linux'), null);
  t.true(authorized((await proxyCredentials({ auth: 'dave:pw' }, env, warn, 'linux'))!, basic('dave:pw')));
  t.regex(warnings.join('\n'), /--auth is visible to every user of this machine \(ps/);
  await t.throwsAsync(proxyCredentials({ auth: 'dave:pw', 'auth-file': file }, env, warn, 'linux'), {
    instanceOf: TlswitnessError,
    message: /give one/,
  });
  await t.throwsAsync(proxyCredentials({}, { TLSWITNESS_PROXY_AUTH: 'no-colon' }, warn, 'linux'), {
    message: /^TLSWITNESS_PROXY_AUTH takes user:password/,
  });
  writeFileSync(join(dir, 'empty'), '');
  await t.throwsAsync(proxyCredentials({ 'auth-file': join(dir, 'empty') }, {}, warn, 'linux'), {
    message: /first line\) takes user:password/,
  });
  await t.throwsAsync(proxyCredentials({ 'auth-file': join(dir, 'missing') }, {}, warn, 'linux'), {
    message: /--auth-file .*missing: ENOENT/,
  });
});

test('--auth with --auth-file is refused before anything listens (exit 2)', async (t) => {
  const refused = await runCli([
    'proxy',
    '--host',
    '0.0.0.0',
    '--port',
    '0',
    '--auth',
    'a:b',
    '--auth-file',
    '/nonexistent',
  ]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /^Error: --auth and --auth-file both name the credentials: give one\n$/);
});
