// check_extensions: X509_check_ca results and the SSL-server purpose, which verify.test.ts exercises on chains.
import test from 'ava';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { checkCa, checkExtensions, serverPurposeAllowed } from '../../src/trust/extension-checks.js';
import { caseCert } from '../helpers/verify-cases.js';

const details = async (...args: Parameters<typeof caseCert>) =>
  new ParsedCertificate((await caseCert(...args)).der).details;

test('X509_check_ca: 1 cA, 0 cA false or no keyCertSign, 4 keyCertSign without basicConstraints, 3 v1 self-signed', async (t) => {
  t.is(checkCa(await details('a', null, { isCA: true })), 1);
  t.is(checkCa(await details('b', null, { isCA: true, keyUsage: ['digitalSignature'] })), 0);
  t.is(checkCa(await details('c', null, { isCA: false, keyUsage: ['keyCertSign'] })), 0);
  t.is(checkCa(await details('d', null, { omitBasicConstraints: true, keyUsage: ['keyCertSign'] })), 4);
  t.is(checkCa(await details('e', null, { v1: true })), 3);
  t.is(checkCa(await details('f', null, { omitBasicConstraints: true, keyUsage: null })), 0);
});

test('the SSL-server purpose: leaf EKU and keyUsage, CA EKU; a malformed certificate passes it', async (t) => {
  t.true(serverPurposeAllowed(await details('leaf', null), false));
  t.false(serverPurposeAllowed(await details('leaf', null, { extKeyUsage: ['clientAuth'] }), false));
  t.false(serverPurposeAllowed(await details('leaf', null, { keyUsage: ['cRLSign'] }), false));
  t.false(serverPurposeAllowed(await details('ca', null, { isCA: true, extKeyUsage: ['clientAuth'] }), true));
  t.true(
    serverPurposeAllowed(
      await details('bad', null, {
        extKeyUsage: ['clientAuth'],
        extraExtensions: [{ oid: '2.5.29.17', critical: false, valueDer: Buffer.from([0x30, 0x01]) }],
      }),
      false,
    ),
  );
});

test('path length counts certificates that are not self-issued, and the leaf never', async (t) => {
  const root = await caseCert('Root', null, { isCA: true, pathLen: 0 });
  const rollover = await caseCert('Root', root, { isCA: true });
  const leaf = await caseCert('leaf', rollover);
  const reports: Array<[number, number]> = [];
  checkExtensions(
    [leaf, rollover, root].map((c) => new ParsedCertificate(c.der)),
    (code, depth) => reports.push([code, depth]),
  );
  t.deepEqual(reports, []);
  const inter = await caseCert('Inter', root, { isCA: true });
  checkExtensions(
    [await caseCert('leaf', inter), inter, root].map((c) => new ParsedCertificate(c.der)),
    (code, depth) => reports.push([code, depth]),
  );
  t.deepEqual(reports, [[25, 2]]);
});
