// `inspect` cross-checks itself through the built CLI: OpenSSL's verdict on the probe's own
// connection against tlswitness's, on a chain built with the openssl CLI that OpenSSL refuses
// (a root whose name constraints permit only good.test, issuing a leaf for evil.test), and the
// diagnosis of that violation.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { runCli, startScenarioServer } from '../helpers/fixtures.js';

const openssl = (args: string[]) => promisify(execFile)('openssl', args);

async function nameConstrainedChain(dir: string): Promise<{ root: string; leaf: string; key: string }> {
  const path = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('root.key'),
    '-out',
    path('root.pem'),
    '-subj',
    '/CN=Constrained Test Root',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-addext',
    'nameConstraints=critical,permitted;DNS:good.test',
  ]);
  await openssl([
    'req',
    '-new',
    ...ec,
    '-keyout',
    path('leaf.key'),
    '-out',
    path('leaf.csr'),
    '-subj',
    '/CN=evil.test',
  ]);
  writeFileSync(
    path('leaf.ext'),
    'subjectAltName=DNS:evil.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    path('leaf.csr'),
    '-CA',
    path('root.pem'),
    '-CAkey',
    path('root.key'),
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    path('leaf.ext'),
    '-out',
    path('leaf.pem'),
  ]);
  return {
    root: path('root.pem'),
    leaf: readFileSync(path('leaf.pem'), 'utf8'),
    key: readFileSync(path('leaf.key'), 'utf8'),
  };
}

test('when OpenSSL refuses the chain, inspect never says ok silently', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-nc-'));
  const chain = await nameConstrainedChain(dir);
  // The oracle: OpenSSL refuses it (47, permitted subtree violation).
  const refused = await openssl([
    'verify',
    '-CAfile',
    chain.root,
    '-verify_hostname',
    'evil.test',
    join(dir, 'leaf.pem'),
  ]).then(
    () => '',
    (error: { stderr: string }) => error.stderr,
  );
  t.regex(refused, /permitted subtree violation/);
  const scenario: Scenario = {
    name: 'name-constraints',
    host: 'evil.test',
    sent: [chain.leaf],
    keyPem: chain.key,
    problem: 'name-constraints',
    opensslCode: 47,
  };
  const server = await startScenarioServer(scenario);
  try {
    const args = [
      'inspect',
      `evil.test:${server.port}`,
      '--resolve',
      `evil.test:${server.port}:127.0.0.1`,
      '--public-roots',
      chain.root,
    ];
    const json = await runCli([...args, '--json']);
    const record = JSON.parse(json.stdout);
    const text = await runCli(args);
    const warning = record.warnings.find((w: { code: string }) => w.code === 'VERIFIER_DISAGREEMENT');
    if (record.verification.ok) {
      // A verifier without name-constraint checks accepts it: OpenSSL's refusal must show, in JSON and in text.
      t.regex(
        warning?.message ?? '',
        /verifier says ok but OpenSSL's own verification of this handshake says UNSPECIFIED \(permitted subtree violation\)/,
      );
      t.regex(text.stdout, /\nWarning: tlswitness's verifier says ok but OpenSSL.*permitted subtree violation/);
    } else {
      // A verifier that checks them refuses as OpenSSL does, with Node's code: nothing to report.
      t.is(record.verification.code, 'UNSPECIFIED');
      t.is(warning, undefined);
      t.notRegex(text.stdout, /VERIFIER|OpenSSL's own verification/);
    }
    // Either way the diagnosis is the violation itself (OpenSSL 47), not an unknown CA, and inspect exits 1.
    t.is(record.verification.opensslCode, 47);
    t.is(record.diagnosis.problem, 'name-constraints');
    t.is(json.code, 1);
    t.regex(text.stdout, /Diagnosis: NAME-CONSTRAINTS \(fault: server/);
    t.regex(text.stdout, /a CA that is allowed to issue for evil\.test/);
  } finally {
    await server.close();
  }
});
