// Host spellings → the address a connection to them reaches; pure. Many spellings name one address:
// getaddrinfo (behind Node's dns.lookup and net.connect) reads IPv4 as inet_aton(3) does, and the
// WHATWG URL parser does the same for http:// URLs, so `127.1`, `2130706433`, `0x7f.1`, `017700000001`
// and `127.0.0.1.` are all 127.0.0.1, `0` is 0.0.0.0, and `::ffff:127.0.0.1` is IPv4 127.0.0.1 too.

/** One inet_aton part: decimal, octal (leading 0) or hexadecimal (0x); null when it is none of them. */
function ipv4Part(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length > 2 ? parseInt(part.slice(2), 16) : 0;
  if (/^0[0-7]*$/.test(part)) return parseInt(part, 8);
  if (/^[1-9][0-9]*$/.test(part)) return parseInt(part, 10);
  return null;
}

/** IPv4 in any inet_aton spelling (1 to 4 parts, the last filling the remaining bytes) as a dotted quad. */
export function parseIpv4Spelling(text: string): string | null {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  const parts = name.split('.');
  if (parts.length > 4 || parts.some((part) => part.length === 0 || part.length > 34)) return null;
  const values = parts.map(ipv4Part);
  if (values.some((value) => value === null)) return null;
  const last = values.pop()!;
  if (values.some((value) => value! > 255) || last >= 256 ** (4 - values.length)) return null;
  let address = last;
  values.forEach((value, index) => (address += value! * 256 ** (3 - index)));
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/** IPv6 in its RFC 5952 form (as the URL parser serializes it), or null when it is not IPv6. */
export function canonicalIpv6(text: string): string | null {
  if (!text.includes(':')) return null;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The one address a host spelling stands for: a dotted quad for IPv4 (IPv4-mapped IPv6 included,
 * RFC 4291 2.5.5.2: a socket to it reaches the IPv4 address), RFC 5952 text for other IPv6; null
 * for a name (it needs a resolver).
 */
export function canonicalAddress(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v6 = canonicalIpv6(bare.toLowerCase());
  if (v6) {
    const mapped = MAPPED.exec(v6);
    if (!mapped) return v6;
    const high = parseInt(mapped[1]!, 16);
    const low = parseInt(mapped[2]!, 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return parseIpv4Spelling(bare);
}

/** `localhost` and names under it, with or without the root dot: loopback by RFC 6761 6.3. */
export function isLoopbackName(host: string): boolean {
  return /^(?:[^.]+\.)*localhost\.?$/i.test(host);
}

/** 0.0.0.0 or ::: a connection to the unspecified address reaches this machine (Linux, BSDs). */
export function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
