// TARGET and --resolve parsing; pure.
import { ipFamily } from '../ip.js';
import { TlswitnessError } from '../errors.js';
import type { HostPort } from '../types.js';

function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new TlswitnessError('bad-target', `${what}: port "${text}" is not a number from 1 to 65535`);
  }
  return Number(text);
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** A DNS name (letters, digits, `-`, `_`, dots; 253 characters at most, 63 a label) or an IP address. */
export function isHostName(text: string): boolean {
  return ipFamily(text) !== 0 || HOSTNAME.test(text);
}

function checkHost(host: string, original: string): string {
  if (ipFamily(host)) return host;
  if (!HOSTNAME.test(host)) {
    throw new TlswitnessError(
      'bad-target',
      `target "${original}": "${host}" is not a host name or IP address (use host, host:port, [v6addr]:port or https://host/)`,
    );
  }
  return host.toLowerCase().replace(/\.$/, '');
}

/** `host`, `host:port`, `[v6addr]:port`, a bare IPv6 address, or an https:// URL. Port defaults to 443. */
export function parseTarget(text: string): HostPort {
  const original = text;
  let rest = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    let url: URL;
    try {
      url = new URL(rest);
    } catch {
      throw new TlswitnessError('bad-target', `target "${original}" is not a valid URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'wss:') {
      throw new TlswitnessError(
        'bad-target',
        `target "${original}": only https:// URLs carry TLS (got ${url.protocol})`,
      );
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return { host: checkHost(host, original), port: url.port ? parsePort(url.port, `target "${original}"`) : 443 };
  }
  rest = rest.replace(/\/.*$/, '');
  if (rest.startsWith('[')) {
    const match = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
    if (!match || ipFamily(match[1]!) !== 6)
      throw new TlswitnessError('bad-target', `target "${original}": expected [v6addr]:port`);
    return { host: match[1]!, port: match[2] !== undefined ? parsePort(match[2], `target "${original}"`) : 443 };
  }
  if (ipFamily(rest) === 6) return { host: rest, port: 443 };
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    return {
      host: checkHost(rest.slice(0, colon), original),
      port: parsePort(rest.slice(colon + 1), `target "${original}"`),
    };
  }
  if (!rest) throw new TlswitnessError('bad-target', `target "${original}" is empty`);
  return { host: checkHost(rest, original), port: 443 };
}

/** curl's --resolve: `HOST:PORT:ADDR[,ADDR...]`, ADDR may be a bracketed IPv6 address. */
export type ResolveMap = Map<string, string[]>;

export function parseResolve(entries: string[]): ResolveMap {
  const map: ResolveMap = new Map();
  for (const entry of entries) {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+):(.+)$/.exec(entry.trim());
    if (!match)
      throw new TlswitnessError(
        'bad-resolve',
        `--resolve "${entry}": expected HOST:PORT:ADDRESS, as curl takes it (e.g. api.example.com:443:127.0.0.1)`,
      );
    const host = match[1]!.replace(/^\[|\]$/g, '').toLowerCase();
    const port = Number(match[2]);
    if (port < 1 || port > 65535)
      throw new TlswitnessError('bad-resolve', `--resolve "${entry}": port ${port} is out of range`);
    const addresses = match[3]!.split(',').map((a) => a.trim().replace(/^\[|\]$/g, ''));
    for (const address of addresses) {
      if (!ipFamily(address))
        throw new TlswitnessError('bad-resolve', `--resolve "${entry}": "${address}" is not an IP address`);
    }
    map.set(`${host}:${port}`, addresses);
  }
  return map;
}
