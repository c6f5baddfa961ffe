// Name-constraint matching as OpenSSL 3.0's nc_match and its matchers (v3_ncons.c), rule by rule;
// the chain-level behaviour (every CA, self-issued skipping, the leaf CN) is in verify.test.ts.
import test from 'ava';
import { generalNameDer } from '../../src/ca/certificate-builder.js';
import { parseName } from '../../src/trust/canonical-name.js';
import { encodeTlv } from '../../src/trust/der.js';
import { decodeGeneralName, type GeneralName, type NameConstraints } from '../../src/trust/general-names.js';
import { ncMatch } from '../../src/trust/name-constraints.js';

const gn = (text: string | Buffer): GeneralName => {
  const der = generalNameDer(text);
  return decodeGeneralName({ tag: der[0]!, whole: der, value: der.subarray(2) })!;
};
const nc = (
  permitted: Array<string | Buffer>,
  excluded: Array<string | Buffer> = [],
  hasMinMax = false,
): NameConstraints => ({
  permitted: permitted.map((p) => ({ base: gn(p), hasMinMax })),
  excluded: excluded.map((p) => ({ base: gn(p), hasMinMax })),
});
const check = (name: string | Buffer, constraints: NameConstraints) => ncMatch(gn(name), constraints);

test('DNS: label-boundary suffix, no wildcard logic, no trailing-dot folding, empty bases', (t) => {
  t.is(check('DNS:a.example.com', nc(['DNS:example.com'])), 0);
  t.is(check('DNS:A.EXAMPLE.com', nc(['DNS:example.COM'])), 0);
  t.is(check('DNS:badexample.com', nc(['DNS:example.com'])), 47);
  t.is(check('DNS:example.com', nc(['DNS:.example.com'])), 47);
  t.is(check('DNS:x.example.com.', nc(['DNS:example.com'])), 47);
  t.is(check('DNS:*.example.com', nc([], ['DNS:example.com'])), 48);
  t.is(check('DNS:anything.test', nc([], ['DNS:'])), 48, 'an empty excluded base excludes everything');
  t.is(check('DNS:', nc(['DNS:example.com'])), 47, 'an empty dNSName fails a non-empty permitted base');
});

test('types are independent: constraints of another type do not restrict', (t) => {
  t.is(check('email:a@evil.test', nc(['DNS:good.test'])), 0);
  t.is(check('DNS:evil.test', nc(['email:good.test'])), 0);
  t.is(check('DNS:evil.test', nc([])), 0);
});

test('email: host-only, .suffix, local part, and addresses without @', (t) => {
  t.is(check('email:a@example.com', nc(['email:example.com'])), 0);
  t.is(check('email:a@mail.example.com', nc(['email:example.com'])), 47);
  t.is(check('email:a@mail.example.com', nc(['email:.example.com'])), 0);
  t.is(check('email:Bob@example.com', nc(['email:bob@example.com'])), 47, 'the local part is case-sensitive');
  t.is(check('email:bob@EXAMPLE.com', nc(['email:bob@example.com'])), 0);
  t.is(check('email:no-at-sign', nc(['email:example.com'])), 53);
  t.is(check('email:a@x.com', nc(['email:'])), 47, 'an empty base matches only addresses ending in @');
});

test('URI: the host between scheme:// and the port or path', (t) => {
  t.is(check('URI:https://www.good.test:8443/x', nc(['URI:www.good.test'])), 0);
  t.is(check('URI:https://a.good.test/x', nc(['URI:.good.test'])), 0);
  t.is(check('URI:https://good.test/x', nc(['URI:.good.test'])), 47);
  t.is(check('URI:urn:isbn:1', nc(['URI:good.test'])), 53);
  t.is(check('URI:https:///path', nc(['URI:good.test'])), 53);
  t.is(check('URI:https://good.test', nc(['URI:'])), 47);
});

test('IP: masks as given, IPv4 never matches IPv6, bad lengths are 53', (t) => {
  t.is(check('IP:10.1.2.3', nc(['IP:10.0.0.0/255.0.0.0'])), 0);
  t.is(check('IP:11.1.2.3', nc(['IP:10.0.0.0/255.0.0.0'])), 47);
  t.is(check('IP:10.1.2.3', nc(['IP:::/::'])), 47);
  t.is(check('IP:2001:db8::1', nc(['IP:2001:db8::/ffff:ffff::'])), 0);
  t.is(check(Buffer.from([0x87, 3, 10, 1, 2]), nc(['IP:10.0.0.0/255.0.0.0'])), 53, 'a 3-byte SAN');
  t.is(check('IP:10.1.2.3', nc([Buffer.from([0x87, 5, 10, 0, 0, 0, 255])])), 53, 'a 5-byte base');
});

test('directoryName: whole-RDN prefix of the canonical form; an empty base matches all', (t) => {
  const rdn = (oid: string, value: string) =>
    encodeTlv(0x31, encodeTlv(0x30, encodeTlv(0x06, Buffer.from(oid, 'hex')), encodeTlv(0x13, Buffer.from(value))));
  const dir = (...rdns: Buffer[]) => encodeTlv(0xa4, encodeTlv(0x30, ...rdns));
  const c = rdn('550406', 'US');
  const o = rdn('55040a', 'Good');
  t.is(check(dir(c, o, rdn('550403', 'x')), nc([dir(c, rdn('55040a', 'GOOD'))])), 0);
  t.is(check(dir(c, rdn('55040a', 'Evil')), nc([dir(c, o)])), 47);
  t.is(check(dir(c), nc([dir()])), 0);
  t.truthy(parseName(encodeTlv(0x30, c, o)));
});

test('minimum or maximum on a subtree of the same type is 49, even after a match; other types 51', (t) => {
  t.is(check('DNS:a.good.test', nc(['DNS:good.test'], [], true)), 49);
  t.is(check('email:a@b.test', nc(['DNS:good.test'], [], true)), 0, 'only subtrees of the same type count');
  const rid = Buffer.from([0x88, 3, 0x2a, 0x03, 0x04]);
  t.is(check(rid, nc([rid])), 51);
  t.is(check(rid, nc(['DNS:good.test'])), 0);
});

test('SmtpUTF8Mailbox otherNames meet email constraints; a .suffix base looks for two dots, as OpenSSL 3.0 does (measured)', (t) => {
  const smtp = (addr: string) =>
    encodeTlv(
      0xa0,
      encodeTlv(0x06, Buffer.from('2b06010505070809', 'hex')),
      encodeTlv(0xa0, encodeTlv(0x0c, Buffer.from(addr))),
    );
  t.is(check(smtp('a@example.com'), nc(['email:example.com'])), 0);
  t.is(check(smtp('a@mail.example.com'), nc(['email:example.com'])), 47);
  t.is(check(smtp('a@mail.example.com'), nc(['email:.example.com'])), 47);
  t.is(check(smtp('a@x..example.com'), nc(['email:.example.com'])), 0);
  t.is(check(smtp('a@example.com'), nc(['DNS:example.com'])), 0, 'DNS constraints do not apply');
});

test('a NUL both names share does not end the comparison (OpenSSL 3.0.19, measured; later versions stop there)', (t) => {
  t.is(
    check(
      Buffer.from([0x82, 7, 0x61, 0, 0x2e, 0x78, 0x2e, 0x63, 0x6f]),
      nc([Buffer.from([0x82, 7, 0x61, 0, 0x2e, 0x79, 0x2e, 0x63, 0x6f])]),
    ),
    47,
  );
  t.is(check(Buffer.from([0x82, 3, 0x61, 0x62, 0x63]), nc([Buffer.from([0x82, 3, 0x61, 0x62, 0x64])])), 47);
});
