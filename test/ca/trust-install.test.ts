// `ca install` / `ca uninstall` against injected stores: a temporary anchor directory and recorded
// keytool / certutil / security runs, so this machine's trust stores are never touched.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCa, type LocalCa } from '../../src/ca/local-ca.js';
import { changeTrust, type InstallContext } from '../../src/ca/trust-install.js';
import { makeTestCa } from '../helpers/pki.js';

const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

let older: LocalCa;
let current: LocalCa;
let foreignPem: string;
test.before(async () => {
  // A certs dir under a path with a space, as macOS's "Application Support".
  const base = scratch('tlswitness-install-');
  [older, current] = await Promise.all([
    ensureLocalCa(join(base, 'old dir')),
    ensureLocalCa(join(base, 'Application Support', 'tlswitness')),
  ]);
  // Someone else's CA that happens to sit under a tlswitness-like name.
  foreignPem = (
    await makeTestCa([
      { type: 'O', value: 'Example Corp' },
      { type: 'CN', value: 'tlswitness CA 00000000 lookalike' },
    ])
  ).pem;
});

type Call = { command: string; args: string[]; as: { uid: number; gid: number } | null | undefined };

function context(overrides: Partial<InstallContext> & { answers?: (call: Call) => string }): {
  context: InstallContext;
  calls: Call[];
} {
  const calls: Call[] = [];
  const { answers, ...rest } = overrides;
  return {
    calls,
    context: {
      platform: 'linux',
      run: async (command, args, as) => {
        const call = { command, args, as };
        calls.push(call);
        return { stdout: answers?.(call) ?? '', stderr: '' };
      },
      which: () => null,
      isRoot: true,
      home: scratch('tlswitness-home-'),
      runAs: null,
      linux: [],
      ...rest,
    },
  };
}

function debianStore(): { dir: string; linux: InstallContext['linux'] } {
  const dir = join(scratch('tlswitness-anchors-'), 'ca certificates');
  mkdirSync(dir);
  return {
    dir,
    linux: [
      { store: 'system (Debian/Ubuntu)', anchorDir: dir, extension: '.crt', update: ['update-ca-certificates', []] },
    ],
  };
}

const which =
  (...present: string[]) =>
  (command: string) =>
    present.includes(command) ? `/usr/bin/${command}` : null;

test('uninstall removes every tlswitness CA in the anchor directory (older ones too), lists each, keeps the rest', async (t) => {
  const { dir, linux } = debianStore();
  const { context: root, calls } = context({ linux, which: which('update-ca-certificates') });
  await changeTrust({ action: 'install', ca: older }, root);
  await changeTrust({ action: 'install', ca: current }, root);
  writeFileSync(join(dir, 'tlswitness-lookalike.crt'), foreignPem);
  writeFileSync(join(dir, 'corporate.crt'), older.certPem);
  t.is(readdirSync(dir).length, 4);
  calls.length = 0;
  const [system] = await changeTrust({ action: 'uninstall' }, root);
  t.is(system!.status, 'done');
  t.deepEqual(
    readdirSync(dir).sort(),
    ['corporate.crt', 'tlswitness-lookalike.crt'],
    'both installs gone; a file not named by an install, and a certificate not ours, stay',
  );
  for (const ca of [older, current])
    t.true(system!.detail.includes(ca.cert.x509.fingerprint256), `lists ${ca.cert.x509.subject.split('\n').pop()}`);
  t.deepEqual(
    calls.map((c) => c.command),
    ['update-ca-certificates'],
  );
  const [again] = await changeTrust({ action: 'uninstall' }, root);
  t.is(again!.status, 'skipped');
});

test('the commands printed for a user without root work as printed (paths with spaces)', async (t) => {
  const { dir, linux } = debianStore();
  const { context: user } = context({ linux, which: which('update-ca-certificates'), isRoot: false });
  const [install] = await changeTrust({ action: 'install', ca: current }, user);
  t.is(install!.status, 'manual');
  // A sudo that just runs its command, and an update that does nothing: the printed line, run by sh.
  const bin = scratch('tlswitness-bin-');
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n');
  writeFileSync(join(bin, 'update-ca-certificates'), '#!/bin/sh\nexit 0\n');
  for (const tool of ['sudo', 'update-ca-certificates']) chmodSync(join(bin, tool), 0o755);
  const runPrinted = (detail: string) =>
    execFileSync('sh', ['-c', detail.replace(/^needs root: /, '').split('\n')[0]!], {
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
  runPrinted(install!.detail);
  const [installed] = readdirSync(dir);
  t.regex(installed!, /^tlswitness-[0-9a-f]{12}\.crt$/);
  t.is(readFileSync(join(dir, installed!), 'utf8'), current.certPem);
  const [uninstall] = await changeTrust({ action: 'uninstall' }, user);
  t.is(uninstall!.status, 'manual');
  t.true(uninstall!.detail.includes(current.cert.x509.fingerprint256));
  runPrinted(uninstall!.detail);
  t.deepEqual(readdirSync(dir), []);
});

test("Java: every tlswitness alias (and Debian's debian:tlswitness-… copies) confirmed by its certificate, then deleted", async (t) => {
  const pems: Record<string, string> = {
    'tlswitness-0123456789ab': older.certPem,
    'debian:tlswitness-0123456789ab.crt': older.certPem,
    'tlswitness-ba9876543210': current.certPem,
    'tlswitness-lookalike': foreignPem,
    digicertglobalrootg2: foreignPem,
  };
  const listing = [
    'Keystore type: JKS',
    'Keystore provider: SUN',
    '',
    'Your keystore contains 5 entries',
    '',
    ...Object.keys(pems).map(
      (alias) => `${alias}, Dec 6, 2026, trustedCertEntry,\nCertificate fingerprint (SHA-256): 00:11`,
    ),
  ].join('\n');
  const { context: root, calls } = context({
    which: which('keytool'),
    answers: ({ args }) =>
      args[0] === '-list' ? listing : args[0] === '-exportcert' ? pems[args[args.indexOf('-alias') + 1]!]! : '',
  });
  const [, , javaResult] = await changeTrust({ action: 'uninstall' }, root);
  t.is(javaResult!.status, 'done');
  const deleted = calls.filter((c) => c.args[0] === '-delete').map((c) => c.args[c.args.indexOf('-alias') + 1]);
  t.deepEqual(deleted.sort(), [
    'debian:tlswitness-0123456789ab.crt',
    'tlswitness-0123456789ab',
    'tlswitness-ba9876543210',
  ]);
  t.true(javaResult!.detail.includes(older.cert.x509.fingerprint256));
});

test("NSS: under sudo the invoking user's databases, changed as that user; every tlswitness nickname removed", async (t) => {
  const home = scratch('tlswitness-home-');
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  writeFileSync(join(home, '.pki', 'nssdb', 'cert9.db'), '');
  const nicknames: Record<string, string> = {
    'tlswitness-0123456789ab': older.certPem,
    'tlswitness-ba9876543210': current.certPem,
    'Corp Root': foreignPem,
  };
  const listing = `\nCertificate Nickname                                         Trust Attributes\n                                                             SSL,S/MIME,JAR/XPI\n\n${Object.keys(
    nicknames,
  )
    .map((n) => `${n.padEnd(61)}C,,  `)
    .join('\n')}\n`;
  const { context: sudo, calls } = context({
    home,
    runAs: { uid: 1000, gid: 1000 },
    which: which('certutil'),
    answers: ({ args }) =>
      args[0] === '-L' && !args.includes('-n')
        ? listing
        : args[0] === '-L'
          ? nicknames[args[args.indexOf('-n') + 1]!]!
          : '',
  });
  const [, nssResult] = await changeTrust({ action: 'uninstall' }, sudo);
  t.is(nssResult!.status, 'done');
  t.deepEqual(
    calls
      .filter((c) => c.args[0] === '-D')
      .map((c) => c.args[c.args.indexOf('-n') + 1])
      .sort(),
    ['tlswitness-0123456789ab', 'tlswitness-ba9876543210'],
  );
  t.true(
    calls.every((c) => c.as?.uid === 1000 && c.as.gid === 1000),
    'every certutil run as the invoking user',
  );
  t.true(nssResult!.detail.startsWith(join(home, '.pki', 'nssdb')));
});

test('macOS and Windows: every tlswitness CA in the listing removed by hash; printed commands quoted for their shell', async (t) => {
  const sha1 = (ca: LocalCa) => ca.cert.x509.fingerprint.replace(/:/g, '');
  const keychain =
    [older, current]
      .map(
        (ca) =>
          `SHA-256 hash: ${ca.cert.x509.fingerprint256.replace(/:/g, '')}\nSHA-1 hash: ${sha1(ca)}\n${ca.certPem}`,
      )
      .join('') + `SHA-1 hash: ${'AB'.repeat(20)}\n${foreignPem}`;
  const mac = context({ platform: 'darwin', answers: ({ args }) => (args[0] === 'find-certificate' ? keychain : '') });
  const [macResult] = await changeTrust({ action: 'uninstall' }, mac.context);
  t.is(macResult!.status, 'done');
  t.deepEqual(
    mac.calls.filter((c) => c.args[0] === 'delete-certificate').map((c) => c.args[2]),
    [sha1(older), sha1(current)],
  );
  const failing = context({
    platform: 'darwin',
    run: async () => Promise.reject(new Error('SecTrustSettingsSetTrustSettings: authorization denied')),
  });
  const [macInstall] = await changeTrust({ action: 'install', ca: current }, failing.context);
  t.true(macInstall!.detail.includes(`'${current.paths.cert}'`), macInstall!.detail);

  const block = (i: number, subject: string, hash: string) =>
    `================ Certificate ${i} ================\nSerial Number: 01\nIssuer: ${subject}\nSubject: ${subject}\nCert Hash(sha1): ${hash}\n`;
  const windowsListing = `ROOT "Trusted Root Certification Authorities"\n${block(0, 'CN=tlswitness CA 0a1b2c3d, OU=host 0a1b2c3d, O=tlswitness local CA', '0a'.repeat(20))}${block(1, 'CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US', 'df'.repeat(20))}${block(2, 'CN=tlswitness CA 99887766, OU=other 99887766, O=tlswitness local CA', '99'.repeat(20))}CertUtil: -store command completed successfully.\n`;
  const windows = context({ platform: 'win32', answers: ({ args }) => (args[0] === '-store' ? windowsListing : '') });
  const [winResult] = await changeTrust({ action: 'uninstall' }, windows.context);
  t.is(winResult!.status, 'done');
  t.deepEqual(
    windows.calls.filter((c) => c.args[0] === '-delstore').map((c) => c.args[2]),
    ['0a'.repeat(20), '99'.repeat(20)],
  );
  const denied = context({ platform: 'win32', run: async () => Promise.reject(new Error('Access is denied.')) });
  const [winInstall] = await changeTrust({ action: 'install', ca: current }, denied.context);
  t.true(winInstall!.detail.includes(`certutil -addstore -f ROOT '${current.paths.cert}'`), winInstall!.detail);
});
