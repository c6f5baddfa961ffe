// The interception catalogue: its entries, and the names its rules match (and must not).
import test from 'ava';
import { rootCertificates } from 'node:tls';
import { matchCatalogue, nameAttributes } from '../../src/diagnose/interception-catalogue.js';
import catalogue from '../../src/diagnose/interception-catalogue.json' with { type: 'json' };
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { pemCertificates } from '../../src/trust/pem.js';

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
  for (const required of [
    'Zscaler',
    'Netskope',
    'Palo Alto Networks',
    'Fortinet FortiGate',
    'Blue Coat / Symantec ProxySG',
    'Cisco Umbrella',
    'Sophos',
    'Check Point',
    'Forcepoint / Websense',
    'McAfee / Skyhigh Web Gateway',
    'Kaspersky',
    'Avast',
    'AVG',
    'ESET',
    'Bitdefender',
    'Norton',
    'mitmproxy',
    'Charles',
    'Fiddler',
    'Burp Suite',
    'HTTP Toolkit',
    'tlswitness',
  ]) {
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
  t.is(
    product(
      'emailAddress=support@zscaler.com,CN=Zscaler Root CA,OU=Zscaler Inc.,O=Zscaler Inc.,L=San Jose,ST=California,C=US',
    ),
    'Zscaler',
  );
  t.is(product('CN=Zscaler Intermediate Root CA (zscloud.net) (t) ,OU=Zscaler Inc.,O=Zscaler Inc.'), 'Zscaler');
  t.is(
    product('CN=FG121GTK23000612,OU=Certificate Authority,O=Fortinet,L=Sunnyvale,ST=California,C=US'),
    'Fortinet FortiGate',
  );
  t.is(
    product('CN=fortinet-subca2001,OU=Certificate Authority,O=Fortinet'),
    null,
    'a genuine Fortinet device CA is not inspection',
  );
  t.is(product('CN=mitmproxy,O=mitmproxy'), 'mitmproxy');
  t.is(product('CN=mitmproxy'), null, 'both attributes are required');
  t.is(
    product('CN=PortSwigger CA,OU=PortSwigger CA,O=PortSwigger,L=PortSwigger,ST=PortSwigger,C=PortSwigger'),
    'Burp Suite',
  );
  t.is(product('CN=ca.ctm.eu.goskope.com'), 'Netskope');
  t.is(product('CN=Sophos SSL CA_ABCDEF123456789,OU=NSG,O=Sophos,C=GB'), 'Sophos');
  t.is(product('CN=tlswitness CA 6b07817f,OU=vm 6b07817f,O=tlswitness local CA'), 'tlswitness');
  t.is(
    product('CN=Symantec Class 3 Secure Server CA - G4,O=Symantec Corporation,C=US'),
    null,
    'Symantec is a public CA brand',
  );
  t.is(product('CN=Charles Proxy CA (12 Jan 2025\\, laptop),OU=https://charlesproxy.com/ssl,O=XK72 Ltd'), 'Charles');
});

test('RFC 4514 names split on unescaped commas and plus signs only', (t) => {
  t.deepEqual(nameAttributes('CN=a\\,b,O=x\\+y+OU=z,C=US'), [
    ['CN', 'a,b'],
    ['O', 'x+y'],
    ['OU', 'z'],
    ['C', 'US'],
  ]);
  t.deepEqual(nameAttributes('CN=k\\=v'), [['CN', 'k=v']]);
});
