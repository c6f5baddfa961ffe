// diagnoseMachine() and its checks on hand-built snapshots: no files, no tools, no clock.
import test from 'ava';
import { membership } from '../../src/doctor/client-findings.js';
import { resolveClients } from '../../src/doctor/client-trust.js';
import { parseCurlrc } from '../../src/doctor/curlrc.js';
import { diagnoseMachine } from '../../src/doctor/doctor.js';
import type { Finding } from '../../src/doctor/findings.js';
import { parseGitConfigZ } from '../../src/doctor/probes.js';
import type { CertFact, DoctorSnapshot, PathFacts, PythonFacts } from '../../src/doctor/snapshot.js';
import { gitBool } from '../../src/doctor/verification-off.js';

const NOW = new Date('2026-11-23T10:00:00Z');
let serial = 0;

function cert(subject: string, fields: Partial<CertFact> = {}): CertFact {
  serial++;
  return {
    subject,
    sha256: `SHA-${serial}`,
    spkiSha256: `KEY-${serial}`,
    notBefore: '2020-01-01T00:00:00.000Z',
    notAfter: '2030-01-01T00:00:00.000Z',
    publicRoot: false,
    ...fields,
  };
}

const publicRoots = Array.from({ length: 30 }, (_, i) => cert(`CN=Public Root ${i}`, { publicRoot: true }));
const corpRoot = cert('CN=Example Corp Root CA,O=Example Corp,C=US');
const SYSTEM = '/etc/ssl/certs/ca-certificates.crt';

const file = (path: string, certificates: CertFact[]): PathFacts => ({ path, kind: 'file', certificates });

function snapshot(over: Partial<DoctorSnapshot> = {}): DoctorSnapshot {
  return {
    platform: 'linux',
    nodeVersion: 'v20.0.0',
    env: {},
    paths: {},
    systemStore: { source: SYSTEM, certificates: publicRoots },
    localCa: {
      certsDir: '/c',
      certPath: '/c/ca/certs/ca.pem',
      keyPath: '/c/ca/keys/ca.private.key',
      cert: null,
      error: null,
      keyMode: null,
    },
    corporate: [],
    python: { state: 'missing' },
    curl: { state: 'missing' },
    git: { state: 'missing' },
    curlrc: null,
    envFiles: [],
    ...over,
  };
}

const python = (facts: Partial<PythonFacts> = {}): DoctorSnapshot['python'] => ({
  state: 'found',
  facts: {
    version: '3.12.1',
    executable: '/usr/bin/python3',
    openssl: 'OpenSSL 3.0.13',
    sslCafile: SYSTEM,
    sslCapath: null,
    certifi: { where: '/certifi/cacert.pem', version: '2024.2.2' },
    requests: { version: '2.31.0', where: '/certifi/cacert.pem' },
    ...facts,
  },
});

function run(over: Partial<DoctorSnapshot>) {
  return diagnoseMachine(snapshot(over), NOW);
}

const about = (findings: Finding[], subject: string | RegExp) =>
  findings.filter((f) => (typeof subject === 'string' ? f.subject === subject : subject.test(f.subject)));

test('a clean machine: nothing failing, the proxy and system-store checks say ok', (t) => {
  const report = run({});
  t.true(report.ok);
  t.is(about(report.findings, 'proxy variables')[0]?.severity, 'ok');
  t.is(about(report.findings, SYSTEM)[0]?.severity, 'ok');
  t.deepEqual(about(report.findings, 'python3')[0]?.message, 'not installed, skipped');
});

test('NODE_TLS_REJECT_UNAUTHORIZED: only "0" switches verification off, as Node compares the string', (t) => {
  const off = run({ env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
  t.false(off.ok);
  t.is(about(off.findings, 'NODE_TLS_REJECT_UNAUTHORIZED=0')[0]?.severity, 'danger');
  const other = run({ env: { NODE_TLS_REJECT_UNAUTHORIZED: 'false' } });
  t.true(other.ok);
  t.regex(about(other.findings, 'NODE_TLS_REJECT_UNAUTHORIZED=false')[0]!.message, /only the exact value 0/);
});

test('GIT_SSL_NO_VERIFY is dangerous whatever its value; git http.sslVerify=false too, per URL as well', (t) => {
  const env = run({ env: { GIT_SSL_NO_VERIFY: '0' } });
  t.false(env.ok);
  t.regex(about(env.findings, 'GIT_SSL_NO_VERIFY=0')[0]!.message, /only checks that it exists/);
  const config = run({
    git: {
      state: 'found',
      facts: {
        version: '2.43.0',
        http: [
          { key: 'http.sslverify', value: 'false' },
          { key: 'http.https://git.corp.example/.sslverify', value: 'no' },
          { key: 'http.https://ok.example/.sslverify', value: 'true' },
        ],
      },
    },
  });
  const danger = config.findings.filter((f) => f.severity === 'danger');
  t.deepEqual(
    danger.map((f) => f.subject),
    ['git http.sslverify=false', 'git http.https://git.corp.example/.sslverify=no'],
  );
  t.regex(danger[1]!.message, /for https:\/\/git\.corp\.example\//);
});

test('PYTHONHTTPSVERIFY=0, an insecure .curlrc and npm strict-ssl=false are dangerous; PIP_TRUSTED_HOST is a warning', (t) => {
  const report = run({
    env: { PYTHONHTTPSVERIFY: '0', npm_config_strict_ssl: 'false', PIP_TRUSTED_HOST: 'pypi.corp.example' },
    curlrc: { path: '/home/u/.curlrc', insecure: true, cacert: null, capath: null },
  });
  const bySubject = Object.fromEntries(
    report.findings.filter((f) => f.check === 'verification-off').map((f) => [f.subject, f.severity]),
  );
  t.deepEqual(bySubject, {
    'PYTHONHTTPSVERIFY=0': 'danger',
    '/home/u/.curlrc': 'danger',
    'npm_config_strict_ssl=false': 'danger',
    'PIP_TRUSTED_HOST=pypi.corp.example': 'warning',
  });
});

test('an empty CURL_CA_BUNDLE is dangerous (requests < 2.28 skips verification); an empty REQUESTS_CA_BUNDLE is only a warning', (t) => {
  const curl = run({ env: { CURL_CA_BUNDLE: '' }, python: python() });
  t.false(curl.ok);
  const finding = about(curl.findings, 'CURL_CA_BUNDLE')[0]!;
  t.is(finding.severity, 'danger');
  t.regex(finding.message, /2\.28\.0.*requests 2\.31\.0 here ignores it/);
  // requests reads REQUESTS_CA_BUNDLE first: a non-empty one means CURL_CA_BUNDLE is never reached.
  t.is(
    about(
      run({ env: { CURL_CA_BUNDLE: '', REQUESTS_CA_BUNDLE: SYSTEM }, paths: { [SYSTEM]: file(SYSTEM, publicRoots) } })
        .findings,
      'CURL_CA_BUNDLE',
    )[0]?.severity,
    'info',
  );
  const requests = run({ env: { REQUESTS_CA_BUNDLE: '' } });
  t.true(requests.ok);
  t.is(about(requests.findings, 'REQUESTS_CA_BUNDLE')[0]?.severity, 'warning');
});

test('a CA variable naming a missing file is broken where clients fail closed, a warning for NODE_EXTRA_CA_CERTS', (t) => {
  const missing: PathFacts = { path: '/nope.pem', kind: 'missing', error: 'no such file' };
  const report = run({
    env: { SSL_CERT_FILE: '/nope.pem', NODE_EXTRA_CA_CERTS: '/nope.pem' },
    paths: { '/nope.pem': missing },
  });
  t.false(report.ok);
  t.is(about(report.findings, 'SSL_CERT_FILE=/nope.pem')[0]?.severity, 'broken');
  t.is(about(report.findings, 'NODE_EXTRA_CA_CERTS=/nope.pem')[0]?.severity, 'warning');
  t.regex(about(report.findings, 'NODE_EXTRA_CA_CERTS=/nope.pem')[0]!.message, /Ignoring extra certs/);
});

test('a quoted ~ and a relative path in a CA variable are called out', (t) => {
  const report = run({
    env: { REQUESTS_CA_BUNDLE: '~/corp.pem', CURL_CA_BUNDLE: 'certs/bundle.pem' },
    paths: {
      '~/corp.pem': { path: '~/corp.pem', kind: 'missing', error: 'no such file' },
      'certs/bundle.pem': file('certs/bundle.pem', publicRoots),
    },
  });
  t.regex(
    about(report.findings, 'REQUESTS_CA_BUNDLE=~/corp.pem')[0]!.message,
    /^does not exist \(a quoted ~ is never expanded: write \$HOME\)/,
  );
  t.is(
    about(report.findings, 'CURL_CA_BUNDLE=certs/bundle.pem')[0]?.action,
    'use an absolute path: export CURL_CA_BUNDLE="$PWD/certs/bundle.pem"',
  );
});

test('an empty file, a directory where a file belongs, and a directory OpenSSL cannot search', (t) => {
  const report = run({
    env: { REQUESTS_CA_BUNDLE: '/empty.pem', GIT_SSL_CAINFO: '/etc/ssl/certs', SSL_CERT_DIR: '/corp-certs' },
    paths: {
      '/empty.pem': file('/empty.pem', []),
      '/etc/ssl/certs': {
        path: '/etc/ssl/certs',
        kind: 'directory',
        certificates: publicRoots,
        hashed: publicRoots.map((c) => c.sha256),
      },
      '/corp-certs': { path: '/corp-certs', kind: 'directory', certificates: [corpRoot], hashed: [] },
    },
  });
  t.regex(about(report.findings, 'REQUESTS_CA_BUNDLE=/empty.pem')[0]!.message, /holds no certificate/);
  t.is(about(report.findings, 'GIT_SSL_CAINFO=/etc/ssl/certs')[0]?.severity, 'broken');
  const dir = about(report.findings, 'SSL_CERT_DIR=/corp-certs')[0]!;
  t.is(dir.severity, 'warning');
  t.is(dir.action, 'openssl rehash /corp-certs   (or c_rehash)');
});

test('expired certificates: a warning in a private bundle, an aside in a public-root bundle unless it is the corporate CA', (t) => {
  const expired = cert('CN=Old Corp Root', { notAfter: '2025-01-01T00:00:00.000Z' });
  const expiredPublic = cert('CN=Baltimore CyberTrust Root', { notAfter: '2025-05-12T00:00:00.000Z' });
  const small = run({
    env: { REQUESTS_CA_BUNDLE: '/corp.pem' },
    paths: { '/corp.pem': file('/corp.pem', [corpRoot, expired]) },
  });
  const warnings = about(small.findings, 'REQUESTS_CA_BUNDLE=/corp.pem');
  t.true(
    warnings.some(
      (f) =>
        f.severity === 'warning' &&
        /1 of 2 certificates expired: CN=Old Corp Root \(expired 2025-01-01\)/.test(f.message),
    ),
  );
  t.true(warnings.some((f) => /no public root: it replaces Python requests's roots/.test(f.message)));
  t.true(small.ok, 'expired certificates are a warning, not exit 1');
  const big = run({
    env: { SSL_CERT_FILE: SYSTEM },
    paths: { [SYSTEM]: file(SYSTEM, [...publicRoots, expiredPublic]) },
  });
  const ok = about(big.findings, `SSL_CERT_FILE=${SYSTEM}`);
  t.is(ok.length, 1);
  t.is(ok[0]!.severity, 'ok');
  t.regex(ok[0]!.message, /31 certificates \(30 public roots\), 1 expired \(old roots clients skip\)/);
  const corpExpired = cert('CN=Example Corp Root CA,O=Example Corp,C=US', { notAfter: '2025-01-01T00:00:00.000Z' });
  const withCorp = run({
    env: { SSL_CERT_FILE: SYSTEM },
    paths: { [SYSTEM]: file(SYSTEM, [...publicRoots, corpExpired]) },
    corporate: [{ file: '/corp.pem', cert: corpRoot }],
  });
  t.is(about(withCorp.findings, `SSL_CERT_FILE=${SYSTEM}`)[0]?.severity, 'warning');
});

test('proxy variables: case disagreement, httpoxy, "*." in NO_PROXY, credentials never shown', (t) => {
  const report = run({
    env: {
      HTTPS_PROXY: 'http://alice:s3cret@proxy.corp:3128',
      https_proxy: 'http://other.corp:8080',
      HTTP_PROXY: 'proxy.corp:3128',
      NO_PROXY: '*.corp.example,localhost',
    },
  });
  t.true(report.ok);
  const text = JSON.stringify(report.findings);
  t.false(text.includes('s3cret'));
  t.false(text.includes('alice'));
  const disagree = about(report.findings, 'HTTPS_PROXY / https_proxy')[0]!;
  t.is(disagree.severity, 'warning');
  t.regex(
    disagree.message,
    /https_proxy=http:\/\/other\.corp:8080 .* HTTPS_PROXY=http:\/\/\*\*\*@proxy\.corp:3128 \(read first by Go\)/,
  );
  t.true(about(report.findings, 'HTTP_PROXY').some((f) => /curl ignores upper-case HTTP_PROXY/.test(f.message)));
  t.is(about(report.findings, 'NO_PROXY').find((f) => f.severity === 'warning')?.action, 'write them as .corp.example');
});

test('the system store: missing is broken, unless SSL_CERT_FILE names a good bundle', (t) => {
  const none = run({ systemStore: null });
  t.false(none.ok);
  t.regex(about(none.findings, 'system store')[0]!.action!, /ca-certificates/);
  const covered = run({
    systemStore: null,
    env: { SSL_CERT_FILE: '/b.pem' },
    paths: { '/b.pem': file('/b.pem', publicRoots) },
  });
  t.true(covered.ok);
  t.is(about(covered.findings, 'system store').find((f) => f.check === 'system-store')?.severity, 'warning');
});

test('the local CA: absent is information, expired is broken, soon a warning, an open key a warning', (t) => {
  const localCa = (notAfter: string, keyMode: number | null = 0o600): Partial<DoctorSnapshot> => ({
    localCa: {
      certsDir: '/c',
      certPath: '/c/ca/certs/ca.pem',
      keyPath: '/c/ca/keys/ca.private.key',
      cert: cert('CN=tlswitness CA 1', { notAfter }),
      error: null,
      keyMode,
    },
  });
  t.is(about(run({}).findings, '/c')[0]?.severity, 'info');
  t.is(about(run(localCa('2026-11-01T00:00:00Z')).findings, '/c/ca/certs/ca.pem')[0]?.severity, 'broken');
  t.is(about(run(localCa('2026-12-10T00:00:00Z')).findings, '/c/ca/certs/ca.pem')[0]?.severity, 'warning');
  const fine = run(localCa('2028-11-23T00:00:00Z', 0o644));
  t.regex(about(fine.findings, '/c/ca/certs/ca.pem')[0]!.message, /expires 2028-11-23 \(730 days\)/);
  t.is(about(fine.findings, '/c/ca/keys/ca.private.key')[0]?.action, 'chmod 600 /c/ca/keys/ca.private.key');
});

test('membership: the same certificate, a re-issue with the same key, a re-keyed root with the same name, none', (t) => {
  const reissued = cert(corpRoot.subject, { spkiSha256: corpRoot.spkiSha256 });
  const rekeyed = cert(corpRoot.subject.toUpperCase());
  t.is(membership(corpRoot, [...publicRoots, corpRoot]), 'exact');
  t.is(membership(corpRoot, [reissued]), 'same-key');
  t.is(membership(corpRoot, [rekeyed]), 'other-key');
  t.is(membership(corpRoot, publicRoots), 'absent');
});

test('which bundle Python uses: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then requests.certs.where(); the corporate CA looked up in it', (t) => {
  const where = '/certifi/cacert.pem';
  const paths = {
    [where]: file(where, publicRoots),
    '/combined.pem': file('/combined.pem', [...publicRoots, corpRoot]),
    '/curl.pem': file('/curl.pem', publicRoots),
  };
  const corporate = [{ file: '/corp.pem', cert: corpRoot }];
  const absent = run({ python: python(), paths, corporate });
  const requests = about(absent.findings, 'Python requests')[0]!;
  t.is(requests.severity, 'warning');
  t.regex(
    requests.message,
    /does not trust CN=Example Corp Root CA.*uses \/certifi\/cacert\.pem \(requests\.certs\.where\(\), 30 certificates\)/,
  );
  t.is(
    requests.action,
    'tlswitness bundle -o ~/ca-bundle.pem --extra-ca /corp.pem && export REQUESTS_CA_BUNDLE=~/ca-bundle.pem',
  );
  const present = run({
    python: python(),
    paths,
    corporate,
    env: { REQUESTS_CA_BUNDLE: '/combined.pem', CURL_CA_BUNDLE: '/curl.pem' },
  });
  const ok = about(present.findings, 'Python requests')[0]!;
  t.is(ok.severity, 'ok');
  t.regex(ok.message, /\/combined\.pem \(REQUESTS_CA_BUNDLE.*trusts CN=Example Corp Root CA/);
  const viaCurl = run({ python: python(), paths, corporate, env: { CURL_CA_BUNDLE: '/curl.pem' } });
  t.regex(about(viaCurl.findings, 'Python requests')[0]!.message, /\/curl\.pem \(CURL_CA_BUNDLE/);
  const rekeyed = run({
    python: python(),
    paths: { [where]: file(where, [...publicRoots, cert(corpRoot.subject)]) },
    corporate,
  });
  t.regex(
    about(rekeyed.findings, 'Python requests')[0]!.message,
    /holds a different "CN=Example Corp Root CA.*another key/,
  );
});

test('without requests, certifi.where() is reported; a patched requests is noted', (t) => {
  const clients = resolveClients(snapshot({ python: python({ requests: null }) }));
  t.deepEqual(
    clients.find((c) => c.client === 'Python certifi')?.sources.map((s) => s.from),
    ['certifi.where()'],
  );
  const patched = resolveClients(snapshot({ python: python({ requests: { version: '2.28.1', where: SYSTEM } }) }));
  t.regex(
    patched.find((c) => c.client === 'Python requests')!.note!,
    /patched to use \/etc\/ssl\/certs\/ca-certificates\.crt/,
  );
});

test('curl: .curlrc, then CURL_CA_BUNDLE, then SSL_CERT_FILE, then the built-in bundle; git ignores SSL_CERT_FILE', (t) => {
  const curl: DoctorSnapshot['curl'] = {
    state: 'found',
    facts: { version: '8.5.0', tls: 'OpenSSL/3.0.13', builtinBundle: '/builtin.pem' },
  };
  const git: DoctorSnapshot['git'] = { state: 'found', facts: { version: '2.43.0', http: [] } };
  const from = (s: Partial<DoctorSnapshot>, client: string) =>
    resolveClients(snapshot(s))
      .find((c) => c.client === client)!
      .sources.map((x) => x.from);
  t.deepEqual(
    from(
      {
        curl,
        curlrc: { path: '/h/.curlrc', insecure: false, cacert: '/rc.pem', capath: null },
        env: { CURL_CA_BUNDLE: '/c.pem' },
      },
      'curl',
    ),
    ['/h/.curlrc cacert'],
  );
  t.deepEqual(from({ curl, env: { CURL_CA_BUNDLE: '/c.pem', SSL_CERT_FILE: '/s.pem' } }, 'curl'), ['CURL_CA_BUNDLE']);
  t.deepEqual(
    from({ curl, env: { CURL_CA_BUNDLE: '', SSL_CERT_FILE: '/s.pem' } }, 'curl'),
    ['SSL_CERT_FILE'],
    'curl_getenv treats empty as unset',
  );
  t.deepEqual(from({ curl }, 'curl'), ['curl-config --ca']);
  t.deepEqual(from({ curl, git, env: { SSL_CERT_FILE: '/s.pem', CURL_CA_BUNDLE: '/c.pem' } }, 'git'), [
    'curl-config --ca',
  ]);
  t.deepEqual(
    from(
      {
        curl,
        git: {
          state: 'found',
          facts: {
            version: '2.43.0',
            http: [
              { key: 'http.sslcainfo', value: '/old.pem' },
              { key: 'http.sslcainfo', value: '/new.pem' },
            ],
          },
        },
      },
      'git',
    ),
    ['git config http.sslCAInfo'],
  );
  t.is(
    resolveClients(
      snapshot({
        curl,
        git: { state: 'found', facts: { version: '2.43.0', http: [{ key: 'http.sslcainfo', value: '/new.pem' }] } },
      }),
    ).find((c) => c.client === 'git')!.sources[0]!.path,
    '/new.pem',
  );
  const unknown = resolveClients(
    snapshot({ curl: { state: 'found', facts: { version: '8.5.0', tls: 'OpenSSL/3.0.13', builtinBundle: null } } }),
  ).find((c) => c.client === 'curl')!;
  t.true(unknown.systemStore);
  t.is(unknown.confidence, 'low');
});

test('git http.sslCAInfo naming a missing file is broken (only doctor reports it)', (t) => {
  const report = run({
    git: { state: 'found', facts: { version: '2.43.0', http: [{ key: 'http.sslcainfo', value: '/gone.pem' }] } },
    paths: { '/gone.pem': { path: '/gone.pem', kind: 'missing', error: 'no such file' } },
  });
  t.false(report.ok);
  t.regex(
    about(report.findings, 'git')[0]!.message,
    /\/gone\.pem \(git config http\.sslCAInfo\) does not exist: it refuses every certificate/,
  );
});

test("Node: bundled roots plus NODE_EXTRA_CA_CERTS; --use-openssl-ca swaps them for OpenSSL's store", (t) => {
  const corporate = [{ file: '/corp.pem', cert: corpRoot }];
  const extra = run({
    env: { NODE_EXTRA_CA_CERTS: '/corp.pem' },
    paths: { '/corp.pem': file('/corp.pem', [corpRoot]) },
    corporate,
  });
  const node = about(extra.findings, 'Node')[0]!;
  t.is(node.severity, 'ok');
  t.regex(node.message, /its bundled Mozilla roots \+ \/corp\.pem \(NODE_EXTRA_CA_CERTS/);
  // Adding a CA is what NODE_EXTRA_CA_CERTS is for: no "no public root" warning.
  t.is(about(extra.findings, 'NODE_EXTRA_CA_CERTS=/corp.pem')[0]?.severity, 'ok');
  const openssl = resolveClients(snapshot({ env: { NODE_OPTIONS: '--use-openssl-ca' } })).find(
    (c) => c.client === 'Node',
  )!;
  t.false(openssl.bundledRoots);
  t.true(openssl.systemStore);
  const missingNode = run({ corporate });
  t.is(about(missingNode.findings, 'Node')[0]?.action, 'export NODE_EXTRA_CA_CERTS=/corp.pem');
});

test('parsers: git config -z, .curlrc, git booleans', (t) => {
  t.deepEqual(parseGitConfigZ('http.sslverify\nfalse\0http.https://x.example/.sslverify\0'), [
    { key: 'http.sslverify', value: 'false' },
    { key: 'http.https://x.example/.sslverify', value: null },
  ]);
  t.deepEqual(parseCurlrc('/h/.curlrc', '# comment\n--insecure\ncacert = "/etc/corp.pem"\n'), {
    path: '/h/.curlrc',
    insecure: true,
    cacert: '/etc/corp.pem',
    capath: null,
  });
  t.true(parseCurlrc('/h/.curlrc', '-k\n').insecure);
  t.false(parseCurlrc('/h/.curlrc', 'insecure\nno-insecure\n').insecure);
  t.deepEqual([null, '', 'off', 'No', 'yes', 'maybe'].map(gitBool), [true, false, false, false, true, null]);
});

test('app-specific CA variables are recognised by their shape and checked like the known ones', (t) => {
  const missing = run({
    env: { SLY_EXTRA_CA_CERTS: '/nope.pem' },
    paths: { '/nope.pem': { path: '/nope.pem', kind: 'missing', error: 'ENOENT' } },
  });
  const gone = about(missing.findings, 'SLY_EXTRA_CA_CERTS=/nope.pem')[0]!;
  t.is(gone.check, 'ca-variable');
  t.is(gone.severity, 'warning');
  t.regex(gone.message, /^does not exist: the app starts without these CAs/);
  // A lone corporate CA in a *_CA_BUNDLE replaces the app's roots; in an *_EXTRA_CA_CERTS it adds to them.
  const lone = run({
    env: { ACME_CA_BUNDLE: '/corp.pem', SLY_EXTRA_CA_CERTS: '/corp.pem' },
    paths: { '/corp.pem': file('/corp.pem', [corpRoot]) },
  });
  t.regex(
    about(lone.findings, 'ACME_CA_BUNDLE=/corp.pem')[0]!.message,
    /no public root: it replaces the app that reads ACME_CA_BUNDLE's roots/,
  );
  t.is(about(lone.findings, 'SLY_EXTRA_CA_CERTS=/corp.pem')[0]?.severity, 'ok');
  const expired = cert('CN=Old Corp CA', { notAfter: '2025-01-01T00:00:00.000Z' });
  const old = run({ env: { TOOL_CA_FILE: '/old.pem' }, paths: { '/old.pem': file('/old.pem', [expired, corpRoot]) } });
  t.regex(about(old.findings, 'TOOL_CA_FILE=/old.pem')[0]!.message, /1 of 2 certificates expired: CN=Old Corp CA/);
  // Not the shape: left alone.
  t.deepEqual(
    about(
      run({
        env: {
          MY_CERT: '/nope.pem',
          SSL_CA_BUNDLE_DIR: '/x',
          GF_SERVER_CERT_FILE: '/x',
          APP_CLIENT_CERT_FILE: '/x',
          TLS_CERT_FILE: '/x',
        },
      }).findings,
      /MY_CERT|SSL_CA_BUNDLE_DIR|_CERT_FILE/,
    ),
    [],
  );
});
