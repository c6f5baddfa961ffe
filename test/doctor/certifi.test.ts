// checkCertifi() and checkMacInstallCertificates() on hand-built snapshots: certifi's bundle against
// Node's bundled roots (as DER lists), and python.org's macOS build without a CA file (faked facts).
import test from 'ava';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { buildCertificate } from '../../src/ca/certificate-builder.js';
import { checkCertifi, checkMacInstallCertificates } from '../../src/doctor/certifi.js';
import { diagnoseMachine } from '../../src/doctor/doctor.js';
import type { CertFact, DoctorSnapshot, PythonFacts } from '../../src/doctor/snapshot.js';
import { pemCertificates } from '../../src/trust/pem.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const node = rootCertificates.map((pem) => pemCertificates(pem)[0]!);
// The newest of Node's roots: the one an old certifi would lack.
const newest = node.reduce((a, b) =>
  Date.parse(new X509Certificate(b).validFrom) > Date.parse(new X509Certificate(a).validFrom) ? b : a,
);
const newestSubject = new X509Certificate(newest).subject.split('\n').reverse()[0]!;

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
    nodeRoots: node,
    ...over,
  };
}

const certifi = (ders: Buffer[], version: string | null = '2020.12.05') => ({
  path: '/venv/lib/certifi/cacert.pem',
  version,
  from: 'certifi.where()',
  ders,
});

async function corpRoot(): Promise<{ der: Buffer; fact: CertFact }> {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const built = await buildCertificate({
    subject: [{ type: 'CN', value: 'Example Corp Root CA' }],
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    publicKey: key.publicKey,
    signingKey: key.privateKey,
    isCA: true,
  });
  const x509 = new X509Certificate(built.der);
  return {
    der: built.der,
    fact: {
      subject: 'CN=Example Corp Root CA',
      sha256: x509.fingerprint256,
      spkiSha256: 'k',
      notBefore: x509.validFrom,
      notAfter: x509.validTo,
      publicRoot: false,
    },
  };
}

test("an old certifi lacking one of Node's roots: a warning naming it, and the upgrade line", (t) => {
  const findings = checkCertifi(snapshot({ certifi: certifi(node.filter((der) => der !== newest)) }));
  t.is(findings.length, 1);
  const [f] = findings;
  t.is(f!.severity, 'warning');
  t.is(f!.subject, 'certifi 2020.12.05 (/venv/lib/certifi/cacert.pem)');
  t.regex(
    f!.message,
    new RegExp(
      `^older than Node v20\\.0\\.0's ${node.length} bundled roots: lacks 1 root \\(${newestSubject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`,
    ),
  );
  t.is(f!.action, 'python3 -m pip install --upgrade certifi');
});

test('the same roots: ok; a newer certifi (Node still has a removed root, certifi a newer one): info, no upgrade', async (t) => {
  t.is(checkCertifi(snapshot({ certifi: certifi(node) }))[0]!.severity, 'ok');
  const { der } = await corpRoot(); // made in 2026: newer than every root Node 20 bundles
  const newer = checkCertifi(snapshot({ certifi: certifi([...node.slice(1), der], '2026.05.20') }));
  t.is(newer[0]!.severity, 'info');
  t.regex(
    newer[0]!.message,
    /^newer than Node .*: holds 1 root they lack \(CN=Example Corp Root CA\); 1 root Node still trusts was removed from it \(distrusted since\)/,
  );
  t.is(newer[0]!.action, null);
});

test('a corporate CA added to certifi by hand: not a sign of age, and the upgrade would drop it', async (t) => {
  const corp = await corpRoot();
  const findings = checkCertifi(
    snapshot({
      certifi: certifi([...node.filter((der) => der !== newest), corp.der]),
      corporate: [{ file: '/corp.pem', cert: corp.fact }],
    }),
  );
  t.is(findings[0]!.severity, 'warning');
  t.regex(
    findings[0]!.action!,
    /^python3 -m pip install --upgrade certifi; it replaces the bundle file, so first give requests the CA added to it by hand another way/,
  );
  t.regex(
    findings[1]!.message,
    /^holds CN=Example Corp Root CA, added to certifi's file by hand: the next certifi upgrade .* drops it/,
  );
});

test('no certifi, or no Node roots to compare with: nothing said; an unreadable bundle: a warning', (t) => {
  t.deepEqual(checkCertifi(snapshot({ certifi: null })), []);
  t.deepEqual(checkCertifi(snapshot({ certifi: certifi(node), nodeRoots: [] })), []);
  const broken = checkCertifi(
    snapshot({ certifi: { path: '/venv/cacert.pem', version: '2024.2.2', from: 'certifi.where()', error: 'ENOENT' } }),
  );
  t.regex(broken[0]!.message, /its bundle cannot be read \(ENOENT\)/);
});

test('doctor runs the certifi comparison', (t) => {
  const report = diagnoseMachine(snapshot({ certifi: certifi(node.filter((der) => der !== newest)) }), NOW);
  t.true(report.findings.some((f) => f.check === 'certifi' && f.action === 'python3 -m pip install --upgrade certifi'));
});

const macPython = (facts: Partial<PythonFacts> = {}): DoctorSnapshot['python'] => ({
  state: 'found',
  facts: {
    version: '3.12.4',
    executable: '/Library/Frameworks/Python.framework/Versions/3.12/bin/python3',
    openssl: 'OpenSSL 3.0.13',
    sslCafile: null,
    sslCapath: null,
    opensslCafile: '/Library/Frameworks/Python.framework/Versions/3.12/etc/openssl/cert.pem',
    certifi: null,
    requests: null,
    ...facts,
  },
});

test("python.org's macOS Python without a CA file: broken, and the Install Certificates.command to run", (t) => {
  const [f] = checkMacInstallCertificates(snapshot({ platform: 'darwin', python: macPython() }));
  t.is(f!.severity, 'broken');
  t.regex(
    f!.message,
    /^python\.org's Python 3\.12 for macOS has no CA file yet \(\/Library\/Frameworks\/Python\.framework\/Versions\/3\.12\/etc\/openssl\/cert\.pem does not exist\)/,
  );
  t.is(
    f!.action,
    'open "/Applications/Python 3.12/Install Certificates.command"   (it installs certifi and links its bundle there)',
  );
  t.false(diagnoseMachine(snapshot({ platform: 'darwin', python: macPython() }), NOW).ok);
});

test('no Install Certificates finding: the CA file exists, SSL_CERT_FILE stands in, Homebrew Python, or Linux', (t) => {
  const none = (over: Partial<DoctorSnapshot>) =>
    t.deepEqual(checkMacInstallCertificates(snapshot({ platform: 'darwin', python: macPython(), ...over })), []);
  none({ python: macPython({ sslCafile: '/Library/Frameworks/Python.framework/Versions/3.12/etc/openssl/cert.pem' }) });
  none({ env: { SSL_CERT_FILE: '/etc/ssl/cert.pem' } });
  none({
    python: macPython({
      executable: '/opt/homebrew/bin/python3',
      opensslCafile: '/opt/homebrew/etc/openssl@3/cert.pem',
    }),
  });
  none({ platform: 'linux' });
});
