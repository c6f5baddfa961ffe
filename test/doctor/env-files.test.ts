// checkEnvFiles() on hand-built snapshots: what a .env sets, its CA variables checked by file and line.
import test from 'ava';
import { diagnoseMachine } from '../../src/doctor/doctor.js';
import { parseDotenv } from '../../src/doctor/dotenv.js';
import type { DoctorSnapshot, PathFacts } from '../../src/doctor/snapshot.js';

const NOW = new Date('2026-11-23T10:00:00Z');

function run(text: string, paths: Record<string, PathFacts> = {}) {
  const snapshot: DoctorSnapshot = {
    platform: 'linux',
    nodeVersion: 'v20.0.0',
    env: {},
    paths,
    systemStore: null,
    localCa: { certsDir: '/c', certPath: '/c/ca.pem', keyPath: '/c/ca.key', cert: null, error: null, keyMode: null },
    corporate: [],
    python: { state: 'missing' },
    curl: { state: 'missing' },
    git: { state: 'missing' },
    curlrc: null,
    envFiles: [
      { file: '.env', dir: '/app', entries: parseDotenv(text) },
      { file: 'broken.env', dir: '/app', error: 'EACCES' },
    ],
  };
  return diagnoseMachine(snapshot, NOW).findings.filter((f) => f.check === 'env-file');
}

test('a .env: the names it sets (never the values), and a missing CA file named by file and line', (t) => {
  const findings = run('DATABASE_URL=postgres://u:secret@db/x\nexport SLY_EXTRA_CA_CERTS="/gone/corp.pem"\n', {
    '/gone/corp.pem': { path: '/gone/corp.pem', kind: 'missing', error: 'ENOENT' },
  });
  t.is(findings[0]!.subject, '.env');
  t.regex(findings[0]!.message, /^sets DATABASE_URL, SLY_EXTRA_CA_CERTS \(values not shown\).*1 CA variable/);
  t.false(JSON.stringify(findings).includes('secret'));
  const missing = findings.find((f) => f.subject === '.env:2 SLY_EXTRA_CA_CERTS=/gone/corp.pem')!;
  t.is(missing.severity, 'warning');
  t.regex(missing.message, /^does not exist/);
  t.regex(missing.action!, /^delete line 2 of \.env, or point it at a readable PEM bundle/);
  t.true(findings.some((f) => f.subject === 'broken.env' && /could not be read \(EACCES\)/.test(f.message)));
});

test('a .env: relative, empty and $-expanded CA values', (t) => {
  const findings = run('REQUESTS_CA_BUNDLE=certs/corp.pem\nNODE_EXTRA_CA_CERTS=\nAPP_CA_FILE=${HOME}/ca.pem\n', {
    'certs/corp.pem': {
      path: 'certs/corp.pem',
      kind: 'file',
      certificates: [
        {
          subject: 'CN=Corp',
          sha256: 'A',
          spkiSha256: 'K',
          notBefore: '2020-01-01T00:00:00.000Z',
          notAfter: '2030-01-01T00:00:00.000Z',
          publicRoot: false,
        },
      ],
    },
  });
  const relative = findings.filter((f) => f.subject === '.env:1 REQUESTS_CA_BUNDLE=certs/corp.pem');
  t.true(
    relative.some(
      (f) => f.action === "write the absolute path on line 1 of .env: REQUESTS_CA_BUNDLE='/app/certs/corp.pem'",
    ),
  );
  t.true(relative.some((f) => /no public root/.test(f.message)));
  t.is(findings.find((f) => f.subject === '.env:2 NODE_EXTRA_CA_CERTS=')?.severity, 'warning');
  t.regex(findings.find((f) => f.subject === '.env:3 APP_CA_FILE=${HOME}/ca.pem')!.message, /not expand/);
});
