// Interception: host classification, and verdicts against real servers.
import test from 'ava';
import { createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { makeTestCa, startLeafOnlyServers } from '../helpers/pki.js';
import { internalWithoutList, isPublicHost } from '../../src/diagnose/interception.js';
import { loadHostParser } from '../../src/record/host-parser.js';
import { cleanEnv, makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('public hosts: public suffixes and public IPs; a private DNS answer makes a name internal, a --resolve pin does not', async (t) => {
  const parse = await loadHostParser();
  const isPublic = (host: string, address: string | null, fromDns: boolean) =>
    isPublicHost(parse, host, address, fromDns);
  t.true(isPublic('api.example.com', null, false));
  t.true(isPublic('user.github.io', null, false));
  t.false(isPublic('intranet.corp', null, false));
  t.false(isPublic('printer.local', null, false));
  t.false(isPublic('localhost', null, false));
  t.true(isPublic('93.184.216.34', null, false));
  t.false(isPublic('10.1.2.3', null, false));
  t.false(isPublic('fe80::1', null, false));
  t.false(isPublic('api.example.com', '10.0.0.8', true), 'split-horizon DNS: internal');
  t.true(isPublic('api.example.com', '127.0.0.1', false), '--resolve: judged from the name');
});

test('internal without the public suffix list only where the list says internal too', async (t) => {
  const parse = await loadHostParser();
  const internal: Array<[string, string | null, boolean]> = [
    ['inspect.bench.test', null, false],
    ['printer.local', null, false],
    ['Printer.LOCAL', null, false],
    ['svc.internal', null, false],
    ['www.example', null, false],
    ['x.invalid', null, false],
    ['app.localhost', null, false],
    ['localhost', null, false],
    ['intranet', null, false],
    ['10.1.2.3', null, false],
    ['fe80::1', null, false],
    ['api.example.com', '10.0.0.8', true],
  ];
  for (const [host, address, fromDns] of internal) {
    t.true(internalWithoutList(host, address, fromDns), host);
    t.false(isPublicHost(parse, host, address, fromDns), `${host}: the list agrees`);
  }
  const listDecides: Array<[string, string | null, boolean]> = [
    ['api.example.com', null, false],
    ['intranet.corp', null, false],
    ['router.home.arpa', null, false],
    ['93.184.216.34', null, false],
    ['api.example.com', '127.0.0.1', false],
  ];
  for (const [host, address, fromDns] of listDecides) t.false(internalWithoutList(host, address, fromDns), host);
});

async function interceptorFor(host: string, caName: Array<{ type: string; value: string }>) {
  const ca = await makeTestCa(caName);
  const leaf = await ca.issue([host]);
  const server = createServer({ key: leaf.keyPem, cert: leaf.pem + ca.pem }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, caPem: ca.pem, close: () => server.close() };
}

test('inspect: a public-root chain is clean; the same host re-signed by a "Zscaler" CA is detected and named', async (t) => {
  const valid = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const zscaler = await interceptorFor('valid.example.com', [
    { type: 'C', value: 'US' },
    { type: 'O', value: 'Zscaler Inc.' },
    { type: 'OU', value: 'Zscaler Inc.' },
    { type: 'CN', value: 'Zscaler Root CA' },
  ]);
  try {
    const args = (port: number) => [
      'inspect',
      `valid.example.com:${port}`,
      '--json',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `valid.example.com:${port}:127.0.0.1`,
    ];
    const clean = await runCli(args(valid.port));
    t.is(clean.code, 0);
    t.false(JSON.parse(clean.stdout).interception.detected);
    const intercepted = await runCli(args(zscaler.port));
    const record = JSON.parse(intercepted.stdout);
    t.is(intercepted.code, 1);
    t.true(record.interception.detected);
    t.is(record.interception.product, 'Zscaler');
    t.is(record.diagnosis.liability, 'network');
    t.regex(record.diagnosis.summary, /re-signed by Zscaler/);
  } finally {
    valid.close();
    zscaler.close();
  }
});

test('a company CA on an internal name is a custom CA; one public name anchored only in an --extra-ca CA is possible interception, low confidence, verdict ok', async (t) => {
  const corporate = await startScenarioServer(fixtures.pki.scenarios.corporate!);
  const unnamed = await interceptorFor('api.example.com', [
    { type: 'O', value: 'Acme Corp' },
    { type: 'CN', value: 'Acme Corp Root' },
  ]);
  try {
    const internal = await runCli([
      'inspect',
      `intranet.corp:${corporate.port}`,
      '--json',
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--extra-ca',
      fixtures.pki.files['corporate-root.pem']!,
      '--resolve',
      `intranet.corp:${corporate.port}:127.0.0.1`,
    ]);
    const custom = JSON.parse(internal.stdout);
    t.is(internal.code, 0);
    t.false(custom.interception.detected);
    t.regex(custom.interception.reason, /custom \(company\) CA, not interception/);
    const corpRoot = `${fixtures.dir}/corp-root.pem`;
    writeFileSync(corpRoot, unnamed.caPem);
    const args = [
      'inspect',
      `https://api.example.com:${unnamed.port}/`,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--extra-ca',
      corpRoot,
      '--resolve',
      `api.example.com:${unnamed.port}:127.0.0.1`,
    ];
    const json = await runCli([...args, '--json']);
    const record = JSON.parse(json.stdout);
    t.is(json.code, 0, 'the exit code follows the verdict');
    t.is(record.diagnosis.problem, 'ok');
    t.is(record.diagnosis.liability, 'none');
    t.false(record.interception.detected);
    t.true(record.interception.possible);
    t.is(record.interception.confidence, 'low');
    t.regex(record.interception.reason, /internal server .* inspection proxy/);
    t.truthy(record.interception.evidence.anchorSpkiSha256);
    const text = await runCli(args);
    t.is(text.code, 0);
    t.regex(text.stdout, /Diagnosis: OK \(fault: none/);
    t.regex(text.stdout, /Interception: POSSIBLE, low confidence/);
    t.notRegex(text.stdout, /DETECTED|re-signed by an interceptor/);
  } finally {
    corporate.close();
    unnamed.close();
  }
});

const AVAST = [
  { type: 'OU', value: 'generated by Avast Antivirus for SSL/TLS scanning' },
  { type: 'O', value: 'Avast Web/Mail Shield' },
  { type: 'CN', value: 'Avast Web/Mail Shield Root' },
];

test('a leaf-only chain signed by "Avast Web/Mail Shield Root": inspect and evidence diagnose the interception (liability network), never a server missing its intermediate', async (t) => {
  const avast = await startLeafOnlyServers(['api.openai.com'], AVAST);
  const port = avast.ports[0]!;
  const common = [
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `api.openai.com:${port}:127.0.0.1`,
  ];
  try {
    const json = await runCli(['inspect', `api.openai.com:${port}`, '--json', ...common]);
    const record = JSON.parse(json.stdout);
    t.is(json.code, 1);
    t.is(record.verification.opensslCode, 21);
    t.true(record.interception.detected);
    t.is(record.interception.product, 'Avast');
    t.regex(record.interception.reason, /is the CA of Avast, an antivirus that re-signs TLS connections/);
    t.is(record.diagnosis.problem, 'unknown-ca');
    t.is(record.diagnosis.liability, 'network');
    t.regex(record.diagnosis.summary, /re-signed by Avast/);
    t.regex(record.diagnosis.action, /--extra-ca/);
    t.regex(record.diagnosis.action, /exception .* for api\.openai\.com/);
    t.regex(record.diagnosis.action, /turn Avast's HTTPS .*scanning off/);
    const text = await runCli(['inspect', `api.openai.com:${port}`, ...common]);
    t.regex(text.stdout, /Diagnosis: UNKNOWN-CA \(fault: network/);
    t.notRegex(text.stdout, /INCOMPLETE-CHAIN|fault: server|must serve the full chain/);
    t.regex(text.stdout, /Interception: DETECTED \(Avast\)/);

    const out = join(mkdtempSync(join(tmpdir(), 'tlswitness-avast-')), 'bundle');
    const evidence = await runCli([
      'evidence',
      `api.openai.com:${port}`,
      '-o',
      out,
      '--sanity-host',
      'none',
      '--no-client-checks',
      ...common,
    ]);
    t.is(evidence.code, 1, evidence.stderr);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    t.regex(report, /\*\*Problem:\*\* UNKNOWN-CA \(fault: network/);
    t.regex(
      report,
      /\*\*Conclusion:\*\* Our side \(network\): TLS to api\.openai\.com:\d+ is re-signed on this network by Avast.*Ask IT/,
    );
    t.notRegex(report, /fault: server|Their side/);
    const email = readFileSync(join(out, 'email.txt'), 'utf8');
    t.regex(email, /^To: IT support/m);
    t.regex(email, /TLS inspection \(Avast\)/);
    t.notRegex(email, /administrator of/);
  } finally {
    avast.close();
  }
});

test('an unknown CA re-signing a public name: with its root only in the OS store, or seen re-signing unrelated public hosts in one run, liability network', async (t) => {
  const acme = await startLeafOnlyServers(
    ['api.openai.com', 'pypi.org'],
    [
      { type: 'O', value: 'Acme Gateway' },
      { type: 'CN', value: 'Acme Inspection Root' },
    ],
  );
  const [openai, pypi] = acme.ports as [number, number];
  const publicRoots = ['--public-roots', fixtures.pki.files['public-roots.pem']!];
  try {
    // The OS store trusts it (IT installed it there): it verifies, and it is still the network's doing.
    const osBundle = join(fixtures.dir, 'os-store-with-acme.pem');
    writeFileSync(osBundle, acme.caPem);
    const inspected = await runCli(
      [
        'inspect',
        `api.openai.com:${openai}`,
        '--json',
        ...publicRoots,
        '--resolve',
        `api.openai.com:${openai}:127.0.0.1`,
      ],
      cleanEnv({ SSL_CERT_FILE: osBundle }),
    );
    const record = JSON.parse(inspected.stdout);
    t.is(inspected.code, 1);
    t.true(record.interception.detected);
    t.is(record.diagnosis.liability, 'network');
    t.regex(record.diagnosis.summary, /re-signed by an interceptor/);
    const out = join(mkdtempSync(join(tmpdir(), 'tlswitness-acme-')), 'bundle');
    const evidence = await runCli(
      [
        'evidence',
        `api.openai.com:${openai}`,
        '-o',
        out,
        '--sanity-host',
        'none',
        '--no-client-checks',
        ...publicRoots,
        '--resolve',
        `api.openai.com:${openai}:127.0.0.1`,
      ],
      cleanEnv({ SSL_CERT_FILE: osBundle }),
    );
    t.is(evidence.code, 1, evidence.stderr);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    t.regex(report, /\*\*Problem:\*\* OK \(fault: network/);
    t.regex(
      report,
      /\*\*Conclusion:\*\* Our side \(network\): TLS to api\.openai\.com:\d+ is re-signed on this network, so the server did not send this chain/,
    );
    t.regex(readFileSync(join(out, 'email.txt'), 'utf8'), /^To: IT support/m);

    // Untrusted anywhere, two unrelated public names under one issuer: both intercepted, whichever answered first.
    const detect = await runCli([
      'detect',
      `api.openai.com:${openai}`,
      `pypi.org:${pypi}`,
      '--json',
      ...publicRoots,
      '--resolve',
      `api.openai.com:${openai}:127.0.0.1`,
      '--resolve',
      `pypi.org:${pypi}:127.0.0.1`,
    ]);
    const result = JSON.parse(detect.stdout);
    t.is(detect.code, 1);
    t.is(result.verdict, 'intercepted');
    for (const target of result.targets) {
      t.true(target.interception.detected, target.target.host);
      t.is(target.diagnosis.liability, 'network', target.target.host);
      t.not(target.diagnosis.problem, 'incomplete-chain');
    }
  } finally {
    acme.close();
  }
});
