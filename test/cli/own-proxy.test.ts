// tlswitness measured through its own proxy (HTTPS_PROXY from `ca env` in the same shell): detect,
// inspect, evidence and doctor say so plainly instead of diagnosing the chain the proxy minted.
// A real proxy (the built CLI) in front of a fixture server; every name pinned with --resolve.
import test from 'ava';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCliProxy, type CliProxy } from '../helpers/cli-proxy.js';
import {
  cleanEnv,
  makeFixtures,
  runCli,
  startScenarioServer,
  type FixtureServer,
  type Fixtures,
} from '../helpers/fixtures.js';

let fixtures: Fixtures;
let origin: FixtureServer;
let proxy: CliProxy;
let shell: NodeJS.ProcessEnv;
let pin: string[];
let target: string;

test.before(async () => {
  fixtures = await makeFixtures();
  origin = await startScenarioServer(fixtures.pki.scenarios.incomplete!);
  target = `incomplete.example.com:${origin.port}`;
  pin = ['--resolve', `${target}:127.0.0.1`, '--public-roots', fixtures.pki.files['public-roots.pem']!];
  const base = cleanEnv();
  proxy = startCliProxy(['proxy', '--port', '0', '--no-tui', ...pin], base);
  const port = await proxy.port;
  // The user's shell after eval "$(tlswitness ca env)": the proxy variables and CA bundle variables.
  const lines = await runCli(['ca', 'env', '--proxy', `http://127.0.0.1:${port}`], base);
  shell = { ...base };
  for (const match of lines.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)) shell[match[1]!] = match[2]!;
});

test.after.always(async () => {
  proxy?.child.kill('SIGINT');
  await proxy?.exited;
  await origin?.close();
  await fixtures?.close();
});

const PLAIN =
  /HTTPS_PROXY \(http:\/\/127\.0\.0\.1:\d+\) points at tlswitness's own proxy: this run measured the proxy, not the network/;

test('the shell really is ca env: HTTPS_PROXY names the proxy and SSL_CERT_FILE its bundle', (t) => {
  t.regex(shell.HTTPS_PROXY ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  t.regex(shell.SSL_CERT_FILE ?? '', /bundle\.pem$/);
});

test('detect in a ca env shell: not INTERCEPTED by tlswitness, but "this run measured the proxy" (inconclusive, exit 3)', async (t) => {
  const json = await runCli(['detect', target, '--json', ...pin], shell);
  const report = JSON.parse(json.stdout);
  t.is(json.code, 3);
  t.is(report.verdict, 'inconclusive');
  t.is(report.product, null);
  t.is(report.path, 'env-proxy');
  t.is(report.verdicts[0].state, 'own-proxy');
  t.false(report.targets[0].interception.detected);
  t.true(report.targets[0].interception.ownProxy);
  const text = await runCli(['detect', target, ...pin], shell);
  t.regex(text.stdout, PLAIN);
  t.regex(text.stdout, /--no-env-proxy or in a shell without `ca env`/);
  t.notRegex(text.stdout, /INTERCEPTED/);
});

test('inspect in a ca env shell says it measured the proxy; with --no-env-proxy it diagnoses the server', async (t) => {
  const json = await runCli(['inspect', target, '--json', ...pin], shell);
  const record = JSON.parse(json.stdout);
  t.is(json.code, 3);
  t.is(record.via, 'env-proxy');
  t.regex(record.chain[0].issuer, /CN=tlswitness CA [0-9a-f]{8}/);
  t.true(record.interception.ownProxy);
  t.false(record.interception.detected);
  t.regex(record.diagnosis.summary, PLAIN);
  t.regex(record.diagnosis.action, /--no-env-proxy/);
  const text = await runCli(['inspect', target, ...pin], shell);
  t.regex(text.stdout, /^Not measured: HTTPS_PROXY/m);
  t.notRegex(text.stdout, /INCOMPLETE-CHAIN|CONNECTION-FAILED|did not send the intermediate|re-signed/);
  const direct = await runCli(['inspect', target, '--json', '--no-env-proxy', ...pin], shell);
  t.is(JSON.parse(direct.stdout).diagnosis.problem, 'incomplete-chain');
});

test('evidence in a ca env shell writes no bundle blaming anyone, and says why', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tlswitness-own-')), 'bundle');
  const result = await runCli(
    ['evidence', target, '-o', out, '--sanity-host', 'none', '--no-client-checks', ...pin],
    shell,
  );
  t.is(result.code, 3);
  t.regex(result.stderr, PLAIN);
  t.regex(result.stderr, /No bundle was written/);
  t.false(existsSync(out));
});

test("doctor in a ca env shell names HTTPS_PROXY as tlswitness's own proxy", async (t) => {
  const result = await runCli(['doctor'], shell);
  t.regex(result.stdout, /is tlswitness's own proxy \(set by `ca env`/);
  t.regex(result.stdout, /--no-env-proxy/);
  const elsewhere = await runCli(['doctor'], {
    ...shell,
    SSL_CERT_FILE: undefined,
    REQUESTS_CA_BUNDLE: undefined,
    CURL_CA_BUNDLE: undefined,
    GIT_SSL_CAINFO: undefined,
    NODE_EXTRA_CA_CERTS: undefined,
  });
  t.notRegex(elsewhere.stdout, /tlswitness's own proxy/, 'a proxy without the CA variables of ca env is not claimed');
});
