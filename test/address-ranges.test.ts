// The one range table: each category, and IPv6 forms that carry an IPv4 address judged by that address.
import test from 'ava';
import { ipCategory, type AddressCategory } from '../src/address-ranges.js';
import { isPublicAddress } from '../src/diagnose/interception.js';

const CASES: Array<[string, AddressCategory | null]> = [
  ['93.184.216.34', 'public'],
  ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
  ['10.0.0.1', 'private'],
  ['::1', 'loopback'],
  ['::', 'this-network'],
  ['ff02::1', 'reserved'],
  ['239.1.2.3', 'reserved'],
  // RFC 6890 special-purpose blocks: IETF protocol assignments (Oracle Cloud metadata at .192), benchmarking.
  ['192.0.0.8', 'reserved'],
  ['192.0.0.192', 'metadata'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.20.0.1', 'public'],
  ['192.0.1.1', 'public'],
  // IPv4-mapped.
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:a00:1', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:8.8.8.8', 'public'],
  // NAT64 well-known prefix (RFC 6052) and local-use prefix (RFC 8215).
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b:1::192.168.1.1', 'private'],
  ['64:ff9b:1::8.8.8.8', 'private'],
  // 6to4 (RFC 3056): 2002:AABB:CCDD::.
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::', 'metadata'],
  ['2002:0a00:0001:1::5', 'private'],
  ['2002:808:808::1', 'public'],
  // IPv4-compatible (deprecated ::/96).
  ['::10.0.0.1', 'private'],
  ['::127.0.0.1', 'loopback'],
  ['::a9fe:a9fe', 'metadata'],
  ['::8.8.8.8', 'public'],
  ['example.com', null],
];

test('categories: the table, and IPv4 carried in IPv6 (mapped, compatible, NAT64, 6to4) judged by its IPv4 address', (t) => {
  for (const [address, category] of CASES) t.is(ipCategory(address), category, address);
});

test("interception's public test uses the same table", (t) => {
  for (const [address, category] of CASES) t.is(isPublicAddress(address), category === 'public', address);
});
