// Whether a host is on the public internet or internal: by its address, by special-use names, and by
// the public suffix list (passed in as a parser, loaded only when needed); pure.
import { ipCategory } from '../address-ranges.js';
import { ipFamily } from '../ip.js';

/** A public IP address, by the one range table (IPv4-mapped, NAT64 and 6to4 forms by their IPv4 address); false for a name. */
export function isPublicAddress(address: string): boolean {
  return ipCategory(address) === 'public';
}

export type ParseHost = typeof import('tldts').parse;

/**
 * Whether a host is on the public internet: a name under a public suffix (ICANN or the PSL's
 * private section), or a public IP. When the tool resolved the name itself (DNS or hosts file),
 * a private, loopback or link-local answer makes it internal; a --resolve pin does not.
 */
export function isPublicHost(
  parseHost: ParseHost,
  host: string,
  address: string | null,
  addressFromDns: boolean,
): boolean {
  if (ipFamily(host)) return isPublicAddress(host);
  const parsed = parseHost(host, { allowPrivateDomains: true });
  const publicName = !!parsed.domain && (parsed.isIcann === true || parsed.isPrivate === true);
  if (!publicName) return false;
  if (addressFromDns && address && !isPublicAddress(address)) return false;
  return true;
}

/**
 * Special-use names, never delegated in the DNS and absent from the public suffix list: RFC 6761 6.2-6.5
 * (test, localhost, invalid, example), RFC 6762 3 (local), and ICANN's private-use .internal (board
 * resolution 2024.07.29.06).
 */
const SPECIAL_USE_TLDS = new Set(['test', 'localhost', 'invalid', 'example', 'local', 'internal']);

/**
 * Internal by what is known without the public suffix list (~140 KB to load), as isPublicHost would
 * judge it: a non-public IP address, a single label or a special-use name, or a name the tool resolved
 * itself to a non-public address. False: the list decides.
 */
export function internalWithoutList(host: string, address: string | null, addressFromDns: boolean): boolean {
  if (ipFamily(host)) return !isPublicAddress(host);
  if (addressFromDns && address && !isPublicAddress(address)) return true;
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  return labels.length < 2 || SPECIAL_USE_TLDS.has(labels[labels.length - 1]!);
}

/** Registrable domain, for telling unrelated hosts apart. */
export function registrableDomain(parseHost: ParseHost, host: string): string {
  return parseHost(host, { allowPrivateDomains: true }).domain ?? host;
}
