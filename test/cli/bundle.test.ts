// `tlswitness bundle`: roots plus corporate CAs, de-duplicated, with its warnings.
import test from 'ava';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { cleanEnv, makeFixtures, runCli, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('public roots plus a corporate root, once even when given twice; the strict-client warning names Python 3.13', async (t) => {
  const out = join(fixtures.dir, 'combined.pem');
  const corp = fixtures.pki.files['corporate-root.pem']!;
  const result = await runCli(['bundle', '-o', out, '--from', 'public', '--extra-ca', corp, '--extra-ca', corp]);
  t.is(result.code, 0);
  t.is(readFileSync(out, 'utf8').match(/BEGIN CERTIFICATE/g)?.length, rootCertificates.length + 1);
  t.true(readFileSync(out, 'utf8').includes(fixtures.pki.corporateRoot.pem.trim()));
  t.regex(result.stdout, /\(1 duplicate left out\)/);
  t.regex(result.stdout, /export REQUESTS_CA_BUNDLE='.*combined\.pem'/);
  t.regex(result.stderr, /Example Corp Root CA.*basic constraints not critical.*Python >= 3\.13/);
});

test('an expired corporate CA is reported and exits 1; the system store is the default base', async (t) => {
  const expired = join(fixtures.dir, 'expired-root.pem');
  writeFileSync(expired, fixtures.pki.scenarios.expiredRoot!.anchors![0]!);
  const out = join(fixtures.dir, 'with-expired.pem');
  const result = await runCli(
    ['bundle', '-o', out, '--extra-ca', expired, '--json'],
    cleanEnv({ SSL_CERT_FILE: fixtures.pki.files['public-roots.pem']! }),
  );
  const report = JSON.parse(result.stdout);
  t.is(result.code, 1);
  t.is(report.certificates, 2, 'the fixture "system store" (one root) plus the expired CA');
  t.regex(report.expired[0], /Fixture Expired Root.*from --extra-ca/);
});

test('-o with a relative path: the lines printed name the absolute path, so curl finds it from any directory', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'tlswitness-bundle-rel-'));
  const result = await runCli(['bundle', '-o', 'corp-bundle.pem', '--from', 'public'], cleanEnv(), cwd);
  t.is(result.code, 0);
  const full = join(realpathSync(cwd), 'corp-bundle.pem');
  t.regex(result.stdout, new RegExp(`^export SSL_CERT_FILE='${full.replace(/[.]/g, '\\.')}'$`, 'm'));
  t.true(readFileSync(full, 'utf8').includes('BEGIN CERTIFICATE'));
  const json = JSON.parse(
    (await runCli(['bundle', '-o', 'again.pem', '--from', 'public', '--json'], cleanEnv(), cwd)).stdout,
  );
  t.is(json.file, join(realpathSync(cwd), 'again.pem'));
});
