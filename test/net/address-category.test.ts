// Which AIA targets may be fetched, judged on injected addresses: loopback-only tests cannot show
// a public host, so the "public host names an internal URL" rule is checked here.
import test from 'ava';
import {
  addressCategory,
  aiaRefusal,
  isLoopbackAddress,
  type AddressCategory,
} from '../../src/net/address-category.js';

test('categories, in any spelling of the address', (t) => {
  const cases: Array<[string, AddressCategory | null]> = [
    ['93.184.216.34', 'public'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.0.0.2', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['localhost', 'loopback'],
    ['aia.localhost', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.10', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['0.0.0.0', 'this-network'],
    ['0', 'this-network'],
    ['::', 'this-network'],
    ['224.0.0.251', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['[64:ff9b::a9fe:a9fe]', 'metadata'],
    ['[2002:7f00:1::]', 'loopback'],
    ['[::10.1.2.3]', 'private'],
    ['192.0.0.192', 'metadata'],
    ['198.18.0.1', 'reserved'],
    ['ca.example.com', null],
  ];
  for (const [address, category] of cases) t.is(addressCategory(address), category, address);
});

test('a public host: its AIA URL may name public addresses only', (t) => {
  t.is(aiaRefusal('93.184.216.34', 'public'), null);
  for (const address of [
    '127.0.0.1',
    '10.0.0.5',
    '192.168.1.1',
    '172.16.0.1',
    'fd00::1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '169.254.169.254',
    '::1',
  ]) {
    t.truthy(aiaRefusal(address, 'public'), address);
  }
  t.regex(
    aiaRefusal('10.0.0.5', 'public')!,
    /10\.0\.0\.5 is a private address and the inspected host is not known to be internal/,
  );
});

test('an internal host: its own kind of network too, never metadata, "this network" or multicast', (t) => {
  t.is(aiaRefusal('127.0.0.2', 'loopback'), null);
  t.is(aiaRefusal('192.168.1.1', 'private'), null, 'a lab on 10.x naming its CA on 192.168.x');
  t.is(aiaRefusal('93.184.216.34', 'private'), null);
  t.regex(aiaRefusal('127.0.0.1', 'private')!, /loopback address and the inspected host is a private one/);
  t.truthy(aiaRefusal('10.0.0.1', 'loopback'));
  for (const host of ['link-local', 'loopback', 'private'] as const) {
    t.regex(aiaRefusal('169.254.169.254', host)!, /metadata address: never fetched/);
    t.regex(aiaRefusal('0.0.0.0', host)!, /this-network address: never fetched/);
  }
});

test('loopback, the one test for every caller (the proxy listener guard, its own-address check)', (t) => {
  for (const host of [
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '[::1]',
    'localhost',
    'LOCALHOST',
    'app.localhost',
    '127.1',
    '::ffff:127.0.0.1',
  ])
    t.true(isLoopbackAddress(host), host);
  for (const host of ['128.0.0.1', '0.0.0.0', '::', '10.0.0.1', 'localhost.example.com', 'example.com', '::2'])
    t.false(isLoopbackAddress(host), host);
});
