// The CONNECT authority of a request line; pure.
import { isIP } from 'node:net';
import type { HostPort } from '../types.js';

const CONNECT_AUTHORITY = /^(\[[0-9a-f:.]+\]|[^\s:[\]/]+):(\d{1,5})$/i;
const LABEL = /^[a-z0-9_-]{1,63}$/i;

/** A DNS name as clients send it (RFC 1035 2.3.4 lengths, ASCII: IDNs arrive as xn-- labels), or an IPv4 literal. */
function isHostName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

export function parseConnectAuthority(authority: string): HostPort | null {
  const match = CONNECT_AUTHORITY.exec(authority);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  const host = match[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  if (match[1]!.startsWith('[') ? isIP(host) !== 6 : !isHostName(host)) return null;
  return { host, port };
}
