// `tlswitness convert`: PEM and DER byte-identical with openssl's output; PKCS#12 by its contents.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFixtures, runCli, type Fixtures } from '../helpers/fixtures.js';
import { hasKeytool, keytoolEntries, opensslPkcs12 } from '../helpers/pkcs12.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('PEM -> DER -> PEM round trips byte-identical with openssl x509', async (t) => {
  const pem = fixtures.pki.files['public-intermediate.pem']!;
  const der = join(fixtures.dir, 'converted.der');
  t.is((await runCli(['convert', pem, '--to', 'der', '-o', der])).code, 0);
  t.true(readFileSync(der).equals(execFileSync('openssl', ['x509', '-in', pem, '-outform', 'DER'])));
  const back = join(fixtures.dir, 'converted.pem');
  t.is((await runCli(['convert', der, '--to', 'pem', '-o', back])).code, 0);
  t.is(
    readFileSync(back, 'utf8'),
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', der, '-outform', 'PEM'], { encoding: 'utf8' }),
  );
});

test('PEM + key -> PKCS#12: openssl reads back the same certificate and key; the file is 0600', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(fixtures.dir, 'rsa-key.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const out = join(fixtures.dir, 'out.p12');
  t.is(
    (
      await runCli([
        'convert',
        fixtures.pki.files['public-root.pem']!,
        '--to',
        'p12',
        '--key',
        keyFile,
        '--password',
        'pw',
        '-o',
        out,
      ])
    ).code,
    0,
  );
  t.is(statSync(out).mode & 0o777, 0o600);
  const certs = execFileSync('openssl', ['pkcs12', '-in', out, '-passin', 'pass:pw', '-nokeys'], { encoding: 'utf8' });
  t.true(certs.includes(fixtures.pki.publicRoot.pem.trim()));
  const key = execFileSync('openssl', ['pkcs12', '-in', out, '-passin', 'pass:pw', '-nocerts', '-nodes'], {
    encoding: 'utf8',
  });
  t.regex(key, /BEGIN PRIVATE KEY/);
});

test('CA certificates -> PKCS#12 without a key: a Java trust store, keytool lists each as a trustedCertEntry', async (t) => {
  const out = join(fixtures.dir, 'truststore.p12');
  const result = await runCli([
    'convert',
    fixtures.pki.files['public-roots.pem']!,
    '--to',
    'p12',
    '--password',
    'changeit',
    '-o',
    out,
  ]);
  t.is(result.code, 0, result.stderr);
  const certs = execFileSync('openssl', ['pkcs12', '-in', out, '-passin', 'pass:changeit', '-nokeys'], {
    encoding: 'utf8',
  });
  t.is(certs.match(/BEGIN CERTIFICATE/g)?.length, 1);
  if (!hasKeytool()) {
    t.log('keytool is not installed: the Java listing was skipped');
    return;
  }
  t.deepEqual(keytoolEntries(out, 'changeit'), ['fixture public root r1, trustedCertEntry']);
});

test('a bundle cannot become one DER; --key without --to p12 is refused', async (t) => {
  const bundle = await runCli([
    'convert',
    fixtures.pki.files['served-valid.pem']!,
    '--to',
    'der',
    '-o',
    join(fixtures.dir, 'x.der'),
  ]);
  t.is(bundle.code, 2);
  t.regex(bundle.stderr, /^Error: DER holds one certificate and .* has 2: use --to pem or --to p12\n$/);
  const key = await runCli([
    'convert',
    fixtures.pki.files['public-root.pem']!,
    '--to',
    'pem',
    '--key',
    'k.pem',
    '-o',
    join(fixtures.dir, 'y.pem'),
  ]);
  t.is(key.code, 2);
});

for (const mode of ['default', 'legacy'] as const) {
  test(`PKCS#12 from openssl pkcs12 -export (${mode}) -> PEM: the certificates openssl itself reads out, no key`, async (t) => {
    const valid = fixtures.pki.scenarios.valid!;
    const p12 = opensslPkcs12(fixtures.dir, `convert-${mode}`, valid.sent, valid.keyPem, 'secret', mode);
    const out = join(fixtures.dir, `convert-${mode}.pem`);
    const result = await runCli(['convert', p12, '--password', 'secret', '--to', 'pem', '-o', out]);
    t.is(result.code, 0, result.stderr);
    const written = readFileSync(out, 'utf8');
    t.is(written, valid.sent.join(''));
    const opensslSays = execFileSync(
      'openssl',
      ['pkcs12', '-in', p12, '-passin', 'pass:secret', '-nokeys', ...(mode === 'legacy' ? ['-legacy'] : [])],
      { encoding: 'utf8' },
    );
    for (const pem of valid.sent) t.true(opensslSays.includes(pem.trim()));
    t.notRegex(written, /PRIVATE KEY/);
    t.is(
      result.stdout,
      `Wrote 2 certificates as PEM to ${out}; the private key in ${p12} was not written (--key-out KEY.pem or --with-key writes it)\n`,
      'the dropped key is said',
    );
    const wrong = await runCli([
      'convert',
      p12,
      '--password',
      'nope',
      '--to',
      'pem',
      '-o',
      join(fixtures.dir, 'never.pem'),
    ]);
    t.is(wrong.code, 2);
    t.regex(wrong.stderr, /^Error: .*: wrong password for this PKCS#12 file/);
  });
}

test('one line says what was written; an existing file is refused (exit 2, one line, untouched) unless --force', async (t) => {
  const pem = fixtures.pki.files['public-intermediate.pem']!;
  const der = join(fixtures.dir, 'say-what.der');
  const first = await runCli(['convert', pem, '--to', 'der', '-o', der]);
  t.is(first.code, 0);
  t.is(first.stdout, `Wrote 1 certificate as DER to ${der}\n`);
  t.is(first.stderr, '');
  const bundle = await runCli([
    'convert',
    fixtures.pki.files['served-valid.pem']!,
    '--to',
    'pem',
    '-o',
    join(fixtures.dir, 'say-what.pem'),
  ]);
  t.is(bundle.stdout, `Wrote 2 certificates as PEM to ${join(fixtures.dir, 'say-what.pem')}\n`);

  writeFileSync(der, 'keep me');
  const again = await runCli(['convert', pem, '--to', 'der', '-o', der]);
  t.is(again.code, 2);
  t.is(again.stderr, `Error: -o ${der}: already exists; pass --force to overwrite it\n`);
  t.is(again.stdout, '');
  t.is(readFileSync(der, 'utf8'), 'keep me', 'the existing file is untouched');
  const forced = await runCli(['convert', pem, '--to', 'der', '-o', der, '--force']);
  t.is(forced.code, 0);
  t.true(readFileSync(der).equals(execFileSync('openssl', ['x509', '-in', pem, '-outform', 'DER'])));
});

test('PKCS#12 -> PEM --key-out: the key that matches the leaf, 0600; refused where there is no PKCS#12 or it exists', async (t) => {
  const valid = fixtures.pki.scenarios.valid!;
  const p12 = opensslPkcs12(fixtures.dir, 'key-out', valid.sent, valid.keyPem, 'secret', 'default');
  const out = join(fixtures.dir, 'key-out.pem');
  const keyOut = join(fixtures.dir, 'key-out.key');
  const result = await runCli(['convert', p12, '--password', 'secret', '--to', 'pem', '-o', out, '--key-out', keyOut]);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, `Wrote 2 certificates as PEM to ${out} and its private key to ${keyOut}\n`);
  t.is(statSync(keyOut).mode & 0o777, 0o600);
  t.true(
    new X509Certificate(valid.sent[0]!).checkPrivateKey(createPrivateKey(readFileSync(keyOut))),
    "the key is the leaf's",
  );

  const again = await runCli([
    'convert',
    p12,
    '--password',
    'secret',
    '--to',
    'pem',
    '-o',
    join(fixtures.dir, 'key-out-2.pem'),
    '--key-out',
    keyOut,
  ]);
  t.is(again.code, 2);
  t.is(again.stderr, `Error: --key-out ${keyOut}: already exists; pass --force to overwrite it\n`);
  t.false(existsSync(join(fixtures.dir, 'key-out-2.pem')), 'nothing is written when one of the two is refused');
  const fromPem = await runCli([
    'convert',
    fixtures.pki.files['public-root.pem']!,
    '--to',
    'pem',
    '-o',
    join(fixtures.dir, 'k3.pem'),
    '--key-out',
    join(fixtures.dir, 'k3.key'),
  ]);
  t.is(fromPem.code, 2);
  t.regex(fromPem.stderr, /^Error: --key-out takes the key out of a PKCS#12, and .* is PEM\n$/);
});

test('PKCS#12 -> PEM --with-key: certificates then the key in one file, 0600, as requests cert= reads it', async (t) => {
  const valid = fixtures.pki.scenarios.valid!;
  const p12 = opensslPkcs12(fixtures.dir, 'with-key', valid.sent, valid.keyPem, 'secret', 'default');
  const out = join(fixtures.dir, 'with-key.pem');
  const result = await runCli(['convert', p12, '--password', 'secret', '--to', 'pem', '--with-key', '-o', out]);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, `Wrote 2 certificates and the private key as PEM to ${out}\n`);
  t.is(statSync(out).mode & 0o777, 0o600);
  const text = readFileSync(out, 'utf8');
  t.true(
    text.indexOf('BEGIN PRIVATE KEY') > text.lastIndexOf('END CERTIFICATE'),
    'the key comes after the certificates',
  );
  t.true(new X509Certificate(text).checkPrivateKey(createPrivateKey(text)), "the key is the leaf's");
  const fromPem = await runCli([
    'convert',
    fixtures.pki.files['public-root.pem']!,
    '--to',
    'pem',
    '--with-key',
    '-o',
    join(fixtures.dir, 'wk2.pem'),
  ]);
  t.is(fromPem.code, 2);
  t.regex(fromPem.stderr, /^Error: --with-key puts a PKCS#12's key into the PEM it writes/);
  t.false(existsSync(join(fixtures.dir, 'wk2.pem')));
});
