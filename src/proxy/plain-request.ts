// Which plain-listener requests the proxy forwards; pure. Only absolute-form http:// to another
// host: the library would send an https:// URL in cleartext, and follow an origin-form request's
// Host header back to itself.
import type { HostPort } from '../net/target.js';

export type PlainVerdict = { url: string } | { refuse: 400 | 407 | 508; text: string };

export function checkPlainRequest(raw: string, credentialsOk: boolean, isSelf: (target: HostPort) => boolean): PlainVerdict {
  if (!credentialsOk) return { refuse: 407, text: 'proxy authentication required' };
  if (raw.startsWith('/')) return { refuse: 400, text: 'this is a proxy: point apps at it with HTTP_PROXY / HTTPS_PROXY (absolute-form requests or CONNECT)' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refuse: 400, text: 'the request target is not a URL' };
  }
  if (url.protocol !== 'http:') return { refuse: 400, text: `only http:// is forwarded in plain requests; use CONNECT for ${url.protocol.replace(':', '')}` };
  const port = Number(url.port || 80);
  if (!url.hostname || port < 1 || port > 65535) return { refuse: 400, text: 'the request target has no usable host or port' };
  if (isSelf({ host: url.hostname.replace(/^\[|\]$/g, ''), port })) return { refuse: 508, text: 'loop detected: that is this proxy itself' };
  return { url: url.toString() };
}
