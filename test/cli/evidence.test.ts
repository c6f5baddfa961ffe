// `tlswitness evidence` as a user runs it: the built binary, real fixture servers, a local sanity host,
// the machine's real curl and python3, bundles on disk (directory and .tar.gz).
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import {
  cleanEnv,
  makeFixtures,
  runCli,
  startScenarioServer,
  type Fixtures,
  type FixtureServer,
} from '../helpers/fixtures.js';
import { pemCertificates } from '../../src/trust/pem.js';

let fixtures: Fixtures;
let sanity: FixtureServer;
const servers: FixtureServer[] = [];
test.before(async () => {
  fixtures = await makeFixtures();
  sanity = await startScenarioServer(fixtures.pki.scenarios.valid!);
});
test.after.always(async () => {
  await Promise.all([sanity?.close(), ...servers.map((s) => s.close())]);
  await fixtures?.close();
});

async function serve(name: string): Promise<FixtureServer> {
  const server = await startScenarioServer(fixtures.pki.scenarios[name]!);
  servers.push(server);
  return server;
}

/** Every bundle this file writes, so the secrets test can read them all. */
const bundles: string[] = [];
function outPath(name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tlswitness-evidence-test-')), name);
  bundles.push(path);
  return path;
}

function evidenceArgs(name: string, port: number, output: string, sanityPort = sanity.port): string[] {
  const host = fixtures.pki.scenarios[name]!.host!;
  return [
    'evidence',
    `${host}:${port}`,
    '-o',
    output,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `${host}:${port}:127.0.0.1`,
    '--sanity-host',
    `valid.example.com:${sanityPort}`,
    '--resolve',
    `valid.example.com:${sanityPort}:127.0.0.1`,
  ];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(dir, path))
    .sort();
}

function exec(command: string, args: string[], cwd?: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

test.serial(
  'an incomplete chain: exactly one served certificate, the missing intermediate named, them not us',
  async (t) => {
    const server = await serve('incomplete');
    const out = outPath('incomplete');
    // The machine's clients read this bundle, which lacks the fixture's public root.
    const env = cleanEnv({
      SSL_CERT_FILE: fixtures.pki.files['corporate-root.pem']!,
      CURL_CA_BUNDLE: fixtures.pki.files['corporate-root.pem']!,
      REQUESTS_CA_BUNDLE: fixtures.pki.files['corporate-root.pem']!,
    });
    const result = await runCli(evidenceArgs('incomplete', server.port, out), env);
    t.is(result.code, 1, result.stderr);
    t.regex(result.stdout, /INCOMPLETE-CHAIN/);
    t.deepEqual(filesUnder(out), [
      'MANIFEST',
      'chain/0-incomplete.example.com.pem',
      'chain/0-incomplete.example.com.txt',
      'email.txt',
      'report.html',
      'report.json',
      'report.md',
      'served-chain.pem',
    ]);
    // Owner-only: the bundle names this machine's hosts, proxies and environment.
    for (const file of filesUnder(out)) t.is(statSync(join(out, file)).mode & 0o777, 0o600, file);
    t.is(statSync(join(out, 'chain')).mode & 0o777, 0o700);
    const served = readFileSync(join(out, 'served-chain.pem'), 'utf8');
    t.is(pemCertificates(served).length, 1);
    t.is(served, fixtures.pki.scenarios.incomplete!.sent.join(''), 'byte for byte what the server sent');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    t.regex(
      html,
      /<div class="gap" data-box="gap"><span class="tag bad">missing intermediate: the server did not send it<\/span><div>CN=Fixture Public CA 1/,
    );
    t.regex(
      html,
      /<tr><td>curl on this machine, against incomplete\.example\.com:\d+<\/td>/,
      'the page carries the run\'s "them or us" rows',
    );

    const report = readFileSync(join(out, 'report.md'), 'utf8');
    const intermediate = 'CN=Fixture Public CA 1,O=Fixture Trust Services,C=US';
    t.true(report.includes(`Missing issuer: ${intermediate}`), report);
    t.regex(report, /\*\*Problem:\*\* INCOMPLETE-CHAIN \(fault: server/);
    t.regex(report, /\| sanity host valid\.example\.com:\d+ \| verifies \|/);
    t.regex(report, /\*\*Conclusion:\*\* Their side/);
    // The machine's own clients, with their own trust stores: neither knows the fixture root.
    t.regex(
      report,
      /\| curl on this machine[^|]*\| refused the certificate \(exit 60: curl: \(60\) SSL certificate problem/,
    );
    t.regex(
      report,
      /\| python3 on this machine[^|]*\| refused the certificate \(exit 1: ssl\.SSLCertVerificationError/,
    );

    const email = readFileSync(join(out, 'email.txt'), 'utf8');
    t.regex(email, /^To: the administrator of incomplete\.example\.com:\d+/);
    t.true(
      email.includes(
        `send the full certificate chain: the server certificate followed by the intermediate CA certificate "${intermediate}"`,
      ),
      email,
    );

    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    t.is(json.target.diagnosis.problem, 'incomplete-chain');
    t.is(json.sanity.diagnosis.problem, 'ok');
    t.deepEqual(
      json.clients.map((c: { client: string }) => c.client),
      ['curl', 'python3', 'requests', 'httpx'],
    );
    t.is(json.environment.node, process.version);
    // What a bug report asks for, as doctor finds it.
    const versions = json.environment.versions;
    t.is(versions.nodeOpenssl, process.versions.openssl);
    t.regex(versions.python.version, /^3\.\d+\.\d+/);
    t.regex(versions.python.openssl, /OpenSSL/);
    t.regex(versions.python.certifi.where, /cacert\.pem$/);
    t.regex(versions.python.certifi.version, /^\d{4}\.\d+\.\d+/);
    t.regex(versions.curl.version, /^\d+\.\d+/);
    t.regex(versions.curl.tls ?? '', /SSL|TLS/i);
    t.truthy(json.environment.platform);
    t.truthy(json.environment.release);
    t.is(json.comparison.side, 'them');

    const text = readFileSync(join(out, 'chain/0-incomplete.example.com.txt'), 'utf8');
    t.regex(text, /Subject: +CN=incomplete\.example\.com/);
    t.regex(text, /SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);

    const check = await exec('sha256sum', ['-c', 'MANIFEST'], out);
    t.is(check.code, 0, check.stdout);
    t.is(check.stdout.trim().split('\n').length, 7);
  },
);

test.serial(
  'an RSA-1024 leaf: weak-crypto in Summary and Conclusion (their side), the clients that refuse named, the email asks for a reissue',
  async (t) => {
    const server = await serve('rsa1024');
    const out = outPath('rsa1024');
    // The machine's clients trust the fixture root: what they refuse is the key, not the CA.
    const roots = fixtures.pki.files['public-roots.pem']!;
    const result = await runCli(
      evidenceArgs('rsa1024', server.port, out),
      cleanEnv({ SSL_CERT_FILE: roots, CURL_CA_BUNDLE: roots, REQUESTS_CA_BUNDLE: roots }),
    );
    t.is(result.code, 1, result.stderr);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    t.regex(report, /\*\*Problem:\*\* WEAK-CRYPTO \(fault: server/);
    t.regex(report, /\*\*Conclusion:\*\* Their side: .*weak-crypto.*1024-bit RSA key/);
    t.notRegex(report, /unknown-ca|UNKNOWN-CA/);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    t.is(json.target.diagnosis.problem, 'weak-crypto');
    t.is(json.comparison.side, 'them');
    const machine = json.target.weakCrypto.refusedBy.find((r: { client: string }) =>
      r.client.startsWith("this machine's"),
    );
    if (machine) {
      // What the machine's own curl printed is what the record says its OpenSSL clients stop at.
      t.regex(
        report,
        new RegExp(
          `\\| curl on this machine[^|]*\\| refused the certificate \\(exit 60: curl: \\(60\\) SSL certificate problem: ${machine.message}`,
        ),
      );
    }
    const email = readFileSync(join(out, 'email.txt'), 'utf8');
    t.regex(email, /^To: the administrator of rsa-1024\.example\.com:\d+/);
    t.regex(email, /reissue the certificate served by rsa-1024\.example\.com:\d+ with a 2048-bit RSA/);
  },
);

test.serial('.tar.gz: the same files under one top folder, written by a real archiver', async (t) => {
  const server = await serve('expired');
  const out = outPath('expired-evidence.tar.gz');
  const result = await runCli([...evidenceArgs('expired', server.port, out), '--no-client-checks']);
  t.is(result.code, 1, result.stderr);
  t.is(statSync(out).mode & 0o777, 0o600);
  const listing = await exec('tar', ['-tzf', out]);
  t.is(listing.code, 0);
  const names = listing.stdout
    .trim()
    .split('\n')
    .filter((n) => !n.endsWith('/'))
    .sort();
  t.deepEqual(
    names,
    [
      'MANIFEST',
      'chain/0-expired.example.com.pem',
      'chain/0-expired.example.com.txt',
      'chain/1-Fixture_Public_CA_1.pem',
      'chain/1-Fixture_Public_CA_1.txt',
      'email.txt',
      'report.html',
      'report.json',
      'report.md',
      'served-chain.pem',
    ].map((n) => `expired-evidence/${n}`),
  );
  const unpacked = mkdtempSync(join(tmpdir(), 'tlswitness-unpacked-'));
  bundles.push(unpacked);
  t.is((await exec('tar', ['-xzf', out, '-C', unpacked])).code, 0);
  t.is((await exec('sha256sum', ['-c', 'MANIFEST'], join(unpacked, 'expired-evidence'))).code, 0);
  const email = readFileSync(join(unpacked, 'expired-evidence', 'email.txt'), 'utf8');
  t.regex(email, /Please renew the certificate "CN=expired\.example\.com" \(expired /);
});

test.serial(
  "evidence: a row for Python's certifi, and the conclusion names an old one (TLSWITNESS_CERTIFI_BUNDLE)",
  async (t) => {
    const server = await serve('valid');
    const out = outPath('certifi');
    const result = await runCli(
      [...evidenceArgs('valid', server.port, out), '--no-client-checks'],
      cleanEnv({ TLSWITNESS_CERTIFI_BUNDLE: fixtures.pki.files['corporate-root.pem']! }),
    );
    t.is(result.code, 0, result.stderr);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    t.true(
      json.comparison.rows.some(
        (r: { check: string; result: string }) =>
          /against Python's certifi/.test(r.check) && r.result === 'fails: UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      ),
    );
    t.regex(
      json.comparison.conclusion,
      /But for Python: the public roots verify this chain but your Python's certifi .*python3 -m pip install --upgrade certifi/,
    );
    t.regex(
      readFileSync(join(out, 'report.md'), 'utf8'),
      /\| valid\.example\.com:\d+ against Python's certifi \(requests' and httpx's default\) \| fails: UNABLE_TO_GET_ISSUER_CERT_LOCALLY \|/,
    );
  },
);

test.serial(
  'when the sanity host fails too, the bundle says it is probably us, and the email goes to IT',
  async (t) => {
    const server = await serve('unknownRoot');
    const broken = await serve('selfSigned');
    const out = outPath('us');
    const args = evidenceArgs('unknownRoot', server.port, out, broken.port);
    // The "sanity" name points at a server no store trusts.
    const result = await runCli([...args, '--no-client-checks']);
    t.is(result.code, 1, result.stderr);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    t.regex(report, /\| sanity host valid\.example\.com:\d+ \| fails: /);
    t.regex(report, /\*\*Conclusion:\*\* Probably our side/);
    t.regex(readFileSync(join(out, 'email.txt'), 'utf8'), /^To: IT support/);
  },
);

test.serial(
  'secrets given to it never reach the bundle: proxy credentials in flags and in the environment',
  async (t) => {
    const server = await serve('valid');
    const proxy = await startConnectProxy();
    const out = outPath('through-proxy');
    const host = 'valid.example.com';
    const env = cleanEnv({
      SSL_CERT_FILE: fixtures.pki.files['corporate-root.pem']!,
      CURL_CA_BUNDLE: fixtures.pki.files['corporate-root.pem']!,
      REQUESTS_CA_BUNDLE: fixtures.pki.files['corporate-root.pem']!,
      https_proxy: 'http://envuser:env-secret-42@127.0.0.1:1',
      HTTP_PROXY: 'http://other:also-secret-43@127.0.0.1:1',
    });
    try {
      const result = await runCli(
        [
          'evidence',
          `${host}:${server.port}`,
          '-o',
          out,
          '--public-roots',
          fixtures.pki.files['public-roots.pem']!,
          '--upstream-proxy',
          `http://flaguser:flag-secret-41@127.0.0.1:${proxy.port}`,
          '--sanity-host',
          'none',
          '--json',
        ],
        env,
      );
      // The chain verifies for the tool, but curl, python3 and requests use their own store (without the fixture root): a problem here.
      t.is(result.code, 1, result.stderr);
      t.is(JSON.parse(result.stdout).side, 'us');
      t.is(JSON.parse(result.stdout).outcome, 'clients-refuse');
      t.regex(
        JSON.parse(result.stdout).conclusion,
        /serves a chain that verifies, but curl, python3 and requests on this machine refuse it/,
      );
      t.deepEqual(
        proxy.authorizations.length >= 3,
        true,
        'the tool and the clients went through the proxy with credentials',
      );
      const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      t.is(json.environment.variables.https_proxy, 'http://***@127.0.0.1:1');
      t.is(json.target.via, 'upstream-proxy');
      const curl = json.clients.find((c: { client: string }) => c.client === 'curl');
      t.is(curl.accepted, false, 'curl reached the server through the proxy and judged it with its own store');
      const requests = json.clients.find((c: { client: string }) => c.client === 'requests');
      t.is(requests.accepted, false, 'requests reached the server through the proxy and judged it with its own bundle');
    } finally {
      await proxy.close();
    }
  },
);

test.serial('refuses to write into a folder that is not empty, and names it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-full-'));
  writeFileSync(join(dir, 'keep.txt'), 'mine');
  const result = await runCli(['evidence', '127.0.0.1:1', '-o', dir, '--sanity-host', 'none', '--no-client-checks']);
  t.is(result.code, 2);
  t.regex(result.stderr, new RegExp(`-o ${dir} already exists and is not an empty directory`));
  t.deepEqual(readdirSync(dir), ['keep.txt']);
});

test.serial(
  'an unreachable target: a bundle without a chain, an email to IT that claims no verification, a send line naming only its files, exit 3',
  async (t) => {
    const out = outPath('unreachable');
    const result = await runCli(['evidence', '127.0.0.1:1', '-o', out, '--sanity-host', 'none', '--no-client-checks']);
    t.is(result.code, 3, result.stderr);
    t.deepEqual(filesUnder(out), ['MANIFEST', 'email.txt', 'report.html', 'report.json', 'report.md']);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    t.regex(report, /No certificate was received/);
    t.regex(report, /\*\*Outcome:\*\* unreachable/);
    t.notRegex(report, /served-chain\.pem|`chain\/`/);
    const email = readFileSync(join(out, 'email.txt'), 'utf8');
    t.regex(email, /^To: IT support \/ network team\nSubject: Cannot connect to 127\.0\.0\.1:1 from this machine\n/);
    t.notRegex(email, /served-chain\.pem|fail TLS certificate verification|certificates exactly as the server sends/);
    t.regex(
      email,
      /a full report \(report\.md, report\.json\), the chain drawn as a page to open in a browser \(report\.html\)/,
    );
    t.regex(result.stdout, /^127\.0\.0\.1:1: UNREACHABLE: /);
    t.regex(result.stdout, /Send email\.txt \(a draft\) to IT support \/ network team, with report\.md attached/);
    t.notRegex(result.stdout, /served-chain/);
  },
);

test.serial(
  "a chain that verifies but this machine's curl and python3 refuse: our side everywhere, exit 1; trusted by them, ok with nothing to send, exit 0",
  async (t) => {
    const server = await serve('valid');
    const host = 'valid.example.com';
    const args = (out: string) => [
      'evidence',
      `${host}:${server.port}`,
      '-o',
      out,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `${host}:${server.port}:127.0.0.1`,
      '--sanity-host',
      'none',
    ];
    // The clients' own CA bundle is the corporate root only: they refuse the fixture's public chain.
    const corporate = fixtures.pki.files['corporate-root.pem']!;
    const refused = outPath('clients-refuse');
    const result = await runCli(
      args(refused),
      cleanEnv({ SSL_CERT_FILE: corporate, CURL_CA_BUNDLE: corporate, REQUESTS_CA_BUNDLE: corporate }),
    );
    t.is(result.code, 1, result.stderr);
    t.regex(
      result.stdout,
      new RegExp(
        `^${host}:${server.port}: the chain verifies, but curl, python3 and requests on this machine refuse it: our side`,
      ),
    );
    t.regex(
      result.stdout,
      /Send email\.txt \(a draft\) to IT support \/ network team, with report\.md and served-chain\.pem attached/,
    );
    const report = readFileSync(join(refused, 'report.md'), 'utf8');
    t.regex(report, /\*\*Outcome:\*\* our side: the chain verifies, but this machine's own clients refuse it/);
    t.regex(report, /\*\*Conclusion:\*\* Our side: /);
    t.notRegex(report, /nothing to fix/i);
    // --public-roots replaced Mozilla's: the table says which roots judged it.
    t.true(
      report.includes(
        `against the public roots from ${fixtures.pki.files['public-roots.pem']!} (--public-roots) | verifies |`,
      ),
      report,
    );
    t.notRegex(report, /Mozilla/);
    const email = readFileSync(join(refused, 'email.txt'), 'utf8');
    t.regex(email, /^To: IT support \/ network team$/m);
    t.regex(
      email,
      new RegExp(
        `^Subject: curl, python3 and requests on this machine refuse ${host}:${server.port}, whose certificate chain is valid$`,
        'm',
      ),
    );
    t.notRegex(email, /: ok$|nothing to fix|verification fails because of something on our side/m);

    const roots = fixtures.pki.files['public-roots.pem']!;
    const fine = outPath('clients-accept');
    const ok = await runCli(
      args(fine),
      cleanEnv({ SSL_CERT_FILE: roots, CURL_CA_BUNDLE: roots, REQUESTS_CA_BUNDLE: roots }),
    );
    t.is(ok.code, 0, ok.stderr);
    t.regex(ok.stdout, new RegExp(`^${host}:${server.port}: OK: `));
    t.regex(ok.stdout, /Nothing to send: no problem seen/);
    t.false(filesUnder(fine).includes('email.txt'));
    t.notRegex(readFileSync(join(fine, 'report.md'), 'utf8'), /email\.txt/);
  },
);

test.serial(
  'SSL_CERT_FILE trusts the root but REQUESTS_CA_BUNDLE does not: python3 accepts, requests refuses, not "no problem"; and the other way round',
  async (t) => {
    const server = await serve('valid');
    const host = 'valid.example.com';
    const roots = fixtures.pki.files['public-roots.pem']!;
    const corporate = fixtures.pki.files['corporate-root.pem']!;
    const args = (out: string) => [
      'evidence',
      `${host}:${server.port}`,
      '-o',
      out,
      '--public-roots',
      roots,
      '--resolve',
      `${host}:${server.port}:127.0.0.1`,
      '--sanity-host',
      'none',
    ];
    const out = outPath('requests-refuses');
    const result = await runCli(
      args(out),
      cleanEnv({
        SSL_CERT_FILE: roots,
        SSL_CERT_DIR: '/nonexistent/certs',
        CURL_CA_BUNDLE: roots,
        REQUESTS_CA_BUNDLE: corporate,
      }),
    );
    t.is(result.code, 1, result.stdout + result.stderr);
    t.regex(
      result.stdout,
      new RegExp(`^${host}:${server.port}: the chain verifies, but requests on this machine refuses it: our side`),
    );
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    // Both Python checks, each in its own row; requests names the bundle it read.
    t.regex(report, /\| python3 on this machine[^|]*\| accepted the certificate \(exit 0\)/);
    t.true(
      report.includes(`| requests on this machine, against ${host}:${server.port} | refused the certificate (exit 1: `),
      report,
    );
    t.true(report.includes(`CA bundle: ${corporate} (REQUESTS_CA_BUNDLE) |`), report);
    t.regex(report, /\| httpx on this machine[^|]*\| (not installed|accepted the certificate)/);

    const other = outPath('requests-accepts');
    const swapped = await runCli(
      args(other),
      cleanEnv({
        SSL_CERT_FILE: corporate,
        SSL_CERT_DIR: '/nonexistent/certs',
        CURL_CA_BUNDLE: roots,
        REQUESTS_CA_BUNDLE: roots,
      }),
    );
    t.is(swapped.code, 1, swapped.stdout + swapped.stderr);
    t.regex(swapped.stdout, /the chain verifies, but python3 on this machine refuses it/);
    const json = JSON.parse(readFileSync(join(other, 'report.json'), 'utf8'));
    const requests = json.clients.find((c: { client: string }) => c.client === 'requests');
    t.is(requests.accepted, true);
    t.is(requests.bundle, `${roots} (REQUESTS_CA_BUNDLE)`);
  },
);

// Runs last (every test in this file is serial, in order): reads every file of every bundle above.
test.serial('no bundle holds a private key or a secret value', async (t) => {
  const forbidden = [
    /PRIVATE KEY/,
    /flag-secret-41|env-secret-42|also-secret-43/,
    new RegExp(Buffer.from('flaguser:flag-secret-41').toString('base64')),
    ...Object.values(fixtures.pki.scenarios)
      .map((s) => s.keyPem.split('\n')[1]!)
      .map((line) => new RegExp(line.replace(/[+/]/g, '\\$&'))),
  ];
  let files = 0;
  for (const bundle of bundles) {
    let dirFiles: string[];
    try {
      if (!statSync(bundle).isDirectory()) continue;
      dirFiles = filesUnder(bundle);
    } catch {
      continue;
    }
    for (const file of dirFiles) {
      const content = readFileSync(join(bundle, file), 'latin1');
      files++;
      for (const pattern of forbidden) t.false(pattern.test(content), `${file} matches ${pattern}`);
    }
  }
  t.true(files >= 25, `read ${files} files`);
});
