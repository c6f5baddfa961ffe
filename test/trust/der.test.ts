// The hand-walked DER reader behind certificate parsing: right on real certificates (checked against
// the previous ASN.1-library parser on 342 certificates when it was written), strict on bad input.
import test from 'ava';
import { rootCertificates } from 'node:tls';
import { children, decodeOid, decodeString, decodeTime, DerError, readTlv } from '../../src/trust/der.js';
import { formatNameDer, readTbsFields } from '../../src/trust/x509-fields.js';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { pemCertificates } from '../../src/trust/pem.js';

test('OIDs, times and string types decode as X.690 and RFC 5280 say', (t) => {
  t.is(decodeOid(Buffer.from('2a864886f70d01010b', 'hex')), '1.2.840.113549.1.1.11');
  t.is(decodeOid(Buffer.from('551d13', 'hex')), '2.5.29.19');
  t.is(
    decodeTime({ tag: 0x17, whole: Buffer.alloc(0), value: Buffer.from('491231235959Z') }).toISOString(),
    '2049-12-31T23:59:59.000Z',
  );
  t.is(
    decodeTime({ tag: 0x17, whole: Buffer.alloc(0), value: Buffer.from('500101000000Z') }).toISOString(),
    '1950-01-01T00:00:00.000Z',
  );
  t.is(
    decodeTime({ tag: 0x18, whole: Buffer.alloc(0), value: Buffer.from('20500101000000Z') }).toISOString(),
    '2050-01-01T00:00:00.000Z',
  );
  t.is(decodeString({ tag: 0x1e, whole: Buffer.alloc(0), value: Buffer.from('00e9004100', 'hex') }), 'éA');
  t.is(decodeString({ tag: 0x0c, whole: Buffer.alloc(0), value: Buffer.from('Zürich') }), 'Zürich');
  t.is(decodeString({ tag: 0x04, whole: Buffer.alloc(0), value: Buffer.from('x') }), null);
});

test('a Name with an escaped comma, a multi-valued RDN and a non-string value', (t) => {
  // SEQUENCE { SET { C=US }, SET { O="Acme, Inc." + OU=IT }, SET { CN=OCTET STRING 01 } }
  const atv = (oid: string, tag: number, value: Buffer) => {
    const o = Buffer.concat([Buffer.from([0x06, oid.length / 2]), Buffer.from(oid, 'hex')]);
    const v = Buffer.concat([Buffer.from([tag, value.length]), value]);
    return Buffer.concat([Buffer.from([0x30, o.length + v.length]), o, v]);
  };
  const set = (...items: Buffer[]) =>
    Buffer.concat([Buffer.from([0x31, items.reduce((n, b) => n + b.length, 0)]), ...items]);
  const rdns = [
    set(atv('550406', 0x13, Buffer.from('US'))),
    set(atv('55040a', 0x0c, Buffer.from('Acme, Inc.')), atv('55040b', 0x0c, Buffer.from('IT'))),
    set(atv('550403', 0x04, Buffer.from([1]))),
  ];
  const name = Buffer.concat([Buffer.from([0x30, rdns.reduce((n, b) => n + b.length, 0)]), ...rdns]);
  t.is(formatNameDer(name), 'CN=#040101,O=Acme\\, Inc.+OU=IT,C=US');
});

test('malformed DER throws DerError, never reads past the buffer', (t) => {
  t.throws(() => readTlv(Buffer.from([0x30])), { instanceOf: DerError });
  t.throws(() => readTlv(Buffer.from([0x30, 0x05, 0x01])), { instanceOf: DerError, message: /runs past/ });
  t.throws(() => readTlv(Buffer.from([0x30, 0x85, 1, 1, 1, 1, 1])), { instanceOf: DerError, message: /bad length/ });
  t.throws(() => children(Buffer.from([0x02, 0x01])), { instanceOf: DerError });
  const der = pemCertificates(rootCertificates[0]!)[0]!;
  for (const cut of [1, 10, 100, der.length - 1])
    t.throws(() => readTbsFields(der.subarray(0, cut)), { instanceOf: DerError });
});

test('every bundled Mozilla root: the DER read agrees with X509Certificate on names and dates', (t) => {
  for (const pem of rootCertificates) {
    const cert = new ParsedCertificate(pemCertificates(pem)[0]!);
    t.is(cert.notAfter.getTime(), Date.parse(cert.x509.validTo));
    t.is(cert.notBefore.getTime(), Date.parse(cert.x509.validFrom));
    // X509Certificate prints names one attribute per line, least specific first.
    const cn = /^CN=(.*)$/m.exec(cert.x509.subject)?.[1];
    if (cn && !cn.includes('\\'))
      t.true(cert.subject.includes(`CN=${cn.replace(/([,+"<>;=])/g, '\\$1')}`), `${cert.subject} vs ${cn}`);
    t.is(cert.basicConstraints.ca, cert.x509.ca);
  }
});
