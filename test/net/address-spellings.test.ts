// Host spellings → canonical addresses, as getaddrinfo and the URL parser read them.
import test from 'ava';
import {
  canonicalAddress,
  canonicalIpv6,
  isLoopbackName,
  isUnspecifiedAddress,
  parseIpv4Spelling,
} from '../../src/net/address-spellings.js';

test('every inet_aton spelling of 127.0.0.1 is 127.0.0.1', (t) => {
  for (const spelling of [
    '127.0.0.1',
    '127.1',
    '127.0.1',
    '2130706433',
    '0x7f.1',
    '0x7f000001',
    '017700000001',
    '0177.0.0.1',
    '127.0.0.1.',
    '127.0x0.0.01',
  ]) {
    t.is(canonicalAddress(spelling), '127.0.0.1', spelling);
  }
});

test('the short forms fill the remaining bytes from the last part', (t) => {
  t.is(parseIpv4Spelling('0'), '0.0.0.0');
  t.is(parseIpv4Spelling('1.2.3'), '1.2.0.3');
  t.is(parseIpv4Spelling('10.65535'), '10.0.255.255');
  t.is(parseIpv4Spelling('1.16777215'), '1.255.255.255');
  t.is(parseIpv4Spelling('4294967295'), '255.255.255.255');
});

test('what is not an IPv4 spelling is a name (null)', (t) => {
  for (const name of [
    '256.1',
    '1.16777216',
    '4294967296',
    '1.2.3.4.5',
    '08',
    '1..2',
    '.1',
    'example.com',
    'localhost',
    '127.0.0.1x',
    '',
    '0x1g',
    '1e3',
  ]) {
    t.is(canonicalAddress(name), null, name);
  }
});

test('IPv6: RFC 5952 text, brackets accepted, IPv4-mapped is the IPv4 address', (t) => {
  t.is(canonicalAddress('[::1]'), '::1');
  t.is(canonicalAddress('0:0:0:0:0:0:0:1'), '::1');
  t.is(canonicalAddress('::'), '::');
  t.is(canonicalAddress('[::ffff:127.0.0.1]'), '127.0.0.1');
  t.is(canonicalAddress('::FFFF:7F00:1'), '127.0.0.1');
  t.is(canonicalAddress('0:0:0:0:0:ffff:7f00:2'), '127.0.0.2');
  t.is(canonicalAddress('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  t.is(canonicalIpv6('fe80::1%eth0'), null, 'zone ids are not dialled here');
  t.is(canonicalIpv6('1:2:3'), null);
});

test('loopback names and unspecified addresses', (t) => {
  for (const name of ['localhost', 'LOCALHOST.', 'app.localhost', 'a.b.localhost.']) t.true(isLoopbackName(name), name);
  for (const name of ['localhost.example.com', 'notlocalhost', 'localhost..']) t.false(isLoopbackName(name), name);
  t.true(isUnspecifiedAddress('0.0.0.0'));
  t.true(isUnspecifiedAddress('::'));
  t.false(isUnspecifiedAddress('0.0.0.1'));
});
