// The CONNECT authority of a request line; pure.
import { isIP } from 'node:net';
import type { HostPort } from '../net/target.js';

const CONNECT_AUTHORITY = /^(\[[0-9a-f:.]+\]|[^\s:[\]/]+):(\d{1,5})$/i;

export function parseConnectAuthority(authority: string): HostPort | null {
  const match = CONNECT_AUTHORITY.exec(authority);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  const host = match[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  if (match[1]!.startsWith('[') && isIP(host) !== 6) return null;
  return { host, port };
}
