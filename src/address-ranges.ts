// Which kind of network an IP address belongs to: the one range table behind every "is this public?"
// judgement (AIA fetches, interception). IPv6 forms that carry an IPv4 address are judged by that
// address, since a packet to them reaches it (a NAT64 gateway, a 6to4 relay); pure.
import { BlockList } from 'node:net';
import { ipFamily } from './ip.js';

export type AddressCategory =
  'public' | 'loopback' | 'private' | 'link-local' | 'shared' | 'this-network' | 'metadata' | 'reserved';

// Most specific first: 169.254.169.254 is link-local too, and 192.0.0.192 in 192.0.0.0/24.
const RANGES: Array<[Exclude<AddressCategory, 'public'>, Array<[string, number, 'ipv4' | 'ipv6']>]> = [
  // AWS, GCP, Azure, OpenStack (IPv4), Oracle Cloud's 192.0.0.192, and AWS's IPv6 endpoint.
  [
    'metadata',
    [
      ['169.254.169.254', 32, 'ipv4'],
      ['192.0.0.192', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ],
  ],
  // RFC 1122 3.2.1.3: "this network"; Linux connects 0.0.0.0 to the local host.
  [
    'this-network',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
  ],
  [
    'loopback',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  ],
  // RFC 1918, and RFC 4193 unique local addresses, its IPv6 counterpart.
  [
    'private',
    [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ],
  ],
  [
    'link-local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  // RFC 6598 carrier-grade NAT.
  ['shared', [['100.64.0.0', 10, 'ipv4']]],
  // RFC 6890: 192.0.0.0/24 IETF protocol assignments, 198.18.0.0/15 benchmarking; multicast, RFC 1112's
  // reserved 240/4 and broadcast; IPv6 multicast.
  [
    'reserved',
    [
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['224.0.0.0', 3, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
];

// Built on the first question, not at import: ~40 native subnet entries cost ~2 ms of every start-up,
// and most runs of most commands never ask.
let lists: Array<readonly [Exclude<AddressCategory, 'public'>, BlockList]> | null = null;
function rangeLists(): Array<readonly [Exclude<AddressCategory, 'public'>, BlockList]> {
  return (lists ??= RANGES.map(([category, ranges]) => {
    const list = new BlockList();
    for (const [net, bits, family] of ranges) list.addSubnet(net, bits, family);
    return [category, list] as const;
  }));
}

/** The eight 16-bit words of a valid IPv6 text (a dotted-quad tail included). */
function ipv6Words(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const parse = (part: string | null | undefined) =>
    (part ? part.split(':') : []).flatMap((word) => {
      if (!word.includes('.')) return [parseInt(word, 16)];
      const [a, b, c, d] = word.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  const front = parse(head);
  const back = parse(tail);
  return tail === null ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

const dotted = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255].join('.');

/**
 * The IPv4 address an IPv6 one carries, and whether its prefix is for local use: IPv4-mapped
 * ::ffff:0:0/96 (RFC 4291 2.5.5.2), IPv4-compatible ::/96 (deprecated, 2.5.5.1; :: and ::1 are
 * themselves), NAT64's 64:ff9b::/96 (RFC 6052) and local-use 64:ff9b:1::/48 (RFC 8215, read in the
 * /96 layout), 6to4's 2002::/16 (RFC 3056: 2002:AABB:CCDD::).
 */
function embeddedIpv4(w: number[]): { address: string; localUse: boolean } | null {
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && w[5] === 0xffff) return { address: dotted(w[6]!, w[7]!), localUse: false };
  if (zeros(0, 6) && !(w[6] === 0 && w[7]! <= 1)) return { address: dotted(w[6]!, w[7]!), localUse: false };
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return { address: dotted(w[6]!, w[7]!), localUse: false };
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) return { address: dotted(w[6]!, w[7]!), localUse: true };
  if (w[0] === 0x2002) return { address: dotted(w[1]!, w[2]!), localUse: false };
  return null;
}

/** The category of an IP address in standard text (dotted quad, any IPv6 form); null when it is not one. */
export function ipCategory(address: string): AddressCategory | null {
  const family = ipFamily(address);
  if (!family) return null;
  if (family === 6) {
    const embedded = embeddedIpv4(ipv6Words(address.toLowerCase()));
    if (embedded) {
      const category = ipCategory(embedded.address)!;
      // A local-use NAT64 prefix translates into the operator's own network, whatever layout it uses.
      return embedded.localUse && category === 'public' ? 'private' : category;
    }
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  for (const [category, list] of rangeLists()) if (list.check(address, type)) return category;
  return 'public';
}
