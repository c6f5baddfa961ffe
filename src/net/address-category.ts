// Which kind of network an address belongs to, and whether an AIA URL a server names may be
// fetched: a certificate is data from the network, so its URL must not turn the tool into a way to
// reach this machine, the LAN or a cloud metadata service (server-side request forgery); pure.
import { BlockList } from 'node:net';
import { canonicalAddress, isLoopbackName } from './address-spellings.js';

export type AddressCategory = 'public' | 'loopback' | 'private' | 'link-local' | 'shared' | 'this-network' | 'metadata' | 'reserved';

// Most specific first: 169.254.169.254 is link-local too, but never fetched.
const RANGES: Array<[Exclude<AddressCategory, 'public'>, Array<[string, number, 'ipv4' | 'ipv6']>]> = [
  // AWS, GCP, Azure, OpenStack (IPv4), and AWS's IPv6 endpoint.
  ['metadata', [['169.254.169.254', 32, 'ipv4'], ['fd00:ec2::254', 128, 'ipv6']]],
  // RFC 1122 3.2.1.3: "this network"; Linux connects 0.0.0.0 to the local host.
  ['this-network', [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']]],
  ['loopback', [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']]],
  // RFC 1918, and RFC 4193 unique local addresses, its IPv6 counterpart.
  ['private', [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']]],
  ['link-local', [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']]],
  // RFC 6598 carrier-grade NAT.
  ['shared', [['100.64.0.0', 10, 'ipv4']]],
  // Multicast, RFC 1112's reserved 240/4 and broadcast; IPv6 multicast.
  ['reserved', [['224.0.0.0', 3, 'ipv4'], ['ff00::', 8, 'ipv6']]],
];

const LISTS = RANGES.map(([category, ranges]) => {
  const list = new BlockList();
  for (const [net, bits, family] of ranges) list.addSubnet(net, bits, family);
  return [category, list] as const;
});

/** The category of an address in any spelling (IPv4-mapped IPv6 counts as its IPv4 address); null for a name. */
export function addressCategory(host: string): AddressCategory | null {
  if (isLoopbackName(host)) return 'loopback';
  const address = canonicalAddress(host);
  if (!address) return null;
  const family = address.includes(':') ? 'ipv6' : 'ipv4';
  for (const [category, list] of LISTS) if (list.check(address, family)) return category;
  return 'public';
}

/** 127.0.0.0/8, ::1 or a localhost name, in any spelling. */
export function isLoopbackAddress(host: string): boolean {
  return addressCategory(host) === 'loopback';
}

const NEVER: ReadonlySet<AddressCategory> = new Set(['metadata', 'this-network', 'reserved']);

/**
 * Why an AIA fetch to `address` is refused, or null when it may go. Public addresses may always be
 * fetched. An internal one only when the inspected host is itself in that same kind of network (a
 * lab server on 10.x naming its CA on 10.y); metadata, "this network" and multicast never.
 */
export function aiaRefusal(address: string, hostCategory: AddressCategory): string | null {
  const category = addressCategory(address) ?? 'public';
  if (category === 'public') return null;
  if (NEVER.has(category)) return `${address} is a ${category} address: never fetched from a certificate's URL`;
  if (category === hostCategory) return null;
  return `${address} is a ${category} address and the inspected host is ${hostCategory === 'public' ? 'not known to be internal' : `a ${hostCategory} one`}: a certificate's URL does not reach internal networks`;
}
