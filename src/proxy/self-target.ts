// Whether a target is this proxy itself, judged by address and port rather than by spelling; pure.
// A request the proxy forwards to its own port comes back as a new request, which it forwards
// again: one app request becomes an unbounded chain of sockets.
import { isLoopbackAddress } from '../net/address-category.js';
import { canonicalAddress, isLoopbackName, isUnspecifiedAddress } from '../net/address-spellings.js';
import type { ResolveMap } from '../net/target.js';
import type { HostPort } from '../types.js';

export interface SelfListener {
  /** The ports the proxy accepts on: its own and the library's unadvertised one. */
  ports: number[];
  /** Canonical addresses that reach the proxy besides loopback and the unspecified ones. */
  addresses: string[];
}

/**
 * What reaches the proxy, from the address it is bound to. Loopback always counts (the library's
 * listener is on 127.0.0.1); a wildcard bind adds every interface address of this machine.
 */
export function selfListener(boundAddress: string, ports: number[], interfaceAddresses: string[]): SelfListener {
  const bound = canonicalAddress(boundAddress);
  const wildcard = bound !== null && isUnspecifiedAddress(bound);
  const addresses = (wildcard ? interfaceAddresses : bound ? [bound] : [])
    .map((address) => canonicalAddress(address))
    .filter((address): address is string => address !== null);
  return { ports: ports.filter((port) => port > 0), addresses: [...new Set(addresses)] };
}

/** An address (any spelling) and port that a connection would reach the proxy on. */
export function isSelfAddress(self: SelfListener, address: string, port: number): boolean {
  if (!self.ports.includes(port)) return false;
  const canonical = canonicalAddress(address);
  if (canonical === null) return false;
  return isLoopbackAddress(canonical) || isUnspecifiedAddress(canonical) || self.addresses.includes(canonical);
}

/** The verdict, or the name a resolver has to answer first. */
export type SelfCheck = { self: boolean } | { lookup: string };

/**
 * A target before any DNS: an address spelling, a --resolve pin (the connector dials that, as curl
 * does), a localhost name, or a name to resolve. Only a target on one of the proxy's ports can be the
 * proxy, so other targets never cost a lookup.
 */
export function checkSelfTarget(self: SelfListener, target: HostPort, resolve: ResolveMap): SelfCheck {
  if (!self.ports.includes(target.port)) return { self: false };
  if (canonicalAddress(target.host) !== null) return { self: isSelfAddress(self, target.host, target.port) };
  const pinned = resolve.get(`${target.host.toLowerCase()}:${target.port}`);
  if (pinned?.length) return { self: pinned.some((address) => isSelfAddress(self, address, target.port)) };
  if (isLoopbackName(target.host)) return { self: true };
  return { lookup: target.host };
}
