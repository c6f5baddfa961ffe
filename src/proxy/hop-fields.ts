// Which fields describe only one connection (hop-by-hop, RFC 9110 7.6.1): the app's with the proxy, not
// sent on to the origin, and the origin's with the proxy, not passed back to the app; pure.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Never forwarded: Connection (the app's "close" is about its connection with the proxy, which Node's
 * server closes after the answer; the upstream one stays pooled), Keep-Alive, Proxy-Connection, TE (the
 * proxy does not pass trailers on, and RFC 9110 10.1.4 ties TE to its own hop), Upgrade (a request
 * forwarded as such is not an upgrade; a WebSocket upgrade is given its own by ws) and Trailer. Trailer
 * is end-to-end unless listed (RFC 9110 6.6.2), but the proxy pipes the app's body without its trailers,
 * so it would announce fields that never come; and Node throws rather than send it on a message that is
 * not chunked (ERR_HTTP_TRAILER_INVALID): an uncaught exception for any GET with "Trailer: x".
 */
const ALWAYS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * Fields a Connection header cannot take away, though it lists them. Host: what the origin is asked for
 * (RFC 9112 3.2 requires it). Content-Length and Transfer-Encoding: the body's framing, which Node
 * follows when writing it; without either it sends a GET's, DELETE's or OPTIONS's body bare, for the
 * origin to read as the next request. Transfer-Encoding is never dropped, listed or not, for that
 * reason: Node takes the chunks off on the way in and puts them back on the way out, other codings
 * (gzip) staying as sent.
 * Via: this proxy's entry is the loop check's trace (RFC 9110 7.6.3), and the earlier ones stay with it.
 */
const KEPT = new Set(['host', 'content-length', 'transfer-encoding', 'via']);

/**
 * The names a Connection header lists, lowercase, empty members dropped: Node joins repeated Connection
 * headers with ", ", so a name is found whatever its case, spacing or neighbours.
 */
export function connectionTokens(connection: string | string[] | undefined): string[] {
  if (connection === undefined) return [];
  const tokens: string[] = [];
  for (const token of String(connection).split(',')) {
    const name = token.trim().toLowerCase();
    if (name) tokens.push(name);
  }
  return tokens;
}

/**
 * The request fields not to forward, lowercase, or null when there are none beyond `proxy-*` (most
 * requests: this runs on each one). Node gives header names lowercase and joins repeated Connection
 * headers with ", ", so every listed name is found whatever its case, spacing or empty list members.
 * Requests whose Connection lists only options ("keep-alive", as browsers and Node's agent send it; "close",
 * a field name the HTTP registry reserves so that no field has it) share one set, made once.
 */
export function requestHopFields(headers: IncomingHttpHeaders): ReadonlySet<string> | null {
  const connection = headers.connection;
  if (
    connection === undefined &&
    headers['keep-alive'] === undefined &&
    headers.te === undefined &&
    headers.trailer === undefined &&
    headers.upgrade === undefined
  )
    return null;
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return ALWAYS;
  let hop: Set<string> | null = null;
  for (const name of connectionTokens(connection)) {
    if (name === 'close' || ALWAYS.has(name) || KEPT.has(name)) continue;
    (hop ??= new Set(ALWAYS)).add(name);
  }
  return hop ?? ALWAYS;
}

/** The app's fields as the origin is sent them: less those addressed to the proxy (proxy-*) and the hop-by-hop ones. */
export function endToEndRequestFields<T extends IncomingHttpHeaders>(headers: T): T {
  const hop = requestHopFields(headers);
  const fields = {} as T;
  for (const name in headers) if (!name.startsWith('proxy-') && !hop?.has(name)) fields[name] = headers[name];
  return fields;
}

/**
 * Response fields about the origin's connection whatever its Connection header says (RFC 9110 7.6.1, 7.8),
 * and Trailer: the HTTP/1.1 paths pass the origin's body on without its trailers, so it would announce
 * fields that never come, and Node throws on it out of writeHead when the app's answer is not chunked
 * (ERR_HTTP_TRAILER_INVALID: a Content-Length, a 204, a HEAD): an origin's "Trailer: x" beside a length
 * was an uncaught exception that ended the proxy.
 */
const RESPONSE_ALWAYS = ['keep-alive', 'proxy-connection', 'upgrade', 'trailer'];

/**
 * Fields an origin's Connection header cannot take away: the body's framing, which Node follows when
 * writing the answer to the app (without them a HEAD or 304 answer loses its length, and a listed
 * Transfer-Encoding would leave Node to pick the framing).
 */
const RESPONSE_KEPT = new Set(['content-length', 'transfer-encoding']);

/**
 * The origin's fields that describe its own connection with the proxy, not the app's, lowercase, or null
 * when there are none (most responses): its Keep-Alive hint (an origin keeping idle connections 60 s
 * would have the app reuse one the proxy closed after its own idle limit, which Node then announces
 * itself), a Proxy-Connection, an Upgrade offer (on any answer but a 101, which this path never relays;
 * "Upgrade: h2c" is about the origin's connection), "Connection: keep-alive", and any field the
 * Connection header names, whatever its case, repeats or empty members. Connection itself is in the set
 * unless the origin closes: its "close" is kept (see endToEndResponseFields).
 */
export function responseHopFields(headers: IncomingHttpHeaders): ReadonlySet<string> | null {
  const connection = headers.connection;
  if (
    connection === undefined &&
    headers['keep-alive'] === undefined &&
    headers['proxy-connection'] === undefined &&
    headers.upgrade === undefined &&
    headers.trailer === undefined
  )
    return null;
  const hop = new Set(RESPONSE_ALWAYS);
  let close = false;
  for (const name of connectionTokens(connection)) {
    if (name === 'close') close = true;
    // "connection" listing itself would take the origin's close with it: whether Connection goes is decided below.
    else if (name !== 'connection' && !RESPONSE_KEPT.has(name)) hop.add(name);
  }
  if (!close) hop.add('connection');
  return hop;
}

/**
 * The origin's fields as the app is sent them: less its hop-by-hop ones (responseHopFields). The origin's
 * "Connection: close" goes on as "close" alone, and ends the app's connection after this answer, as the
 * MITM path has always done: an origin that closes is often one that is restarting or shedding load, and
 * the app finds out on this answer rather than on its next request. The same object when there is
 * nothing to drop.
 */
export function endToEndResponseFields<T extends IncomingHttpHeaders>(headers: T): T {
  const hop = responseHopFields(headers);
  if (!hop) return headers;
  const fields = {} as T;
  for (const name in headers) if (!hop.has(name)) fields[name] = headers[name];
  if (!hop.has('connection')) fields.connection = 'close';
  return fields;
}
