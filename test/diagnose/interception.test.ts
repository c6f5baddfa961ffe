// Interception: the catalogue, host classification, and verdicts against real servers.
import test from 'ava';
import { createServer, rootCertificates } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { makeTestCa } from '../helpers/pki.js';
import { isPublicHost, loadHostParser, matchCatalogue, nameAttributes } from '../../src/diagnose/interception.js';
import catalogue from '../../src/diagnose/interception-catalogue.json' with { type: 'json' };
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test("no catalogue rule matches any root in Node's bundled Mozilla set", (t) => {
  t.true(rootCertificates.length > 100);
  for (const pem of rootCertificates) {
    const cert = new ParsedCertificate(pemCertificates(pem)[0]!);
    t.is(matchCatalogue(cert.subject), null, cert.subject);
    t.is(matchCatalogue(cert.issuer), null, cert.issuer);
  }
});

test('every catalogue entry has a kind, a status and its sources', (t) => {
  const products = catalogue.products.map((p) => p.product);
  for (const required of ['Zscaler', 'Netskope', 'Palo Alto Networks', 'Fortinet FortiGate', 'Blue Coat / Symantec ProxySG', 'Cisco Umbrella', 'Sophos', 'Check Point', 'Forcepoint / Websense', 'McAfee / Skyhigh Web Gateway', 'Kaspersky', 'Avast', 'AVG', 'ESET', 'Bitdefender', 'Norton', 'mitmproxy', 'Charles', 'Fiddler', 'Burp Suite', 'HTTP Toolkit', 'tlswitness']) {
    t.true(products.includes(required), required);
  }
  for (const entry of catalogue.products) {
    t.true(['corporate proxy', 'antivirus', 'debugging proxy'].includes(entry.kind), entry.product);
    t.true(['confirmed', 'seen', 'guessed'].includes(entry.status), entry.product);
    t.true(entry.sources.length > 0, entry.product);
  }
});

test('documented CA names match their product; near misses do not', (t) => {
  const product = (name: string) => matchCatalogue(name)?.product ?? null;
  t.is(product('emailAddress=support@zscaler.com,CN=Zscaler Root CA,OU=Zscaler Inc.,O=Zscaler Inc.,L=San Jose,ST=California,C=US'), 'Zscaler');
  t.is(product('CN=Zscaler Intermediate Root CA (zscloud.net) (t) ,OU=Zscaler Inc.,O=Zscaler Inc.'), 'Zscaler');
  t.is(product('CN=FG121GTK23000612,OU=Certificate Authority,O=Fortinet,L=Sunnyvale,ST=California,C=US'), 'Fortinet FortiGate');
  t.is(product('CN=fortinet-subca2001,OU=Certificate Authority,O=Fortinet'), null, 'a genuine Fortinet device CA is not inspection');
  t.is(product('CN=mitmproxy,O=mitmproxy'), 'mitmproxy');
  t.is(product('CN=mitmproxy'), null, 'both attributes are required');
  t.is(product('CN=PortSwigger CA,OU=PortSwigger CA,O=PortSwigger,L=PortSwigger,ST=PortSwigger,C=PortSwigger'), 'Burp Suite');
  t.is(product('CN=ca.ctm.eu.goskope.com'), 'Netskope');
  t.is(product('CN=Sophos SSL CA_ABCDEF123456789,OU=NSG,O=Sophos,C=GB'), 'Sophos');
  t.is(product('CN=tlswitness CA 6b07817f,OU=vm 6b07817f,O=tlswitness local CA'), 'tlswitness');
  t.is(product('CN=Symantec Class 3 Secure Server CA - G4,O=Symantec Corporation,C=US'), null, 'Symantec is a public CA brand');
  t.is(product('CN=Charles Proxy CA (12 Jan 2025\\, laptop),OU=https://charlesproxy.com/ssl,O=XK72 Ltd'), 'Charles');
});

test('RFC 4514 names split on unescaped commas and plus signs only', (t) => {
  t.deepEqual(nameAttributes('CN=a\\,b,O=x\\+y+OU=z,C=US'), [['CN', 'a,b'], ['O', 'x+y'], ['OU', 'z'], ['C', 'US']]);
  t.deepEqual(nameAttributes('CN=k\\=v'), [['CN', 'k=v']]);
});

test('public hosts: public suffixes and public IPs; a private DNS answer makes a name internal, a --resolve pin does not', async (t) => {
  const parse = await loadHostParser();
  const isPublic = (host: string, address: string | null, fromDns: boolean) => isPublicHost(parse, host, address, fromDns);
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

async function interceptorFor(host: string, caName: Array<{ type: string; value: string }>) {
  const ca = await makeTestCa(caName);
  const leaf = await ca.issue([host]);
  const server = createServer({ key: leaf.keyPem, cert: leaf.pem + ca.pem }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, caPem: ca.pem, close: () => server.close() };
}

test('inspect: a public-root chain is clean; the same host re-signed by a "Zscaler" CA is detected and named', async (t) => {
  const valid = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const zscaler = await interceptorFor('valid.example.com', [{ type: 'C', value: 'US' }, { type: 'O', value: 'Zscaler Inc.' }, { type: 'OU', value: 'Zscaler Inc.' }, { type: 'CN', value: 'Zscaler Root CA' }]);
  try {
    const args = (port: number) => ['inspect', `valid.example.com:${port}`, '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--resolve', `valid.example.com:${port}:127.0.0.1`];
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

test('a company CA on an internal name is a custom CA; a private root trusted only by --extra-ca on a public name is interception', async (t) => {
  const corporate = await startScenarioServer(fixtures.pki.scenarios.corporate!);
  const unnamed = await interceptorFor('shop.example.com', [{ type: 'O', value: 'Acme Gateway' }, { type: 'CN', value: 'Acme Inspection Root' }]);
  try {
    const internal = await runCli(['inspect', `intranet.corp:${corporate.port}`, '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--extra-ca', fixtures.pki.files['corporate-root.pem']!, '--resolve', `intranet.corp:${corporate.port}:127.0.0.1`]);
    const custom = JSON.parse(internal.stdout);
    t.is(internal.code, 0);
    t.false(custom.interception.detected);
    t.regex(custom.interception.reason, /custom \(company\) CA, not interception/);
    const { writeFileSync } = await import('node:fs');
    const acme = `${fixtures.dir}/acme-root.pem`;
    writeFileSync(acme, unnamed.caPem);
    const publicName = await runCli(['inspect', `shop.example.com:${unnamed.port}`, '--json', '--public-roots', fixtures.pki.files['public-roots.pem']!, '--extra-ca', acme, '--resolve', `shop.example.com:${unnamed.port}:127.0.0.1`]);
    const record = JSON.parse(publicName.stdout);
    t.is(publicName.code, 1);
    t.true(record.interception.detected);
    t.is(record.interception.product, null);
    t.regex(record.interception.reason, /private root trusted only by the extra store/);
    t.truthy(record.interception.evidence.anchorSpkiSha256);
  } finally {
    corporate.close();
    unnamed.close();
  }
});
