// node:net's isIP without its cost: the first isIPv6() call compiles a very large regular expression
// (measured ~5 ms of a 100 ms CLI run), so it only runs on text that can be an IPv6 address.
// tls.connect() still pays it once when given a servername (Node checks that it is not an IP).
import { isIPv4, isIPv6 } from 'node:net';

export function ipFamily(text: string): 0 | 4 | 6 {
  // An IPv6 address has at least two colons; `host:port` has one.
  const colon = text.indexOf(':');
  if (colon >= 0) return text.indexOf(':', colon + 1) >= 0 && isIPv6(text) ? 6 : 0;
  return isIPv4(text) ? 4 : 0;
}
