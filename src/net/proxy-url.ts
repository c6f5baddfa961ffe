// An HTTP proxy URL as curl reads it (http:// assumed, user:password percent-decoded into a Basic
// authorization), with a credential-free form for records and messages. Pure.
import { TlswitnessError } from '../errors.js';
import type { Via } from '../types.js';
import { formatHostPort } from '../host-port.js';
import { redactText } from '../redact/url.js';

export interface ProxySpec {
  /** The proxy URL without credentials, for records and messages. */
  display: string;
  host: string;
  port: number;
  authorization: string | null;
  via: Exclude<Via, 'direct'>;
}

function decodeCredential(part: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new TlswitnessError('bad-proxy-url', `proxy "${shown}": the user or password has a stray %: write it as %25`);
  }
}

export function parseProxyUrl(text: string, via: ProxySpec['via']): ProxySpec {
  // curl assumes http:// for a proxy given without a scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const shown = redactText(withScheme);
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TlswitnessError('bad-proxy-url', `proxy "${shown}" is not a URL: use http://[user:pass@]host:port`);
  }
  if (url.protocol !== 'http:') {
    throw new TlswitnessError(
      'bad-proxy-url',
      `proxy "${shown}": only http:// proxies (CONNECT) are supported, not ${url.protocol}`,
    );
  }
  const user = decodeCredential(url.username, shown);
  const password = decodeCredential(url.password, shown);
  const authorization = user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    display: `http://${formatHostPort({ host, port: Number(url.port || 80) })}`,
    host,
    port: Number(url.port || 80),
    authorization,
    via,
  };
}
