// An HTTP/2 exchange's headers as each side needs them: passed on to an h2 origin, turned into an HTTP/1.1
// request line and Host for an origin that speaks only HTTP/1.1, and the origin's answer made fit for an
// h2 response; pure.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { connectionTokens } from './hop-fields.js';

/**
 * RFC 9113 8.2.2: fields that describe one hop of HTTP/1.1 and are malformed in HTTP/2; and HTTP2-Settings, an
 * h2c upgrade's (RFC 7540 3.2.1), which node:http2 throws on in any field section it sends (an HTTP/1.1
 * origin's answer carrying it would otherwise throw out of the proxy).
 */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** gRPC's content types (application/grpc, application/grpc+proto, ...): it needs trailers, which HTTP/1.1 cannot carry as gRPC expects. */
export function isGrpc(headers: IncomingHttpHeaders): boolean {
  return /^application\/grpc(?:[+;]|$)/i.test(String(headers['content-type'] ?? ''));
}

/** The names a Connection header lists are hop-by-hop too (RFC 9110 7.6.1). */
function hopByHop(headers: IncomingHttpHeaders): Set<string> {
  return new Set([...CONNECTION_SPECIFIC, ...connectionTokens(headers.connection)]);
}

/** Every field but the pseudo-headers and the hop-by-hop ones; `te` only as "trailers" (RFC 9113 8.2.2). */
function endToEnd(headers: IncomingHttpHeaders, keepPseudo: (name: string) => boolean): OutgoingHttpHeaders {
  const drop = hopByHop(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || drop.has(name)) continue;
    if (name.startsWith(':') && !keepPseudo(name)) continue;
    if (name === 'te' && !/(^|,)\s*trailers\s*($|,)/i.test(String(value))) continue;
    out[name] = name === 'te' ? 'trailers' : value;
  }
  return out;
}

const REQUEST_PSEUDO = new Set([':method', ':path', ':scheme', ':authority']);

/** The app's h2 request for an h2 origin: its own pseudo-headers and fields, with the proxy's Via. */
export function h2Request(headers: IncomingHttpHeaders, via: string): OutgoingHttpHeaders {
  const out = endToEnd(headers, (name) => REQUEST_PSEUDO.has(name));
  // :authority stands for Host in h2 (RFC 9113 8.3.1); sending both is allowed but they could disagree.
  if (out[':authority'] !== undefined) delete out.host;
  out.via = via;
  return out;
}

export type H1Request =
  | { ok: true; method: string; path: string; headers: OutgoingHttpHeaders }
  | { ok: false; status: 501 | 502; reason: string };

/**
 * The app's h2 request as an HTTP/1.1 request (request line and Host from the pseudo-headers), or why it
 * cannot be one. `hasBody`: the stream did not end with its headers.
 */
export function h1Request(headers: IncomingHttpHeaders, via: string, hasBody = false): H1Request {
  if (isGrpc(headers))
    return {
      ok: false,
      status: 502,
      reason:
        'this origin speaks only HTTP/1.1, which cannot carry gRPC (its status travels in HTTP/2 trailers); the proxy does not translate gRPC to HTTP/1.1',
    };
  const method = String(headers[':method'] ?? 'GET');
  if (method === 'CONNECT')
    return { ok: false, status: 501, reason: 'CONNECT inside an HTTP/2 session is not forwarded by the proxy' };
  const out = endToEnd(headers, () => false);
  // HTTP/1.1's TE is about one hop (RFC 9110 10.1.4).
  delete out.te;
  // h2 frames a body itself (RFC 9113 8.1), so it may come without Content-Length, on any method. Node
  // chunks such a body only for methods other than GET, HEAD, DELETE, OPTIONS, TRACE and CONNECT, and sends
  // theirs bare: on a pooled connection the origin would read it as the next request.
  const chunked = hasBody && out['content-length'] === undefined;
  if (chunked) out['transfer-encoding'] = 'chunked';
  // Only a chunked body carries trailers in HTTP/1.1 (RFC 9112 7.1.2), and the app's are passed on then
  // (h2-exchange.ts); otherwise the Trailer field would announce fields that never come (and Node throws
  // on it for an unchunked request).
  else delete out.trailer;
  const authority = headers[':authority'] ?? headers.host;
  if (authority !== undefined) out.host = String(authority);
  out.via = via;
  return { ok: true, method, path: String(headers[':path'] ?? '/'), headers: out };
}

/**
 * An origin's response fields (h2 or HTTP/1.1) for the app's h2 stream: :status kept, hop-by-hop fields
 * dropped. A 204 or 205 goes without content (node:http2 ends the stream at its headers), so its
 * Content-Length must say so: none on a 204 (RFC 9110 8.6), 0 on a 205 (15.3.6); an HTTP/1.1 origin's
 * "205, Content-Length: 10" would have the app's HTTP/2 stack reset the stream (RFC 9113 8.1.1).
 */
export function h2Response(status: number, headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...endToEnd(headers, () => false), ':status': status };
  if (status === 204) delete out['content-length'];
  if (status === 205 && out['content-length'] !== undefined) out['content-length'] = '0';
  return out;
}

/**
 * Fields that are never trailers (RFC 9110 6.5.1: their evaluation is needed before the content): framing,
 * routing, authentication, request modifiers and controls, content format. A sender must not generate a
 * trailer unless its definition permits it, and a recipient that merges trailers into the header section
 * (RFC 9110 6.5.2) could be fooled by one: an Authorization or Set-Cookie coming after the body.
 */
const NEVER_TRAILERS: ReadonlySet<string> = new Set([
  // Framing.
  'content-length',
  'content-range',
  'trailer',
  'te',
  // Routing.
  'host',
  // Authentication.
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'cookie',
  'set-cookie',
  // Request modifiers and response controls.
  'cache-control',
  'expect',
  'max-forwards',
  'pragma',
  'range',
  'age',
  'expires',
  'location',
  'retry-after',
  'vary',
  // Content format.
  'content-type',
  'content-encoding',
]);

/** Conditional request fields (If-Match, If-None-Match, If-Modified-Since, If-Range, ...) modify the request. */
const neverTrailer = (name: string) => NEVER_TRAILERS.has(name) || name.startsWith('if-');

/**
 * Trailers for the other side (the app's, or the origin's): no pseudo-headers, no hop-by-hop fields, and
 * none of the fields that must never be trailers; any other (grpc-status, a checksum) passes.
 */
export function h2Trailers(trailers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out = endToEnd(trailers, () => false);
  for (const name of Object.keys(out)) if (neverTrailer(name)) delete out[name];
  return out;
}

/** Fields as raw name/value pairs (as IncomingMessage.rawHeaders), pseudo-headers left out: for the HAR. */
export function rawPairs(headers: IncomingHttpHeaders | OutgoingHttpHeaders): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push(name, String(one));
  }
  return pairs;
}

/** Fields as [name, value] tuples, for OutgoingMessage.addTrailers (a repeated field stays repeated). */
export function rawTuples(headers: OutgoingHttpHeaders): Array<[string, string]> {
  const pairs = rawPairs(headers);
  const tuples: Array<[string, string]> = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) tuples.push([pairs[i]!, pairs[i + 1]!]);
  return tuples;
}
