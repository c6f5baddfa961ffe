// node:net's isIP without its cost: the first isIPv6() call compiles a very large regular expression
// (measured 4-5.6 ms in a fresh process, of a ~100 ms CLI run), so it only runs on text that can be an
// IPv6 address. Node's own TLS code asks node:net's isIP too (tls.connect of its servername,
// checkServerIdentity of the name): withCheapIsIP answers those with ipFamily.
import net, { isIPv4, isIPv6 } from 'node:net';

export function ipFamily(text: string): 0 | 4 | 6 {
  // An IPv6 address has at least two colons; `host:port` has one.
  const colon = text.indexOf(':');
  if (colon >= 0) return text.indexOf(':', colon + 1) >= 0 && isIPv6(text) ? 6 : 0;
  return isIPv4(text) ? 4 : 0;
}

/** Where Node's TLS code looks isIP up (node:net's exports). */
type IsIPHolder = { isIP: (text: string) => number };

/**
 * Runs `call` (synchronous) with node:net's isIP answered by ipFamily, which gives the same answer for
 * every string, and puts it back: Node's tls.connect and checkServerIdentity look it up on the module
 * at each call. Where node:net's exports cannot be written, `call` runs with Node's own isIP
 * (docs/design.md, Node internals it relies on).
 */
export function withCheapIsIP<T>(call: () => T, holder: IsIPHolder = net): T {
  const isIP = holder.isIP;
  try {
    holder.isIP = ipFamily;
  } catch {
    return call();
  }
  try {
    return call();
  } finally {
    holder.isIP = isIP;
  }
}
