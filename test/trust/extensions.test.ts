// Extensions as OpenSSL caches them: what makes a certificate invalid, what is an unhandled critical one.
import test from 'ava';
import { encodeTlv } from '../../src/trust/der.js';
import { decodeExtensions, KU, OID, XKU, type RawExtension } from '../../src/trust/extensions.js';

const bc = (ca: boolean, pathLen?: Buffer) =>
  encodeTlv(
    0x30,
    ...(ca ? [encodeTlv(0x01, Buffer.from([0xff]))] : []),
    ...(pathLen ? [encodeTlv(0x02, pathLen)] : []),
  );
const ext = (oid: string, value: Buffer, critical = false): RawExtension => ({ oid, critical, value });

test('a valid set: bits, EKU flags, pathLen', (t) => {
  const e = decodeExtensions([
    ext(OID.basicConstraints, bc(true, Buffer.from([2])), true),
    ext(OID.keyUsage, Buffer.from([0x03, 0x02, 0x01, 0x06]), true),
    ext(OID.extKeyUsage, encodeTlv(0x30, encodeTlv(0x06, Buffer.from('2b06010505070301', 'hex')))),
  ]);
  t.false(e.invalid);
  t.deepEqual(e.basicConstraints, { present: true, critical: true, ca: true, pathLen: 2 });
  t.is(e.keyUsageBits, KU.keyCertSign | KU.cRLSign);
  t.is(e.extKeyUsageBits, XKU.sslServer);
  t.is(e.unhandledCritical, null);
});

test('EXFLAG_INVALID: undecodable, duplicated, negative pathLen, empty keyUsage', (t) => {
  t.true(decodeExtensions([ext(OID.subjectAltName, Buffer.from([0x30, 0x05, 0x82, 0x09]))]).invalid);
  t.true(
    decodeExtensions([
      ext(OID.subjectKeyId, encodeTlv(0x04, Buffer.from([1]))),
      ext(OID.subjectKeyId, encodeTlv(0x04, Buffer.from([1]))),
    ]).invalid,
  );
  t.true(decodeExtensions([ext(OID.basicConstraints, bc(true, Buffer.from([0xff])))]).invalid);
  t.true(decodeExtensions([ext(OID.keyUsage, Buffer.from([0x03, 0x01, 0x00]))]).invalid);
  t.true(
    decodeExtensions([ext(OID.crlDistributionPoints, encodeTlv(0x30, encodeTlv(0x30)))]).invalid,
    'a distribution point with neither name nor issuer',
  );
});

test('extensions OpenSSL does not decode stay harmless unless critical', (t) => {
  const garbage = Buffer.from([0x30, 0x10, 0x30]);
  t.false(
    decodeExtensions([ext(OID.authorityInfoAccess, garbage), ext(OID.issuerAltName, garbage), ext('1.2.3.4', garbage)])
      .invalid,
  );
  t.is(decodeExtensions([ext(OID.authorityInfoAccess, garbage, true)]).unhandledCritical, OID.authorityInfoAccess);
  t.is(decodeExtensions([ext(OID.authorityKeyId, encodeTlv(0x30), true)]).unhandledCritical, OID.authorityKeyId);
  t.is(
    decodeExtensions([ext(OID.nameConstraints, encodeTlv(0x30), true), ext(OID.certificatePolicies, garbage, true)])
      .unhandledCritical,
    null,
  );
});

test('AKID fields: keyId, first directoryName, serial', (t) => {
  const akid = decodeExtensions([
    ext(
      OID.authorityKeyId,
      encodeTlv(
        0x30,
        encodeTlv(0x80, Buffer.from([1, 2])),
        encodeTlv(0xa1, encodeTlv(0xa4, encodeTlv(0x30))),
        encodeTlv(0x82, Buffer.from([5])),
      ),
    ),
  ]).authorityKeyId!;
  t.deepEqual([...akid.keyId!], [1, 2]);
  t.is(akid.issuerName!.canonical.length, 0);
  t.deepEqual([...akid.serial!], [5]);
});
