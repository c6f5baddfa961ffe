// `tlswitness ca`: created once per certs dir, key 0600 and never printed or exported.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { cleanEnv, runCli } from '../helpers/fixtures.js';
import { hasKeytool, keytoolEntries } from '../helpers/pkcs12.js';

const newDir = () => mkdtempSync(join(tmpdir(), 'tlswitness-ca-'));

test('ca init creates a CA once: key 0600 in a 0700 folder, CA:TRUE pathlen 0, bounded validity', async (t) => {
  const dir = newDir();
  const first = await runCli(['ca', 'init', '--certs-dir', dir]);
  t.is(first.code, 0);
  t.regex(first.stderr, /^Note: created a new local CA/);
  const certPath = join(dir, 'ca', 'certs', 'ca.pem');
  t.is(statSync(join(dir, 'ca', 'keys', 'ca.private.key')).mode & 0o777, 0o600);
  t.is(statSync(join(dir, 'ca')).mode & 0o777, 0o700);
  const cert = new X509Certificate(readFileSync(certPath));
  t.true(cert.ca);
  t.true(cert.verify(cert.publicKey));
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  t.true(days <= 731, `validity ${days} days`);
  const again = await runCli(['ca', 'init', '--certs-dir', dir]);
  t.regex(again.stdout, /already exists/);
  t.is(readFileSync(certPath, 'utf8'), cert.toString(), 'a second init keeps the same CA');
});

test('ca alone lists its subcommands as --help does, on stderr, and is a usage error (exit 2); nothing is created', async (t) => {
  const dir = newDir();
  const alone = await runCli(['ca', '--certs-dir', dir]);
  const help = await runCli(['ca', '--help']);
  t.is(alone.code, 2);
  t.is(alone.stdout, '');
  for (const sub of ['init', 'path', 'show', 'export', 'env', 'install', 'uninstall'])
    t.regex(alone.stderr, new RegExp(`^  tlswitness ca ${sub} `, 'm'), sub);
  t.true(alone.stderr.startsWith(help.stdout.trimEnd()), 'the same text as ca --help');
  t.regex(alone.stderr, /\nError: name a ca subcommand: init, path, show, export, env, install or uninstall\n$/);
  t.notRegex(alone.stderr, /non-option arguments/);
  t.throws(() => statSync(join(dir, 'ca')), { code: 'ENOENT' });
});

test('each certs dir gets its own CA (unique key per install)', async (t) => {
  const [a, b] = [newDir(), newDir()];
  await runCli(['ca', 'init', '--certs-dir', a]);
  await runCli(['ca', 'init', '--certs-dir', b]);
  const key = (dir: string) => readFileSync(join(dir, 'ca', 'keys', 'ca.private.key'), 'utf8');
  t.not(key(a), key(b));
  t.not(
    new X509Certificate(readFileSync(join(a, 'ca', 'certs', 'ca.pem'))).subject,
    new X509Certificate(readFileSync(join(b, 'ca', 'certs', 'ca.pem'))).subject,
  );
});

test('ca path and TLSWITNESS_CERTS_DIR; ca show never prints the key', async (t) => {
  const dir = newDir();
  const path = await runCli(['ca', 'path'], cleanEnv({ TLSWITNESS_CERTS_DIR: dir }));
  t.is(path.stdout, `${join(dir, 'ca', 'certs', 'ca.pem')}\n`);
  const show = await runCli(['ca', 'show', '--certs-dir', dir]);
  t.regex(show.stdout, /Key: +RSA 2048 bits, in .*ca\.private\.key \(mode 0600\)/);
  const json = JSON.parse((await runCli(['ca', 'show', '--json', '--certs-dir', dir])).stdout);
  t.is(json.keyMode, '0600');
  t.true(json.isCA);
  for (const output of [show.stdout, show.stderr, JSON.stringify(json)]) t.false(/PRIVATE KEY/.test(output));
});

test('ca export: PEM, DER and a certificate-only PKCS#12, never the key', async (t) => {
  const dir = newDir();
  await runCli(['ca', 'init', '--certs-dir', dir]);
  const pem = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
  t.is((await runCli(['ca', 'export', '--certs-dir', dir])).stdout, pem);
  await runCli(['ca', 'export', '--certs-dir', dir, '--format', 'der', '-o', join(dir, 'ca.der')]);
  t.true(new X509Certificate(readFileSync(join(dir, 'ca.der'))).raw.equals(new X509Certificate(pem).raw));
  await runCli([
    'ca',
    'export',
    '--certs-dir',
    dir,
    '--format',
    'p12',
    '--password',
    'changeit',
    '-o',
    join(dir, 'ca.p12'),
  ]);
  const p12 = forge.pkcs12.pkcs12FromAsn1(
    forge.asn1.fromDer(readFileSync(join(dir, 'ca.p12')).toString('binary')),
    'changeit',
  );
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const keyBags = [forge.pki.oids.keyBag!, forge.pki.oids.pkcs8ShroudedKeyBag!].flatMap(
    (type) => p12.getBags({ bagType: type })[type] ?? [],
  );
  t.is(certBags.length, 1);
  t.is(keyBags.length, 0);
  t.is(forge.pki.certificateToPem(certBags[0]!.cert!).replace(/\r/g, ''), pem);
  // Java keeps a key-less certificate only when it is marked trusted; before, keytool said "0 entries".
  if (hasKeytool())
    t.regex(keytoolEntries(join(dir, 'ca.p12'), 'changeit').join('\n'), /^tlswitness ca \w+, trustedCertEntry$/);
  else t.log('keytool is not installed: the Java listing was skipped');
});

test('an unwritable certs dir is a one-line error', async (t) => {
  // Tests run as root, which ignores permission bits: a regular file as the parent cannot be written under.
  const file = join(newDir(), 'a-file');
  writeFileSync(file, '');
  const result = await runCli(['ca', 'init', '--certs-dir', join(file, 'certs')]);
  t.is(result.code, 2);
  t.regex(
    result.stderr,
    /^Error: certs dir .*a-file\/certs is not writable \(ENOTDIR\): pass --certs-dir DIR or set TLSWITNESS_CERTS_DIR\n$/,
  );
});
