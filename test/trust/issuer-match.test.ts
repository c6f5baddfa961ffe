// likely_issued and certificate times, as OpenSSL 3.0 decides them.
import test from 'ava';
import { encodeTlv } from '../../src/trust/der.js';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { bestIssuer, likelyIssued, timeErrors, validAt } from '../../src/trust/issuer-match.js';
import { caseCert } from '../helpers/verify-cases.js';

const parse = (c: { der: Buffer }) => new ParsedCertificate(c.der);
const akid = (...parts: Buffer[]) => ({
  omitAuthorityKeyId: true,
  extraExtensions: [{ oid: '2.5.29.35', critical: false, valueDer: encodeTlv(0x30, ...parts) }],
});

test('names, AKID keyId against an SKID only, serial, and the first directoryName', async (t) => {
  const ca = await caseCert('Issuer', null, { isCA: true, serialHex: '0a' });
  const noSkid = await caseCert('Issuer', null, { isCA: true, omitSubjectKeyId: true, serialHex: '0a' });
  const other = await caseCert('Other', null, { isCA: true });
  const leaf = parse(await caseCert('leaf', ca, akid(encodeTlv(0x80, Buffer.alloc(20, 9)))));
  t.false(likelyIssued(parse(ca), leaf), 'keyId differs from the SKID');
  t.true(likelyIssued(parse(noSkid), leaf), 'no SKID: any keyId is accepted');
  t.false(likelyIssued(parse(other), parse(await caseCert('leaf', ca))), 'another name');
  t.false(
    likelyIssued(parse(noSkid), parse(await caseCert('leaf', noSkid, akid(encodeTlv(0x82, Buffer.from([0x0b])))))),
    'serial differs',
  );
  t.true(
    likelyIssued(parse(noSkid), parse(await caseCert('leaf', noSkid, akid(encodeTlv(0x82, Buffer.from([0x0a])))))),
  );
  t.false(
    likelyIssued(
      parse(noSkid),
      parse(await caseCert('leaf', noSkid, akid(encodeTlv(0xa1, encodeTlv(0xa4, encodeTlv(0x30)))))),
    ),
    "a directoryName that is not the issuer's issuer",
  );
});

test('a certificate with a malformed extension neither issues nor is issued, and is never self-signed', async (t) => {
  const bad = {
    extraExtensions: [{ oid: '2.5.29.17', critical: false, valueDer: Buffer.from([0x30, 0x05, 0x82, 0x09]) }],
  };
  const ca = await caseCert('Issuer', null, { isCA: true, ...bad });
  t.false(parse(ca).selfSigned);
  t.false(likelyIssued(parse(ca), parse(await caseCert('leaf', ca))));
  const good = await caseCert('Good', null, { isCA: true });
  t.false(likelyIssued(parse(good), parse(await caseCert('leaf', good, bad))));
});

test('validity to the second: notBefore is valid, notAfter is expired; both errors are reported', async (t) => {
  const at = new Date('2030-01-01T00:00:00Z');
  const cert = parse(await caseCert('x', null, { notBefore: at, notAfter: new Date(at.getTime() + 60_000) }));
  t.true(validAt(cert, new Date(at.getTime() + 999)));
  t.deepEqual(timeErrors(cert, new Date(at.getTime() - 1000)), [9]);
  t.deepEqual(timeErrors(cert, new Date(at.getTime() + 60_000)), [10]);
  const inverted = parse(await caseCert('y', null, { notBefore: new Date(at.getTime() + 60_000), notAfter: at }));
  t.deepEqual(timeErrors(inverted, new Date(at.getTime() + 1000)), [9, 10]);
});

test('best issuer: the first valid now, else the one expiring last', async (t) => {
  const now = new Date();
  const key = await caseCert('CA', null, { isCA: true });
  const sibling = (days: number) =>
    caseCert('CA', null, {
      isCA: true,
      omitSubjectKeyId: true,
      notBefore: new Date(now.getTime() - 10 * 86_400_000),
      notAfter: new Date(now.getTime() + days * 86_400_000),
    });
  const expiredEarly = parse(await sibling(-5));
  const expiredLate = parse(await sibling(-1));
  const leaf = parse(await caseCert('leaf', key, { omitAuthorityKeyId: true }));
  t.is(bestIssuer(leaf, [{ cert: expiredEarly }, { cert: expiredLate }], now)?.cert, expiredLate);
  t.is(bestIssuer(leaf, [{ cert: expiredLate }, { cert: parse(key) }], now)?.cert.der, key.der);
});
