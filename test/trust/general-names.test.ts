// GeneralNames and NameConstraints decoded as OpenSSL's templates accept them, null when not.
import test from 'ava';
import { generalNameDer } from '../../src/ca/certificate-builder.js';
import { encodeTlv } from '../../src/trust/der.js';
import {
  decodeGeneralName,
  decodeNameConstraints,
  decodeSubjectAltName,
  GEN_DIRNAME,
  GEN_DNS,
  GEN_IPADD,
  validInteger,
} from '../../src/trust/general-names.js';

test('SAN entries of each kind, and trailing bytes after the SEQUENCE ignored', (t) => {
  const value = Buffer.concat([
    encodeTlv(0x30, generalNameDer('DNS:a.test'), generalNameDer('IP:10.0.0.1'), encodeTlv(0xa4, encodeTlv(0x30))),
    Buffer.from([0, 0]),
  ]);
  const names = decodeSubjectAltName(value)!;
  t.deepEqual(
    names.map((n) => n.type),
    [GEN_DNS, GEN_IPADD, GEN_DIRNAME],
  );
  t.is(names[0]!.bytes.toString(), 'a.test');
  t.is(names[2]!.name!.canonical.length, 0);
});

test('malformed GeneralNames do not decode', (t) => {
  t.is(decodeSubjectAltName(Buffer.from([0x30, 0x05, 0x82, 0x09])), null, 'runs past its container');
  t.is(decodeSubjectAltName(encodeTlv(0x30, encodeTlv(0x89, Buffer.from('x')))), null, 'tag [9] does not exist');
  t.is(decodeGeneralName({ tag: 0xa2, whole: Buffer.alloc(0), value: Buffer.alloc(0) }), null, 'a constructed dNSName');
  t.is(decodeSubjectAltName(Buffer.alloc(0)), null);
});

test('name constraints: subtrees in order, minimum 0 accepted, other minimum or any maximum flagged', (t) => {
  const subtree = (...parts: Buffer[]) => encodeTlv(0x30, generalNameDer('DNS:good.test'), ...parts);
  const nc = decodeNameConstraints(
    encodeTlv(
      0x30,
      encodeTlv(0xa0, subtree(), subtree(encodeTlv(0x80, Buffer.from([0])))),
      encodeTlv(0xa1, subtree(encodeTlv(0x81, Buffer.from([5])))),
    ),
  )!;
  t.deepEqual(
    nc.permitted.map((s) => s.hasMinMax),
    [false, false],
  );
  t.deepEqual(
    nc.excluded.map((s) => s.hasMinMax),
    [true],
  );
  t.is(
    decodeNameConstraints(encodeTlv(0x30, encodeTlv(0xa1, subtree()), encodeTlv(0xa0, subtree()))),
    null,
    'excluded before permitted',
  );
  t.deepEqual(decodeNameConstraints(encodeTlv(0x30)), { permitted: [], excluded: [] });
});

test('INTEGER encodings OpenSSL 3 refuses', (t) => {
  t.false(validInteger(Buffer.alloc(0)));
  t.false(validInteger(Buffer.from([0, 1])));
  t.false(validInteger(Buffer.from([0xff, 0x80])));
  t.true(validInteger(Buffer.from([0, 0x80])));
});
