// RFC 3779 resources: decoding, canonical form and nesting from the leaf up, as OpenSSL 3.0 checks them.
import test from 'ava';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { encodeTlv } from '../../src/trust/der.js';
import { checkRfc3779, decodeAsIdentifiers, decodeIpAddrBlocks } from '../../src/trust/rfc3779.js';
import { caseCert } from '../helpers/verify-cases.js';

const IP_BLOCKS = '1.3.6.1.5.5.7.1.7';
const AS_IDS = '1.3.6.1.5.5.7.1.8';
const v4 = (...items: Buffer[]) =>
  encodeTlv(
    0x30,
    encodeTlv(0x30, encodeTlv(0x04, Buffer.from([0, 1])), items.length ? encodeTlv(0x30, ...items) : encodeTlv(0x05)),
  );
const prefix = (bytes: number[], unused = 0) => encodeTlv(0x03, Buffer.from([unused, ...bytes]));
const asIds = (...ids: number[]) =>
  encodeTlv(
    0x30,
    encodeTlv(
      0xa0,
      ids.length ? encodeTlv(0x30, ...ids.map((id) => encodeTlv(0x02, Buffer.from([id])))) : encodeTlv(0x05),
    ),
  );
const ext = (oid: string, valueDer: Buffer) => ({ extraExtensions: [{ oid, critical: true, valueDer }] });

async function errors(
  leafValue: [string, Buffer],
  interValue: [string, Buffer] | null,
  rootValue: [string, Buffer] | null = null,
): Promise<Array<[number, number]>> {
  const root = await caseCert('Root', null, { isCA: true, ...(rootValue ? ext(...rootValue) : {}) });
  const inter = await caseCert('Inter', root, { isCA: true, ...(interValue ? ext(...interValue) : {}) });
  const leaf = await caseCert('leaf', inter, ext(...leafValue));
  const out: Array<[number, number]> = [];
  checkRfc3779(
    [leaf, inter, root].map((c) => new ParsedCertificate(c.der)),
    (code, depth) => out.push([code, depth]),
  );
  return out;
}

test('decoding: prefixes, inherit, AS ids; a malformed value is null', (t) => {
  t.is(decodeIpAddrBlocks(v4(prefix([10])))![0]!.ranges!.length, 1);
  t.is(decodeIpAddrBlocks(v4())![0]!.ranges, null);
  t.deepEqual(decodeAsIdentifiers(asIds(5))!.asnum, [{ min: 5n, max: 5n, range: false }]);
  t.is(decodeIpAddrBlocks(encodeTlv(0x30, encodeTlv(0x30, encodeTlv(0x04, Buffer.from([0, 1]))))), null);
  t.is(
    decodeAsIdentifiers(
      encodeTlv(0x30, encodeTlv(0xa1, encodeTlv(0x02, Buffer.from([1]))), encodeTlv(0xa0, encodeTlv(0x05))),
    ),
    null,
  );
});

test('IP blocks: a leaf listing addresses its CAs lack is 46 at each of them; nested ones pass', async (t) => {
  t.deepEqual(await errors([IP_BLOCKS, v4(prefix([10]))], null), [
    [46, 1],
    [46, 2],
  ]);
  t.deepEqual(
    await errors([IP_BLOCKS, v4(prefix([10, 1]))], [IP_BLOCKS, v4(prefix([10]))], [IP_BLOCKS, v4(prefix([10]))]),
    [],
  );
  t.deepEqual(
    await errors([IP_BLOCKS, v4(prefix([11]))], [IP_BLOCKS, v4(prefix([10]))], [IP_BLOCKS, v4(prefix([10]))]),
    [
      [46, 1],
      [46, 2],
    ],
    'the leaf stays the child when not nested',
  );
  t.deepEqual(
    await errors([IP_BLOCKS, v4(prefix([10]))], [IP_BLOCKS, v4()], [IP_BLOCKS, v4()]),
    [[46, 3]],
    'the top cannot inherit',
  );
  t.deepEqual(
    await errors([IP_BLOCKS, v4(prefix([10]), prefix([9]))], [IP_BLOCKS, v4(prefix([]))], [IP_BLOCKS, v4(prefix([]))]),
    [[41, 0]],
    'out of order is not canonical',
  );
});

test('AS identifiers: the same rules', async (t) => {
  t.deepEqual(await errors([AS_IDS, asIds(5)], null), [
    [46, 1],
    [46, 2],
  ]);
  t.deepEqual(
    await errors([AS_IDS, asIds(5)], [AS_IDS, asIds(5)], [AS_IDS, asIds(4, 5)].map((x) => x) as [string, Buffer]),
    [[41, 2]],
  );
  t.deepEqual(await errors([AS_IDS, asIds(5)], [AS_IDS, asIds()], [AS_IDS, asIds(5, 7)]), []);
});
