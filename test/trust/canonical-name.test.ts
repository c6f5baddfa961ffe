// Names compared as OpenSSL's X509_NAME_cmp compares them.
import test from 'ava';
import { parseName, stringToUtf8 } from '../../src/trust/canonical-name.js';
import { encodeTlv } from '../../src/trust/der.js';

const CN = Buffer.from('550403', 'hex');
const O = Buffer.from('55040a', 'hex');
const atv = (oid: Buffer, tag: number, value: Buffer | string) =>
  encodeTlv(0x30, encodeTlv(0x06, oid), encodeTlv(tag, Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1')));
const name = (...rdns: Buffer[][]) => encodeTlv(0x30, ...rdns.map((rdn) => encodeTlv(0x31, ...rdn)));
const canon = (der: Buffer) => parseName(der)!.canonical;

test('ASCII case, leading, trailing and repeated white space fold away; string types convert to UTF-8', (t) => {
  const a = canon(name([atv(CN, 0x13, 'Example  Root CA')]));
  t.true(a.equals(canon(name([atv(CN, 0x0c, ' example\troot ca ')]))));
  t.true(
    a.equals(canon(name([atv(CN, 0x1e, Buffer.from('\0E\0x\0a\0m\0p\0l\0e\0 \0R\0o\0o\0t\0 \0C\0A'))]))),
    'BMPString',
  );
  t.false(a.equals(canon(name([atv(CN, 0x0c, 'Example Root CA2')]))));
});

test('non-ASCII letters are not case-folded; NumericString is kept as it is', (t) => {
  t.false(canon(name([atv(CN, 0x0c, Buffer.from('É'))])).equals(canon(name([atv(CN, 0x0c, Buffer.from('é'))]))));
  t.false(canon(name([atv(CN, 0x12, '123')])).equals(canon(name([atv(CN, 0x13, '123')]))));
});

test('a multi-valued RDN compares whatever the order of its attributes; RDN order matters', (t) => {
  const x = atv(O, 0x13, 'Org');
  const y = atv(CN, 0x13, 'Name');
  t.true(canon(name([x, y])).equals(canon(name([y, x]))));
  t.false(canon(name([x], [y])).equals(canon(name([y], [x]))));
});

test('an empty name has an empty canonical form; a malformed one does not parse', (t) => {
  t.is(canon(encodeTlv(0x30)).length, 0);
  t.is(parseName(Buffer.from([0x30, 0x03, 0x31, 0x01])), null);
  t.is(parseName(name([atv(CN, 0x0c, Buffer.from([0xc3]))])), null, 'invalid UTF-8');
  t.is(
    stringToUtf8({ tag: 0x1e, whole: Buffer.alloc(0), value: Buffer.from([0, 0x41, 0]) }),
    null,
    'odd-length BMPString',
  );
});
