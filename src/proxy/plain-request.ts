// Which plain-listener requests the proxy forwards, and where to; pure. Only absolute-form http:// to
// another host: the library would send an https:// URL in cleartext, and follow an origin-form
// request's Host header back to itself. The URL is parsed once, here, and the request goes to exactly
// the host, port and path that were checked: the library's own parser (a split on ':', lowercase
// `http://` only, the Host header otherwise) is never asked.
import { redactAuthority, redactUrl } from '../redact/url.js';

/** Where a checked plain request goes. */
export interface PlainRoute {
  /** Lowercase name or canonical address; IPv6 without brackets. */
  host: string;
  port: number;
  /** Path and query, as the origin receives them (origin-form, RFC 9112 3.2.1). */
  path: string;
  /** The Host header upstream: the URL's authority, which replaces the app's (RFC 9112 3.2.2). */
  hostHeader: string;
  /** The URL as checked, for logs (it never has credentials: those are refused). */
  url: string;
}

export type PlainVerdict = { route: PlainRoute } | { refuse: 400 | 407; text: string };

/**
 * A request target or CONNECT authority fit for a message: anything up to the last '@' replaced, so a
 * password is never shown, however the target is malformed, and secret query values redacted. Cut to
 * 200 characters after that.
 */
export function shownTarget(raw: string): string {
  return redactUrl(redactAuthority(raw)).slice(0, 200);
}

export function checkPlainRequest(raw: string, credentialsOk: boolean): PlainVerdict {
  if (!credentialsOk) return { refuse: 407, text: 'proxy authentication required' };
  if (raw.startsWith('/'))
    return {
      refuse: 400,
      text: 'this is a proxy: point apps at it with HTTP_PROXY / HTTPS_PROXY (absolute-form requests or CONNECT)',
    };
  // Parsers disagree on where userinfo ends (`\`, a second '@'), so any '@' before the path refuses it.
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
  if (authority.includes('@'))
    return {
      refuse: 400,
      text: 'the request target carries credentials (user:password@host): send them in an Authorization header instead',
    };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refuse: 400, text: 'the request target is not a URL' };
  }
  if (url.username || url.password)
    return {
      refuse: 400,
      text: 'the request target carries credentials (user:password@host): send them in an Authorization header instead',
    };
  if (url.protocol !== 'http:')
    return {
      refuse: 400,
      text: `only http:// is forwarded in plain requests; use CONNECT for ${url.protocol.replace(':', '')}`,
    };
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host || port < 1 || port > 65535) return { refuse: 400, text: 'the request target has no usable host or port' };
  return { route: { host, port, path: `${url.pathname}${url.search}`, hostHeader: url.host, url: url.href } };
}
