// Which kind of network an address belongs to, and whether an AIA URL a server names may be
// fetched: a certificate is data from the network, so its URL must not turn the tool into a way to
// reach this machine, the LAN or a cloud metadata service (server-side request forgery); pure.
import { ipCategory, type AddressCategory } from '../address-ranges.js';
import { canonicalAddress, isLoopbackName } from './address-spellings.js';

export type { AddressCategory };

/** The category of an address in any spelling (IPv4-mapped IPv6 counts as its IPv4 address); null for a name. */
export function addressCategory(host: string): AddressCategory | null {
  if (isLoopbackName(host)) return 'loopback';
  const address = canonicalAddress(host);
  if (!address) return null;
  return ipCategory(address);
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
