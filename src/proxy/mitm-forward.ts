// One HTTP/1.1 request of a MITM session forwarded to the host the app CONNECTed to: one request through
// the upstream agent, the body piped both ways, with the answers of the library path kept (errors as
// exchange-errors.ts answers them, the client-certificate watch, the request log), without
// http-mitm-proxy's per-request pipeline (measured at about a fifth of each keep-alive exchange's CPU).
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { formatHostPort } from '../host-port.js';
import type { Exchange } from './exchange-errors.js';
import type { FrontContext } from './front-context.js';
import { endToEndRequestFields, endToEndResponseFields } from './hop-fields.js';
import { refuseUnaskedUpgrade } from './unasked-upgrade.js';
import { carriedOnH1, uncarriedStatus } from './origin-http-error.js';
import type { MitmConnection } from './mitm-session.js';
import { takeRawBody, type BodySource } from './raw-body.js';
import type { ResponseFacts } from './request-log.js';
import { withVia } from './via.js';
import { relayCollector, type YoungCollector } from './young-collector.js';

/**
 * The app's headers as sent upstream: its own, less those addressed to the proxy (proxy-*) and those about
 * its connection with the proxy (hop-fields.ts), with our Via.
 */
export function upstreamHeaders(req: IncomingMessage, viaToken: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = endToEndRequestFields(req.headers);
  headers.via = withVia(req.headers.via, viaToken);
  return headers;
}

/**
 * The origin's headers as sent to the app, less its hop-by-hop fields (hop-fields.ts). Public-Key-Pins
 * would pin the origin's keys, which the app never sees here (the library drops them too); an app that
 * spoke to us as to a proxy is told the connection stays open, as the library does.
 */
export function appHeaders(res: IncomingMessage, req: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const fields = endToEndResponseFields(res.headers);
  for (const name in fields) if (!name.startsWith('public-key-pins')) headers[name] = fields[name];
  if (req.headers['proxy-connection']) {
    headers['proxy-connection'] = 'keep-alive';
    headers.connection = 'keep-alive';
  }
  return headers;
}

/**
 * What the app's side may queue before the origin's side is paused. pipe() pauses at the socket's 16 KiB,
 * once per TLS record in a download; the library never paused, queueing a whole body for a slow app.
 * At 1 MiB the records queued during a write go out as one, and a slow app holds at most that much here
 * (docs/benchmarks.md: no better bulk figures without the bound).
 */
export const RELAY_QUEUE_BYTES = 1024 * 1024;

/**
 * The origin's body to the app, paused while more than RELAY_QUEUE_BYTES wait to be sent; every chunk
 * counted towards the next young-generation collection (young-collector.ts: each is a buffer of its own).
 * A long Content-Length body comes straight from the upstream socket (raw-body.ts); any other through
 * `answer`.
 */
export function relayBody(
  answer: IncomingMessage,
  res: ServerResponse,
  counted: (length: number) => void,
  collector: YoungCollector = relayCollector,
  method = 'GET',
): void {
  let source: BodySource | null = null;
  let paused = false;
  // Emitted once all that was queued is written, after a write that said to wait; listened for only
  // then (most responses never wait, and each listener is work on every exchange).
  const resume = () => {
    paused = false;
    (source ?? answer).resume();
  };
  const relay = (chunk: Buffer) => {
    counted(chunk.length);
    collector.relayed(chunk.length);
    if (res.write(chunk) || res.writableLength < RELAY_QUEUE_BYTES || paused) return;
    paused = true;
    (source ?? answer).pause();
    res.once('drain', resume);
  };
  source = takeRawBody(answer, method, relay);
  if (!source) answer.on('data', relay);
  answer.once('end', () => res.end());
}

const countRelayed = (chunk: Buffer) => relayCollector.relayed(chunk.length);

export function forwardMitmRequest(
  shared: FrontContext,
  req: IncomingMessage,
  res: ServerResponse,
  connection: MitmConnection,
): void {
  const { errors, refusals } = shared;
  const where = formatHostPort(connection.target);
  const method = req.method ?? 'GET';
  const exchange: Exchange = { clientToProxyRequest: req, proxyToClientResponse: res, target: where };
  req.on('error', (error: Error) => errors.handle('CLIENT_TO_PROXY_REQUEST_ERROR', exchange, error));
  res.on('error', (error: Error) => errors.handle('PROXY_TO_CLIENT_RESPONSE_ERROR', exchange, error));
  const done = shared.requests.start(req, `https://${where}${req.url ?? '/'}`, connection.recordId);
  let bytes = 0;
  // One listener for the close: an app that left ends the upstream side (exchange-errors.ts), then the
  // log. An exchange cut short is logged with status null; a block page for a connection OpenSSL
  // refused (exchange-errors.ts) is logged as blocked.
  res.once('close', () => {
    errors.closed(exchange);
    const answered = exchange.serverToProxyResponse;
    const facts: ResponseFacts = { rawHeaders: answered?.rawHeaders };
    const blocked = answered ? undefined : res.getHeader('x-tlswitness-problem');
    if (typeof blocked === 'string') facts.blocked = blocked;
    done(res.writableFinished ? res.statusCode : null, bytes, facts);
  });
  const send = (retry: boolean) => {
    const up = httpsRequest({
      agent: shared.agent() ?? undefined,
      // What the app CONNECTed to, not what its Host header says; the name verified for this session as
      // SNI (part of the agent's pool key), never the Host header's.
      host: connection.target.host,
      port: connection.target.port,
      servername: connection.name?.servername ?? '',
      method,
      path: req.url,
      headers: upstreamHeaders(req, shared.viaToken),
    });
    exchange.proxyToServerRequest = up;
    refuseUnaskedUpgrade(up);
    up.on('error', (error: NodeJS.ErrnoException) => {
      // A pooled connection the origin closed as this request went out: sent again once on a fresh one,
      // as Node's documentation advises (http.ClientRequest reusedSocket), when nothing can be lost.
      if (retry && up.reusedSocket && !exchange.serverToProxyResponse && canResend(req, error)) return send(false);
      refusals.failed(connection, method, error, up.reusedSocket);
      errors.handle('PROXY_TO_SERVER_REQUEST_ERROR', exchange, error);
    });
    up.on('response', (answer: IncomingMessage) => onAnswer(answer));
    // The app's body on the first attempt; a second one is only ever sent for a request without a body.
    // Its chunks are TLS records in buffers of their own too (young-collector.ts): 0.67x the CPU per MB
    // of a 256 MiB upload with them counted. A request without one is ended at once: a pipe for no bytes
    // costs each keep-alive GET eight listeners added and removed (docs/benchmarks.md).
    if (retry && hasBody(req)) req.on('data', countRelayed).pipe(up);
    else up.end();
  };
  const onAnswer = (answer: IncomingMessage) => {
    exchange.serverToProxyResponse = answer;
    answer.on('error', (error: Error) => errors.handle('SERVER_TO_PROXY_RESPONSE_ERROR', exchange, error));
    refusals.response(connection, method, answer);
    if (res.destroyed) return void answer.destroy();
    if (!carriedOnH1(answer.statusCode ?? 0)) {
      answer.destroy();
      return errors.handle(
        'SERVER_TO_PROXY_RESPONSE_ERROR',
        exchange,
        uncarriedStatus(answer.statusCode ?? 0, 'HTTP/1.1'),
      );
    }
    res.writeHead(answer.statusCode ?? 502, appHeaders(answer, req));
    relayBody(answer, res, (length) => (bytes += length), relayCollector, method);
    // With this response on its way, the app's first byte no longer waits on this thread: the records
    // of hosts that passed are made now rather than inside the next new host's handshakes.
    shared.recorder.spareTime();
  };
  send(true);
}

/** RFC 9112 6.3: a request with neither Transfer-Encoding nor a Content-Length above 0 has no body. */
function hasBody(req: IncomingMessage): boolean {
  return !!req.headers['transfer-encoding'] || (req.headers['content-length'] ?? '0') !== '0';
}

/** A request with no body and a method that may be repeated (RFC 9110 9.2.2) can be sent again as it was. */
function resendable(req: IncomingMessage): boolean {
  const method = req.method ?? 'GET';
  return !hasBody(req) && ['GET', 'HEAD', 'OPTIONS'].includes(method);
}

/** The failures of a pooled connection that closed under the request: nothing reached the origin's application. */
function canResend(req: IncomingMessage, error: NodeJS.ErrnoException): boolean {
  return resendable(req) && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}
