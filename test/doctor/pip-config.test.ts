// pip's config files: where pip looks, the `cert` lines read as configparser reads them, and each
// checked like a CA variable; on hand-built snapshots.
import test from 'ava';
import { diagnoseMachine } from '../../src/doctor/doctor.js';
import { checkPipCerts, parsePipCerts, pipConfigFiles } from '../../src/doctor/pip-config.js';
import type { CertFact, DoctorSnapshot } from '../../src/doctor/snapshot.js';

const NOW = new Date('2026-11-23T10:00:00Z');

function snapshot(over: Partial<DoctorSnapshot> = {}): DoctorSnapshot {
  return {
    platform: 'linux',
    nodeVersion: 'v20.0.0',
    env: {},
    paths: {},
    systemStore: null,
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

test('parsePipCerts: [section] cert = / cert: lines, any case, comments and continuations skipped, ~ expanded', (t) => {
  const text = [
    '# cert = /commented.pem',
    '[global]',
    'index-url = https://pypi.corp/simple',
    'CERT = ~/corp-bundle.pem',
    '',
    '[install]',
    '; cert = /also-commented.pem',
    'cert: /etc/ssl/corp.pem',
    'trusted-host =',
    '    cert = /continuation.pem',
    'cert =',
  ].join('\n');
  t.deepEqual(parsePipCerts('/home/a/.config/pip/pip.conf', text, '/home/a'), [
    {
      file: '/home/a/.config/pip/pip.conf',
      section: 'global',
      value: '~/corp-bundle.pem',
      path: '/home/a/corp-bundle.pem',
      line: 4,
    },
    {
      file: '/home/a/.config/pip/pip.conf',
      section: 'install',
      value: '/etc/ssl/corp.pem',
      path: '/etc/ssl/corp.pem',
      line: 8,
    },
  ]);
});

test("pipConfigFiles: pip's order, lowest first; PIP_CONFIG_FILE last; PIP_CONFIG_FILE=/dev/null loads none", (t) => {
  t.deepEqual(pipConfigFiles({ HOME: '/home/a' }, 'linux', '/venv'), [
    '/etc/xdg/pip/pip.conf',
    '/etc/pip.conf',
    '/home/a/.pip/pip.conf',
    '/home/a/.config/pip/pip.conf',
    '/venv/pip.conf',
  ]);
  t.deepEqual(
    pipConfigFiles(
      { HOME: '/home/a', XDG_CONFIG_HOME: '/home/a/cfg', PIP_CONFIG_FILE: '~/my-pip.conf' },
      'linux',
      null,
    ).slice(-2),
    ['/home/a/cfg/pip/pip.conf', '/home/a/my-pip.conf'],
  );
  t.deepEqual(pipConfigFiles({ HOME: '/home/a', PIP_CONFIG_FILE: '/dev/null' }, 'linux', '/venv'), []);
  t.deepEqual(pipConfigFiles({ HOME: '/Users/a' }, 'darwin', null), [
    '/Library/Application Support/pip/pip.conf',
    '/Users/a/.pip/pip.conf',
    '/Users/a/Library/Application Support/pip/pip.conf',
    '/Users/a/.config/pip/pip.conf',
  ]);
  t.deepEqual(
    pipConfigFiles(
      { USERPROFILE: 'C:\\Users\\a', APPDATA: 'C:\\Users\\a\\AppData\\Roaming' },
      'win32',
      'C:\\Python312',
    ),
    [
      'C:\\ProgramData\\pip\\pip.ini',
      'C:\\Users\\a\\pip\\pip.ini',
      'C:\\Users\\a\\AppData\\Roaming\\pip\\pip.ini',
      'C:\\Python312\\pip.ini',
    ],
  );
});

const setting = {
  file: '/etc/pip.conf',
  section: 'global',
  value: '/etc/ssl/corp.pem',
  path: '/etc/ssl/corp.pem',
  line: 3,
};

test('a pip cert naming a missing file: broken (pip fails every HTTPS download), the fix names the line to remove', (t) => {
  const [f] = checkPipCerts(
    snapshot({
      pipCerts: [setting],
      paths: { '/etc/ssl/corp.pem': { path: '/etc/ssl/corp.pem', kind: 'missing', error: 'no such file' } },
    }),
    NOW,
  );
  t.is(f!.severity, 'broken');
  t.is(f!.subject, 'pip config global.cert=/etc/ssl/corp.pem (/etc/pip.conf)');
  t.regex(f!.message, /pip fails every download from an HTTPS index/);
  t.regex(f!.action!, /^remove line 3 \(cert\) from \/etc\/pip\.conf, or point it at a readable PEM bundle/);
  t.false(
    diagnoseMachine(
      snapshot({
        pipCerts: [setting],
        paths: { '/etc/ssl/corp.pem': { path: '/etc/ssl/corp.pem', kind: 'missing', error: 'no such file' } },
      }),
      NOW,
    ).ok,
  );
});

test("a pip cert holding only a corporate CA: it replaces pip's roots, so public indexes fail", (t) => {
  const corp: CertFact = {
    subject: 'CN=Example Corp Root CA',
    sha256: 'S',
    spkiSha256: 'K',
    notBefore: '2020-01-01T00:00:00.000Z',
    notAfter: '2030-01-01T00:00:00.000Z',
    publicRoot: false,
  };
  const findings = checkPipCerts(
    snapshot({
      pipCerts: [setting],
      paths: { '/etc/ssl/corp.pem': { path: '/etc/ssl/corp.pem', kind: 'file', certificates: [corp] } },
    }),
    NOW,
  );
  t.true(findings.some((f) => f.severity === 'warning' && /no public root: it replaces pip's roots/.test(f.message)));
});

test('PIP_CERT is a CA variable: missing file broken, ~ expanded as pip expands it', (t) => {
  const missing = diagnoseMachine(
    snapshot({
      env: { PIP_CERT: '/nope/ca.pem' },
      paths: { '/nope/ca.pem': { path: '/nope/ca.pem', kind: 'missing', error: 'no such file' } },
    }),
    NOW,
  );
  const f = missing.findings.find((x) => x.subject === 'PIP_CERT=/nope/ca.pem')!;
  t.is(f.severity, 'broken');
  t.regex(f.message, /pip fails every download/);
  const tilde = diagnoseMachine(
    snapshot({
      env: { HOME: '/home/a', PIP_CERT: '~/ca.pem' },
      paths: { '/home/a/ca.pem': { path: '/home/a/ca.pem', kind: 'missing', error: 'no such file' } },
    }),
    NOW,
  );
  t.truthy(tilde.findings.find((x) => x.subject === 'PIP_CERT=/home/a/ca.pem' && x.severity === 'broken'));
});
