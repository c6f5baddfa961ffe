// Which proxy, if any, curl would use for an https:// target given the environment; pure.
// curl reads https_proxy before HTTPS_PROXY, then all_proxy / ALL_PROXY, and no_proxy before NO_PROXY.
import { BlockList } from 'node:net';
import { ipFamily } from '../ip.js';
import type { Env } from '../types.js';

export function envProxyFor(host: string, env: Env): string | null {
  const proxy = env.https_proxy || env.HTTPS_PROXY || env.all_proxy || env.ALL_PROXY;
  if (!proxy) return null;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  return bypassesProxy(host, noProxy) ? null : proxy;
}

/** NO_PROXY as curl reads it: `*`, domain suffixes (leading dot optional), IP addresses and CIDR ranges. */
export function bypassesProxy(host: string, noProxy: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  for (const raw of noProxy.split(',')) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, '');
    if (!entry) continue;
    if (entry === '*') return true;
    const cidr = /^([^/]+)\/(\d+)$/.exec(entry);
    if (cidr && ipFamily(cidr[1]!) && ipFamily(name)) {
      const family = ipFamily(cidr[1]!) === 6 ? 'ipv6' : 'ipv4';
      if (ipFamily(name) !== (family === 'ipv6' ? 6 : 4)) continue;
      const list = new BlockList();
      list.addSubnet(cidr[1]!, Number(cidr[2]), family);
      if (list.check(name, family)) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (name === domain || (!ipFamily(name) && name.endsWith(`.${domain}`))) return true;
  }
  return false;
}
