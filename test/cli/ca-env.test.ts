// `tlswitness ca env`: lines a shell can eval, and a bundle that is additive.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { envLines, unsetLines } from '../../src/ca/ca-env.js';
import { parseDotenv } from '../../src/doctor/dotenv.js';
import { CLI, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startHttpsOrigin, startTestProxy } from '../helpers/proxy.js';

const run = promisify(execFile);
let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('eval "$(tlswitness ca env)" makes curl use the proxy and trust its CA; the bundle still verifies direct connections', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const certsDir = mkdtempSync(join(tmpdir(), 'tlswitness-env-'));
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${origin.port}:127.0.0.1`],
    {},
    { certsDir },
  );
  // The fixture public root stands in for this machine's system store.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SSL_CERT_FILE: fixtures.pki.files['public-roots.pem']!,
    TLSWITNESS_CACHE_DIR: certsDir,
  };
  const url = `https://${scenario.host}:${origin.port}/through-env`;
  try {
    const lines = `eval "$(node ${CLI} ca env --certs-dir ${certsDir} --proxy http://127.0.0.1:${proxy.port})"`;
    const viaProxy = await run('bash', ['-c', `${lines} && curl -sS --max-time 10 ${url}`], { env });
    t.is(viaProxy.stdout, 'hello from valid /through-env\n');
    t.true(
      proxy.events.some((e) => e.type === 'request'),
      'the request went through the proxy',
    );
    const direct = await run(
      'bash',
      [
        '-c',
        `${lines} && curl -sS --max-time 10 --noproxy '*' --resolve ${scenario.host}:${origin.port}:127.0.0.1 ${url}`,
      ],
      { env },
    );
    t.is(direct.stdout, 'hello from valid /through-env\n', 'additive: the system roots are still in the bundle');
    const bundle = readFileSync(join(certsDir, 'ca', 'bundle.pem'), 'utf8');
    t.is(bundle.match(/BEGIN CERTIFICATE/g)?.length, 2);
    t.false(bundle.includes('PRIVATE KEY'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('fish and PowerShell syntax, with quotes escaped', (t) => {
  const fish = envLines('fish', 'http://127.0.0.1:8080', "/tmp/it's/bundle.pem", '/tmp/ca.pem');
  t.regex(fish, /^set -gx HTTPS_PROXY 'http:\/\/127\.0\.0\.1:8080'$/m);
  t.regex(fish, /^set -gx SSL_CERT_FILE '\/tmp\/it\\'s\/bundle\.pem'$/m);
  const pwsh = envLines('pwsh', 'http://127.0.0.1:8080', "/tmp/it's/bundle.pem", '/tmp/ca.pem');
  t.regex(pwsh, /^\$env:NODE_EXTRA_CA_CERTS = '\/tmp\/ca\.pem'$/m);
  t.regex(pwsh, /^\$env:REQUESTS_CA_BUNDLE = '\/tmp\/it''s\/bundle\.pem'$/m);
  // PowerShell closes a single-quoted string at a typographic quote too (C:\Users\O’Brien).
  t.regex(
    envLines('pwsh', 'http://127.0.0.1:8080', '/tmp/o\u2019brien/bundle.pem', '/c'),
    /^\$env:SSL_CERT_FILE = '\/tmp\/o\u2019\u2019brien\/bundle\.pem'$/m,
  );
  const bash = envLines('bash', 'http://127.0.0.1:8080', "/tmp/it's/bundle.pem", '/tmp/ca.pem');
  t.regex(bash, /^export GIT_SSL_CAINFO='\/tmp\/it'\\''s\/bundle\.pem'$/m);
});

test('--shell zsh and --shell sh print the bash lines; zsh and sh eval them', async (t) => {
  const certsDir = mkdtempSync(join(tmpdir(), 'tlswitness-env-shells-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TLSWITNESS_CACHE_DIR: certsDir };
  const lines = async (...extra: string[]) =>
    (
      await run(
        process.execPath,
        [CLI, 'ca', 'env', '--certs-dir', certsDir, '--proxy', 'http://127.0.0.1:9', ...extra],
        { env },
      )
    ).stdout;
  const bash = await lines('--shell', 'bash');
  t.is(await lines('--shell', 'zsh'), bash);
  t.is(await lines('--shell', 'sh'), bash);
  const sh = await run(
    'sh',
    [
      '-c',
      `eval "$(node ${CLI} ca env --shell sh --certs-dir ${certsDir} --proxy http://127.0.0.1:9)" && echo "$HTTPS_PROXY"`,
    ],
    { env },
  );
  t.is(sh.stdout, 'http://127.0.0.1:9\n');
  const zsh = await run('sh', ['-c', 'command -v zsh'], { env }).then(
    () => true,
    () => false,
  );
  if (zsh)
    t.is(
      (
        await run(
          'zsh',
          [
            '-fc',
            `eval "$(node ${CLI} ca env --shell zsh --certs-dir ${certsDir} --proxy http://127.0.0.1:9)" && echo "$HTTPS_PROXY"`,
          ],
          { env },
        )
      ).stdout,
      'http://127.0.0.1:9\n',
    );
});

test('ca env says how to undo it; --unset prints the lines that do, per shell, without touching the CA', async (t) => {
  const bash = envLines('bash', 'http://127.0.0.1:8080', '/tmp/bundle.pem', '/tmp/ca.pem');
  t.regex(bash, /^# when the proxy is stopped, undo them: eval "\$\(tlswitness ca env --unset\)"$/m);
  t.regex(
    envLines('fish', 'http://127.0.0.1:8080', '/b', '/c'),
    /^# when the proxy is stopped, undo them: tlswitness ca env --shell fish --unset \| source$/m,
  );
  t.regex(
    envLines('pwsh', 'http://127.0.0.1:8080', '/b', '/c'),
    /^# when the proxy is stopped, undo them: tlswitness ca env --shell pwsh --unset \| Invoke-Expression$/m,
  );
  // Every variable set is unset, in each syntax.
  const names = [...bash.matchAll(/^export (\w+)=/gm)].map((m) => m[1]!);
  t.is(names.length, 11);
  t.regex(unsetLines('bash'), new RegExp(`^unset ${names.join(' ')}$`, 'm'));
  t.is(unsetLines('zsh'), unsetLines('bash'));
  for (const name of names) {
    t.regex(unsetLines('fish'), new RegExp(`^set -e ${name}$`, 'm'));
    t.regex(unsetLines('pwsh'), new RegExp(`^Remove-Item Env:${name} -ErrorAction SilentlyContinue$`, 'm'));
  }

  // In a real shell: set, then undone; --unset needs no certs dir (nothing is created).
  const certsDir = join(mkdtempSync(join(tmpdir(), 'tlswitness-env-unset-')), 'certs');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TLSWITNESS_CACHE_DIR: certsDir };
  const script = [
    `eval "$(node ${CLI} ca env --certs-dir ${certsDir} --proxy http://127.0.0.1:9)"`,
    'echo "set: $HTTPS_PROXY $NODE_EXTRA_CA_CERTS"',
    `eval "$(node ${CLI} ca env --unset --certs-dir ${certsDir}-never)"`,
    'env | grep -c -E "^(HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|SSL_CERT_FILE|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_SSL_CAINFO|NODE_EXTRA_CA_CERTS)=" || true',
  ].join(' && ');
  const result = await run('bash', ['-c', script], { env });
  t.regex(result.stdout, /^set: http:\/\/127\.0\.0\.1:9 \S+ca\.pem\n0\n$/);
  t.false(existsSync(`${certsDir}-never`), '--unset creates no CA');
});

test('--shell dotenv: NAME=value lines a .env loader reads back as written, with absolute paths even from a relative --certs-dir', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'tlswitness-env-dotenv-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TLSWITNESS_CACHE_DIR: cwd };
  const { stdout } = await run(
    process.execPath,
    [CLI, 'ca', 'env', '--shell', 'dotenv', '--certs-dir', 'certs', '--proxy', 'http://127.0.0.1:9'],
    { env, cwd },
  );
  t.regex(stdout, /^# tlswitness: for apps that load this \.env \(tlswitness ca env --shell dotenv >> \.env\)/);
  t.false(/^export /m.test(stdout));
  const read = Object.fromEntries(parseDotenv(stdout).map((e) => [e.key, e.value]));
  t.is(read.HTTPS_PROXY, 'http://127.0.0.1:9');
  t.is(read.SSL_CERT_FILE, join(realpathSync(cwd), 'certs', 'ca', 'bundle.pem'));
  t.true(existsSync(read.SSL_CERT_FILE!));
  t.true(isAbsolute(read.NODE_EXTRA_CA_CERTS!));
  // A path with a quote in it survives: dotenv unescapes nothing, so it goes in double quotes.
  t.is(parseDotenv(envLines('dotenv', 'http://p', "/tmp/it's.pem", '/c'))[6]?.value, "/tmp/it's.pem");
  t.regex(
    unsetLines('dotenv'),
    /^# tlswitness: delete the lines .* added to \.env: HTTPS_PROXY, .*NODE_EXTRA_CA_CERTS$/m,
  );
});
