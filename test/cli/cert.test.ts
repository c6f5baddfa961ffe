// `tlswitness cert`: agrees with openssl x509, reads PEM/DER/PKCS#12, judges bundles as chains.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { makeFixtures, runCli, type Fixtures } from '../helpers/fixtures.js';
import { hasKeytool, keytoolPkcs12, opensslPkcs12 } from '../helpers/pkcs12.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('subject and SHA-256 agree with openssl x509 for PEM and DER', async (t) => {
  for (const file of ['public-root.pem', 'public-intermediate.der', 'client.pem']) {
    const path = fixtures.pki.files[file]!;
    const entry = JSON.parse((await runCli(['cert', path, '--json'])).stdout).certificates[0];
    const inform = file.endsWith('.der') ? ['-inform', 'DER'] : [];
    const fingerprint = execFileSync('openssl', ['x509', ...inform, '-in', path, '-noout', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    });
    t.is(fingerprint.trim(), `sha256 Fingerprint=${entry.sha256}`, file);
    const subject = execFileSync(
      'openssl',
      ['x509', ...inform, '-in', path, '-noout', '-subject', '-nameopt', 'RFC2253'],
      { encoding: 'utf8' },
    );
    t.is(subject.trim(), `subject=${entry.subject}`, file);
  }
});

test('bundles: a fullchain in order is fine (exit 0); wrong order and unrelated certificates are problems (exit 1)', async (t) => {
  const good = await runCli(['cert', fixtures.pki.files['served-valid.pem']!, '--json']);
  t.is(good.code, 0);
  t.deepEqual(JSON.parse(good.stdout).chain, { inOrder: true, complete: false, problems: [] });
  const wrong = await runCli(['cert', fixtures.pki.files['served-wrong-order.pem']!]);
  t.is(wrong.code, 1);
  t.regex(wrong.stdout, /Problem: wrong order: the chain runs 0 -> 2 -> 1/);
  const extra = JSON.parse((await runCli(['cert', fixtures.pki.files['served-extra-cert.pem']!, '--json'])).stdout);
  t.regex(extra.chain.problems[0], /certificate\(s\) 1 are not on the chain/);
});

test('a PKCS#12 file is read with its password; bad input is a one-line error (exit 2)', async (t) => {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(forge.pki.privateKeyToPem(forge.pki.rsa.generateKeyPair(512).privateKey)),
    [forge.pki.certificateFromPem(fixtures.pki.publicRoot.pem)],
    'secret',
    { algorithm: '3des' },
  );
  const path = join(fixtures.dir, 'bundle.p12');
  writeFileSync(path, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  const read = JSON.parse((await runCli(['cert', path, '--password', 'secret', '--json'])).stdout);
  t.is(read.format, 'p12');
  t.is(read.certificates[0].subject, 'CN=Fixture Public Root R1,O=Fixture Trust Services,C=US');
  const wrong = await runCli(['cert', path, '--password', 'nope']);
  t.is(wrong.code, 2);
  t.regex(
    wrong.stderr,
    /^Error: .*bundle\.p12: wrong password for this PKCS#12 file \(its MAC does not match and its contents do not decrypt\)\n$/,
  );
  const none = await runCli(['cert', path]);
  t.is(none.code, 2);
  t.regex(none.stderr, /^Error: .*bundle\.p12: this PKCS#12 file is protected by a password: pass --password\n$/);
  const garbage = await runCli(['cert', fixtures.pki.files['not-a-certificate.pem']!]);
  t.is(garbage.code, 2);
  t.regex(garbage.stderr, /^Error: .*not-a-certificate\.pem: not a certificate file/);
  const missing = await runCli(['cert', '/nonexistent.pem']);
  t.is(missing.code, 2);
});

test('a Java JKS keystore: exit 2 and the keytool line that converts it, which then reads', async (t) => {
  const jks = join(fixtures.dir, 'truststore.jks');
  if (hasKeytool()) {
    const rootFile = join(fixtures.dir, 'jks-root.pem');
    writeFileSync(rootFile, fixtures.pki.publicRoot.pem);
    execFileSync(
      'keytool',
      [
        '-importcert',
        '-noprompt',
        '-storetype',
        'JKS',
        '-keystore',
        jks,
        '-storepass',
        'changeit',
        '-alias',
        'corp-root',
        '-file',
        rootFile,
      ],
      { stdio: 'ignore' },
    );
  } else {
    t.log('keytool is not installed: a JKS header stands in for a real keystore');
    writeFileSync(jks, Buffer.from('feedfeed0000000200000000', 'hex'));
  }
  const result = await runCli(['cert', jks]);
  t.is(result.code, 2);
  const p12 = join(fixtures.dir, 'truststore.p12');
  const command = `keytool -importkeystore -srckeystore ${jks} -destkeystore ${p12} -deststoretype PKCS12`;
  t.is(
    result.stderr,
    `Error: ${jks}: a Java JKS keystore, which tlswitness does not read; convert it to PKCS#12 with: ${command} (it asks for the keystore's password), then pass ${p12} with --password\n`,
  );
  if (!hasKeytool()) return;
  execFileSync('sh', ['-c', `${command} -srcstorepass changeit -deststorepass changeit -noprompt`], {
    stdio: 'ignore',
  });
  const read = JSON.parse((await runCli(['cert', p12, '--password', 'changeit', '--json'])).stdout);
  t.is(read.certificates[0].subject, 'CN=Fixture Public Root R1,O=Fixture Trust Services,C=US');
});

for (const mode of ['default', 'legacy', 'windows'] as const) {
  test(`PKCS#12 from openssl pkcs12 -export (${mode}): certificates listed, the key counted and never printed`, async (t) => {
    const valid = fixtures.pki.scenarios.valid!;
    const path = opensslPkcs12(fixtures.dir, `cert-${mode}`, valid.sent, valid.keyPem, 'secret', mode);
    const human = await runCli(['cert', path, '--password', 'secret']);
    t.is(human.code, 0, human.stderr);
    t.regex(
      human.stdout,
      /: P12, 2 certificate\(s\)\nPKCS#12: MAC sha(1|256), \d+ iterations; 1 private key\(s\), not shown\n/,
    );
    t.regex(human.stdout, / 0 s: CN=valid\.example\.com\n/);
    t.regex(human.stdout, / 1 s: CN=Fixture Public CA 1,O=Fixture Trust Services,C=US\n/);
    t.regex(human.stdout, /Chain: in order/);
    t.notRegex(human.stdout, /PRIVATE KEY|BEGIN/);
    const json = JSON.parse((await runCli(['cert', path, '--password', 'secret', '--json'])).stdout);
    t.is(json.format, 'p12');
    t.is(json.pkcs12.keys, 1);
    t.deepEqual(
      json.certificates.map((c: { keyType: string }) => c.keyType),
      ['RSA', 'EC'],
    );
    const wrong = await runCli(['cert', path, '--password', 'Secret']);
    t.is(wrong.code, 2);
    t.regex(wrong.stderr, /^Error: .*cert-\w+\.p12: wrong password for this PKCS#12 file \([^\n]*\)\n$/);
  });
}

(hasKeytool() ? test : test.skip)("Java keytool's PKCS12 keystore", async (t) => {
  const path = keytoolPkcs12(fixtures.dir, 'cert-java', 'changeit', 'java.example');
  const result = await runCli(['cert', path, '--password', 'changeit']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, / 0 s: CN=java\.example\n/);
});

test('a truncated or altered PKCS#12 file is a one-line error (exit 2)', async (t) => {
  const path = opensslPkcs12(
    fixtures.dir,
    'cert-damaged',
    [fixtures.pki.client.pem],
    fixtures.pki.client.keyPem,
    'secret',
    'default',
  );
  const bytes = readFileSync(path);
  const cut = join(fixtures.dir, 'cut.p12');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  const truncated = await runCli(['cert', cut, '--password', 'secret']);
  t.is(truncated.code, 2);
  t.regex(truncated.stderr, /^Error: .*cut\.p12: damaged PKCS#12 file, truncated or corrupt \([^\n]*\)\n$/);
  const altered = join(fixtures.dir, 'altered.p12');
  const copy = Buffer.from(bytes);
  copy[copy.length - 20]! ^= 0x01;
  writeFileSync(altered, copy);
  const result = await runCli(['cert', altered, '--password', 'secret']);
  t.is(result.code, 2);
  t.regex(
    result.stderr,
    /^Error: .*altered\.p12: damaged PKCS#12 file, truncated or corrupt \(its MAC does not match, yet its contents decrypt with this password\)\n$/,
  );
});

test('an intermediate before its leaf is a wrong-order file, not an in-order one with an unrelated leaf (exit 1)', async (t) => {
  const path = join(fixtures.dir, 'intermediate-then-leaf.pem');
  writeFileSync(path, fixtures.pki.publicIntermediate.pem + fixtures.pki.scenarios.valid!.sent[0]!);
  const human = await runCli(['cert', path]);
  t.is(human.code, 1);
  t.regex(human.stdout, /\nChain: OUT OF ORDER, no root in the file\n/);
  t.regex(
    human.stdout,
    /\nProblem: wrong order: the chain runs 1 -> 0; the leaf "CN=valid\.example\.com" \(certificate 1\) should come first and each certificate should be followed by its issuer\n?$/,
  );
  t.notRegex(human.stdout, /unrelated/);
  const reversed = join(fixtures.dir, 'root-first.pem');
  writeFileSync(
    reversed,
    fixtures.pki.publicRoot.pem + fixtures.pki.publicIntermediate.pem + fixtures.pki.scenarios.valid!.sent[0]!,
  );
  const json = await runCli(['cert', reversed, '--json']);
  t.is(json.code, 1);
  t.deepEqual(JSON.parse(json.stdout).chain, {
    inOrder: false,
    complete: true,
    problems: [
      'wrong order: the chain runs 2 -> 1 -> 0; the leaf "CN=valid.example.com" (certificate 2) should come first and each certificate should be followed by its issuer',
    ],
  });
});
