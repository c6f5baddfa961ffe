// Proxy credentials user:pass: Basic proxy authentication (RFC 7235 4.3/4.4), compared in constant time; pure.
import { createHash, timingSafeEqual } from 'node:crypto';
import { TlswitnessError } from '../errors.js';

export interface ProxyAuth {
  digest: Buffer;
}

/** `source` names where the text came from (--auth, a file, a variable), for the message. */
export function parseProxyAuth(text: string, source = '--auth'): ProxyAuth {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1)
    throw new TlswitnessError('bad-usage', `${source} takes user:password (both non-empty)`);
  return { digest: createHash('sha256').update(text).digest() };
}

/** Whether a Proxy-Authorization header carries the configured credentials. */
export function authorized(auth: ProxyAuth, header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value ?? '');
  const given = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  // Hashing first gives equal lengths, so the comparison time says nothing about the secret.
  return timingSafeEqual(createHash('sha256').update(given).digest(), auth.digest) && match !== null;
}

export const PROXY_AUTH_REQUIRED =
  'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="tlswitness"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
