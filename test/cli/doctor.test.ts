// `tlswitness doctor` run as a user runs it, driven by environment variables: the built CLI with an
// explicit environment, a private HOME (for .gitconfig and .curlrc), and a PATH holding only the
// tools a test wants (a stand-in python3 to drive certifi's answer deterministically, the real git).
import test from 'ava';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { PythonFacts } from '../../src/doctor/snapshot.js';
import { cleanEnv, makeFixtures, runCli, type Fixtures } from '../helpers/fixtures.js';
import { makeTestCa } from '../helpers/pki.js';

let fixtures: Fixtures;
let publicBundle: string;
let withCorp: string;
let expiredBundle: string;
let rekeyedBundle: string;
let corpRoot: string;
let gitPath: string | null;

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `tlswitness-doctor-${prefix}-`));

function which(command: string): Promise<string | null> {
  return new Promise((resolve) =>
    execFile('sh', ['-c', `command -v ${command}`], (error, stdout) => resolve(error ? null : stdout.trim() || null)),
  );
}

test.before(async () => {
  fixtures = await makeFixtures();
  const dir = fixtures.dir;
  corpRoot = fixtures.pki.files['corporate-root.pem']!;
  publicBundle = join(dir, 'doctor-public.pem');
  writeFileSync(publicBundle, rootCertificates.join('\n'));
  withCorp = join(dir, 'doctor-with-corp.pem');
  writeFileSync(withCorp, [...rootCertificates, fixtures.pki.corporateRoot.pem].join('\n'));
  expiredBundle = join(dir, 'doctor-expired.pem');
  writeFileSync(expiredBundle, fixtures.pki.corporateRoot.pem + fixtures.pki.scenarios.expiredRoot!.anchors![0]!);
  // The same name as the corporate root, another key: what a re-keyed root looks like to an old bundle.
  const rekeyed = await makeTestCa([
    { type: 'C', value: 'US' },
    { type: 'O', value: 'Example Corp' },
    { type: 'CN', value: 'Example Corp Root CA' },
  ]);
  rekeyedBundle = join(dir, 'doctor-rekeyed.pem');
  writeFileSync(rekeyedBundle, [...rootCertificates, rekeyed.pem].join('\n'));
  gitPath = await which('git');
});
test.after.always(async () => fixtures?.close());

interface Tools {
  /** What the stand-in python3 answers; null: no python3 on PATH. */
  python?: Partial<PythonFacts> | null;
  git?: boolean;
}

const pythonFacts = (where: string, over: Partial<PythonFacts> = {}): Partial<PythonFacts> => ({
  certifi: { where, version: '2024.2.2' },
  requests: { version: '2.31.0', where },
  ...over,
});

/** A PATH directory with only the tools asked for. */
function toolDir(tools: Tools): string {
  const bin = tmp('bin');
  if (tools.python) {
    const facts: PythonFacts = {
      version: '3.12.1',
      executable: join(bin, 'python3'),
      openssl: 'OpenSSL 3.0.13',
      sslCafile: null,
      sslCapath: null,
      certifi: null,
      requests: null,
      ...tools.python,
    };
    writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho 'TLSWITNESS-DOCTOR ${JSON.stringify(facts)}'\n`);
    chmodSync(join(bin, 'python3'), 0o755);
  }
  if (tools.git && gitPath) symlinkSync(gitPath, join(bin, 'git'));
  return bin;
}

/** A clean environment: a good SSL_CERT_FILE (Node's roots), a private HOME, no system git config. */
function doctorEnv(extra: Record<string, string> = {}, tools: Tools = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    SSL_CERT_FILE: publicBundle,
    HOME: tmp('home'),
    PATH: toolDir(tools),
    GIT_CONFIG_NOSYSTEM: '1',
    ...extra,
  });
}

interface JsonFinding {
  check: string;
  severity: string;
  subject: string;
  message: string;
  action: string | null;
}

async function doctorJson(env: NodeJS.ProcessEnv, args: string[] = []) {
  const result = await runCli(['doctor', '--json', ...args], env, fixtures.dir);
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    findings: JsonFinding[];
    environment: Record<string, any>;
  };
  const about = (subject: string) => report.findings.filter((f) => f.subject === subject);
  return { ...result, report, about };
}

test('a clean environment: exit 0, nothing dangerous, Python requests uses the bundle certifi names', async (t) => {
  const { code, report, about } = await doctorJson(doctorEnv({}, { python: pythonFacts(publicBundle), git: true }));
  t.is(code, 0);
  t.true(report.ok);
  t.deepEqual(
    report.findings.filter((f) => f.severity === 'danger' || f.severity === 'broken'),
    [],
  );
  t.is(about(`SSL_CERT_FILE=${publicBundle}`)[0]?.severity, 'ok');
  t.regex(
    about('Python requests')[0]!.message,
    new RegExp(`uses ${publicBundle} \\(requests\\.certs\\.where\\(\\), ${rootCertificates.length} certificates\\)`),
  );
  t.is(about('git')[0]?.check, gitPath ? 'client-trust' : 'tool');
});

test('NODE_TLS_REJECT_UNAUTHORIZED=0: exit 1, named as dangerous in the human output', async (t) => {
  const result = await runCli(['doctor'], doctorEnv({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }), fixtures.dir);
  t.is(result.code, 1);
  t.regex(
    result.stdout,
    /^Verification switched off\n {2}✗ DANGER NODE_TLS_REJECT_UNAUTHORIZED=0: every Node process/m,
  );
  t.regex(result.stdout, /→ unset NODE_TLS_REJECT_UNAUTHORIZED/);
  t.regex(result.stdout, /Result: 1 dangerous setting \(verification off\)/);
});

test('an empty CURL_CA_BUNDLE is dangerous; an empty REQUESTS_CA_BUNDLE is a warning (requests falls through it)', async (t) => {
  const curl = await doctorJson(
    doctorEnv(
      { CURL_CA_BUNDLE: '' },
      { python: pythonFacts(publicBundle, { requests: { version: '2.27.1', where: publicBundle } }) },
    ),
  );
  t.is(curl.code, 1);
  t.is(curl.about('CURL_CA_BUNDLE')[0]?.severity, 'danger');
  t.regex(curl.about('CURL_CA_BUNDLE')[0]!.message, /before 2\.28\.0 then skips certificate verification/);
  const requests = await doctorJson(doctorEnv({ REQUESTS_CA_BUNDLE: '' }));
  t.is(requests.code, 0);
  t.is(requests.about('REQUESTS_CA_BUNDLE')[0]?.severity, 'warning');
});

test('SSL_CERT_FILE naming a missing file: broken, exit 1', async (t) => {
  const missing = join(fixtures.dir, 'no-such-bundle.pem');
  const { code, about } = await doctorJson(doctorEnv({ SSL_CERT_FILE: missing }));
  t.is(code, 1);
  const finding = about(`SSL_CERT_FILE=${missing}`)[0]!;
  t.is(finding.severity, 'broken');
  t.regex(finding.message, /^does not exist: the curl tool fails every HTTPS transfer \(exit 77\)/);
});

test('a bundle holding an expired root: a warning that names it, exit 0', async (t) => {
  const { code, about } = await doctorJson(doctorEnv({ REQUESTS_CA_BUNDLE: expiredBundle }));
  t.is(code, 0);
  const findings = about(`REQUESTS_CA_BUNDLE=${expiredBundle}`);
  t.true(
    findings.some(
      (f) =>
        f.severity === 'warning' &&
        /1 of 2 certificates expired: CN=Fixture Expired Root,O=Fixture Quirks,C=US \(expired \d{4}-\d\d-\d\d\)/.test(
          f.message,
        ),
    ),
  );
  t.true(findings.some((f) => /no public root: it replaces Python requests's roots/.test(f.message)));
});

test('HTTPS_PROXY and https_proxy disagreeing: a warning, and the password is never printed', async (t) => {
  const env = doctorEnv({ HTTPS_PROXY: 'http://alice:s3cret@127.0.0.1:9', https_proxy: 'http://127.0.0.1:8' });
  const { code, report, stdout, about } = await doctorJson(env);
  t.is(code, 0);
  t.regex(
    about('HTTPS_PROXY / https_proxy')[0]!.message,
    /disagree: https_proxy=http:\/\/127\.0\.0\.1:8 .* HTTPS_PROXY=http:\/\/\*\*\*@127\.0\.0\.1:9/,
  );
  t.is(report.environment.variables.HTTPS_PROXY, 'http://***@127.0.0.1:9');
  const human = await runCli(['doctor'], env, fixtures.dir);
  for (const text of [stdout, human.stdout, human.stderr]) t.false(/s3cret|alice/.test(text));
});

test('--extra-ca: the corporate root found in, then missing from, the bundle certifi names', async (t) => {
  const present = await doctorJson(doctorEnv({}, { python: pythonFacts(withCorp) }), ['--extra-ca', corpRoot]);
  const ok = present.about('Python requests')[0]!;
  t.is(ok.severity, 'ok');
  t.regex(ok.message, /trusts CN=Example Corp Root CA,O=Example Corp,C=US/);
  const absent = await doctorJson(doctorEnv({}, { python: pythonFacts(publicBundle) }), ['--extra-ca', corpRoot]);
  const missing = absent.about('Python requests')[0]!;
  t.is(missing.severity, 'warning');
  t.regex(missing.message, /^does not trust CN=Example Corp Root CA,O=Example Corp,C=US/);
  t.is(
    missing.action,
    `tlswitness bundle -o ~/ca-bundle.pem --extra-ca ${corpRoot} && export REQUESTS_CA_BUNDLE=~/ca-bundle.pem`,
  );
  t.is(absent.code, 0, 'a missing corporate CA is a warning');
  // Node never has it unless NODE_EXTRA_CA_CERTS adds it.
  t.is(absent.about('Node')[0]?.action, `export NODE_EXTRA_CA_CERTS=${corpRoot}`);
});

test('--extra-ca: REQUESTS_CA_BUNDLE wins over certifi; a re-keyed root with the same name is told apart', async (t) => {
  const viaEnv = await doctorJson(doctorEnv({ REQUESTS_CA_BUNDLE: withCorp }, { python: pythonFacts(publicBundle) }), [
    '--extra-ca',
    corpRoot,
  ]);
  t.regex(
    viaEnv.about('Python requests')[0]!.message,
    new RegExp(`uses ${withCorp} \\(REQUESTS_CA_BUNDLE.*trusts CN=Example Corp Root CA`),
  );
  const rekeyed = await doctorJson(
    doctorEnv({ REQUESTS_CA_BUNDLE: rekeyedBundle }, { python: pythonFacts(publicBundle) }),
    ['--extra-ca', corpRoot],
  );
  const finding = rekeyed.about('Python requests')[0]!;
  t.is(finding.severity, 'warning');
  t.regex(finding.message, /holds a different "CN=Example Corp Root CA,O=Example Corp,C=US" \(same name, another key/);
});

test('no python3 on PATH: "not installed, skipped", and no Python client', async (t) => {
  const { code, about, report } = await doctorJson(doctorEnv());
  t.is(code, 0);
  t.is(about('python3')[0]?.message, 'not installed, skipped');
  t.false(report.findings.some((f) => f.subject.startsWith('Python')));
  t.deepEqual(report.environment.tools.python3, { state: 'missing' });
});

test('the real python3 of this machine: certifi.where() as Python itself reports it, or "not installed"', async (t) => {
  const env = doctorEnv({ PATH: process.env.PATH ?? '' });
  const expected = await new Promise<string | null | 'no-python'>((resolve) =>
    execFile('python3', ['-c', 'import certifi; print(certifi.where())'], { env }, (error, stdout) =>
      resolve(error ? ((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no-python' : null) : stdout.trim()),
    ),
  );
  // What python3 says, however long it takes to start (a version manager's shim on a loaded machine can
  // take the default 5 s): the answer is under test here, not the timeout.
  const { report } = await doctorJson(env, ['--timeout', '60000']);
  const python = report.environment.tools.python3;
  if (expected === 'no-python') t.deepEqual(python, { state: 'missing' });
  else if (expected === null) t.is(python.certifi, null);
  else t.is(python.certifi.where, expected);
});

test('git http.sslVerify=false in ~/.gitconfig (per URL too) and "insecure" in ~/.curlrc: dangerous, no git secret printed', async (t) => {
  t.truthy(gitPath, 'git is installed (CI clones the repository with it)');
  const home = tmp('home');
  // actions/checkout-style secrets next to the setting: a token header and credentials in a URL.
  writeFileSync(
    join(home, '.gitconfig'),
    '[http]\n\tsslVerify = false\n\textraHeader = AUTHORIZATION: basic dG9rZW4tMTIz\n[http "https://ci:tok3n@git.corp.example/"]\n\tsslVerify = no\n',
  );
  writeFileSync(join(home, '.curlrc'), '# added to get past the proxy\ninsecure\n');
  const { code, about, stdout } = await doctorJson(doctorEnv({ HOME: home }, { git: true }));
  t.is(code, 1);
  t.is(about('git http.sslverify=false')[0]?.severity, 'danger');
  t.is(about('git http.https://***@git.corp.example/.sslverify=no')[0]?.severity, 'danger');
  t.is(about(join(home, '.curlrc'))[0]?.severity, 'danger');
  t.false(/dG9rZW4tMTIz|tok3n/.test(stdout));
});

test('--json shape: ok, findings with check/severity/subject/message/action, the environment', async (t) => {
  const { report } = await doctorJson(doctorEnv({ GIT_SSL_NO_VERIFY: '1' }, { python: pythonFacts(publicBundle) }), [
    '--extra-ca',
    corpRoot,
  ]);
  t.false(report.ok);
  t.deepEqual(Object.keys(report), ['schemaVersion', 'ok', 'findings', 'environment']);
  for (const f of report.findings) {
    t.deepEqual(Object.keys(f), ['check', 'severity', 'subject', 'message', 'action']);
    t.true(['ok', 'info', 'warning', 'broken', 'danger'].includes(f.severity));
  }
  const env = report.environment;
  t.is(env.variables.GIT_SSL_NO_VERIFY, '1');
  t.is(env.variables.SSL_CERT_FILE, publicBundle);
  t.false('PATH' in env.variables, 'only the variables doctor reads');
  t.deepEqual(env.clients.find((c: { client: string }) => c.client === 'Python requests').sources, [
    { path: publicBundle, from: 'requests.certs.where()' },
  ]);
  t.is(env.corporate[0].subject, 'CN=Example Corp Root CA,O=Example Corp,C=US');
  t.regex(env.corporate[0].sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

test('the local CA: reported with its expiry when it exists; doctor never creates one', async (t) => {
  const env = doctorEnv();
  const certsDir = env.TLSWITNESS_CERTS_DIR!;
  const before = await doctorJson(env);
  t.is(before.about(certsDir)[0]?.severity, 'info');
  t.false(existsSync(join(certsDir, 'ca')), 'doctor made no CA');
  t.is((await runCli(['ca', 'init'], env)).code, 0);
  const after = await doctorJson(env);
  const ca = after.report.findings.find((f) => f.check === 'local-ca')!;
  t.is(ca.severity, 'ok');
  t.regex(ca.message, /tlswitness CA .* expires \d{4}-\d\d-\d\d \((729|730) days\)/);
});

test('an unreadable --extra-ca is bad input: exit 2 with a one-line error', async (t) => {
  const result = await runCli(['doctor', '--extra-ca', join(fixtures.dir, 'nope.pem')], doctorEnv(), fixtures.dir);
  t.is(result.code, 2);
  t.regex(result.stderr, /^Error: --extra-ca .*nope\.pem: no such file\n$/);
});

test('a .env in the current directory setting SLY_EXTRA_CA_CERTS to a missing file: a finding with the file and line', async (t) => {
  const cwd = tmp('dotenv');
  // A command in a .env is text to doctor: if it ran, the marker file would appear.
  const marker = join(cwd, 'ran');
  writeFileSync(
    join(cwd, '.env'),
    `# the app's settings\nAPI_TOKEN=s3cret-token\nexport SLY_EXTRA_CA_CERTS="${join(cwd, 'corp.pem')}"\nHOOK=$(touch ${marker})\n`,
  );
  const result = await runCli(['doctor', '--json'], doctorEnv(), cwd);
  const report = JSON.parse(result.stdout) as { findings: JsonFinding[] };
  const finding = report.findings.find((f) => f.subject === `.env:3 SLY_EXTRA_CA_CERTS=${join(cwd, 'corp.pem')}`);
  t.is(finding?.check, 'env-file');
  t.regex(finding!.message, /^does not exist: the app starts without these CAs/);
  t.regex(
    report.findings.find((f) => f.subject === '.env')!.message,
    /^sets API_TOKEN, SLY_EXTRA_CA_CERTS, HOOK \(values not shown\)/,
  );
  t.false(result.stdout.includes('s3cret-token'));
  t.false(existsSync(marker));
  const text = await runCli(['doctor'], doctorEnv(), cwd);
  t.regex(text.stdout, /^Environment files \(\.env\)\n/m);
});

test("certifi against Node's roots: a fake old certifi bundle (TLSWITNESS_CERTIFI_BUNDLE) lacking one of them prints the upgrade line", async (t) => {
  const dates = rootCertificates.map((pem) => Date.parse(new X509Certificate(pem).validFrom));
  const newest = dates.indexOf(Math.max(...dates));
  const old = join(fixtures.dir, 'doctor-old-certifi.pem');
  writeFileSync(old, rootCertificates.filter((_, i) => i !== newest).join('\n'));
  const result = await runCli(['doctor'], doctorEnv({ TLSWITNESS_CERTIFI_BUNDLE: old }), fixtures.dir);
  t.is(result.code, 0, result.stderr);
  t.regex(
    result.stdout,
    /^Python's certifi and CA file\n {2}! certifi \(.*doctor-old-certifi\.pem, TLSWITNESS_CERTIFI_BUNDLE\): older than Node v[\d.]+'s \d+ bundled roots: lacks 1 root/m,
  );
  t.regex(result.stdout, /^ {6}→ python3 -m pip install --upgrade certifi$/m);
  // Node's roots themselves: nothing to upgrade.
  const current = await doctorJson(doctorEnv({ TLSWITNESS_CERTIFI_BUNDLE: publicBundle }));
  t.is(current.report.findings.find((f) => f.check === 'certifi')?.severity, 'ok');
});

test('certifi.where() from python3 is the bundle compared when no override is set', async (t) => {
  const env = doctorEnv({}, { python: pythonFacts(withCorp) });
  delete env.TLSWITNESS_CERTIFI_BUNDLE;
  const { report } = await doctorJson(env);
  const finding = report.findings.find((f) => f.check === 'certifi')!;
  t.is(finding.subject, `certifi 2024.2.2 (${withCorp})`);
  t.regex(finding.message, /^newer than Node .*: holds 1 root they lack \(CN=Example Corp Root CA\)/);
});

test('PIP_CERT naming a missing file, and a pip.conf cert naming one: broken findings, exit 1', async (t) => {
  const missing = join(fixtures.dir, 'no-such-pip-bundle.pem');
  const env = doctorEnv({ PIP_CERT: missing });
  const variable = await doctorJson(env);
  t.is(variable.code, 1);
  t.is(variable.about(`PIP_CERT=${missing}`)[0]?.severity, 'broken');
  t.regex(
    variable.about(`PIP_CERT=${missing}`)[0]!.message,
    /^does not exist: pip fails every download from an HTTPS index/,
  );
  const home = tmp('pip-home');
  mkdirSync(join(home, '.config', 'pip'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'pip', 'pip.conf'),
    '[global]\nindex-url = https://pypi.corp.example/simple\ncert = ~/corp-bundle.pem\n',
  );
  const config = await doctorJson(doctorEnv({ HOME: home }));
  const finding = config.about(
    `pip config global.cert=~/corp-bundle.pem (${join(home, '.config', 'pip', 'pip.conf')})`,
  )[0]!;
  t.is(finding.severity, 'broken', 'the ~ is expanded as pip expands it: the file it names is missing');
  t.regex(finding.action!, /^remove line 3 \(cert\) from .*pip\.conf/);
  t.is(config.code, 1);
});
