// How a host and port are written in every message, record and report: IPv6 in brackets (RFC 3986 3.2.2).
import { ipFamily } from './ip.js';
import type { HostPort } from './types.js';

export function formatHostPort({ host, port }: HostPort): string {
  return ipFamily(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
