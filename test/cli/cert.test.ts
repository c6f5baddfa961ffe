// `tlswitness cert`: agrees with openssl x509, reads PEM/DER/PKCS#12, judges bundles as chains.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { makeFixtures, runCli, type Fixtures } from '../helpers/fixtures.js';

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
    const fingerprint = execFileSync('openssl', ['x509', ...inform, '-in', path, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    t.is(fingerprint.trim(), `sha256 Fingerprint=${entry.sha256}`, file);
    const subject = execFileSync('openssl', ['x509', ...inform, '-in', path, '-noout', '-subject', '-nameopt', 'RFC2253'], { encoding: 'utf8' });
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
  const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(forge.pki.privateKeyToPem(forge.pki.rsa.generateKeyPair(512).privateKey)), [forge.pki.certificateFromPem(fixtures.pki.publicRoot.pem)], 'secret', { algorithm: '3des' });
  const path = join(fixtures.dir, 'bundle.p12');
  writeFileSync(path, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  const read = JSON.parse((await runCli(['cert', path, '--password', 'secret', '--json'])).stdout);
  t.is(read.format, 'p12');
  t.is(read.certificates[0].subject, 'CN=Fixture Public Root R1,O=Fixture Trust Services,C=US');
  const wrong = await runCli(['cert', path, '--password', 'nope']);
  t.is(wrong.code, 2);
  t.regex(wrong.stderr, /^Error: .*bundle\.p12: not readable as PKCS#12 with this password \(pass --password\)\n$/);
  const garbage = await runCli(['cert', fixtures.pki.files['not-a-certificate.pem']!]);
  t.is(garbage.code, 2);
  t.regex(garbage.stderr, /^Error: .*not-a-certificate\.pem: not a certificate file/);
  const missing = await runCli(['cert', '/nonexistent.pem']);
  t.is(missing.code, 2);
});
