// One app stream forwarded: to the origin's h2 session (headers, body, trailers both ways and resets passed through;
// flow control by piping, so neither side buffers more than a window), or as an HTTP/1.1 request through
// the upstream agent's pool. A failure is answered as on the HTTP/1.1 path (exchange-failure.ts), a
// connection OpenSSL refused with the block page.
import { constants, type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { errorEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord } from '../types.js';
import { exchangeFailure, UpstreamTimeoutError } from './exchange-failure.js';
import type { FrontContext } from './front-context.js';
import { watchBody, type BodyWatch } from './h2-body.js';
import { watchH2Refusal } from './h2-refusal-watch.js';
import { h1Request, h2Request, h2Response, h2Trailers, isGrpc, rawPairs, rawTuples } from './h2-translate.js';
import { asFault } from './internal-fault.js';
import type { H2Upstream } from './h2-upstream.js';
import type { MitmConnection } from './mitm-session.js';
import { UpstreamRefusal } from './openssl-gate.js';
import { carriedOnH2, uncarriedStatus } from './origin-http-error.js';
import { refuseUnaskedUpgrade } from './unasked-upgrade.js';
import { withVia } from './via.js';
import { relayCollector } from './young-collector.js';

/** What the `request` event and the HAR say of a stream's answer. */
export interface StreamLog {
  status: number | null;
  bytes: number;
  rawHeaders: string[];
  blocked?: string;
}

export interface ExchangeParts {
  shared: FrontContext;
  upstream: H2Upstream;
  /** Answers the stream with the block page of this record. */
  block(record: HandshakeRecord): void;
}

export interface StreamExchange {
  stream: ServerHttp2Stream;
  headers: IncomingHttpHeaders;
  connection: MitmConnection;
  log: StreamLog;
  /** The session's record is watched for a client-certificate refusal (ClientCertRefusals.watches). */
  watched: boolean;
  /** The app's request trailers, once they came. */
  trailers?: IncomingHttpHeaders;
}

export function forwardStream(parts: ExchangeParts, exchange: StreamExchange): void {
  const { connection, stream } = exchange;
  const name = connection.name;
  if (!name) return fail(parts, exchange, new Error('no verified name for this session'), 'PROXY_ERROR');
  // Caught from the start: a short body and its trailers may all come before the origin is open.
  if (!stream.endAfterHeaders)
    stream.once('trailers', (trailers: IncomingHttpHeaders) => (exchange.trailers = trailers));
  parts.upstream
    .open(connection.target, name)
    .then(
      (origin) => {
        if (stream.destroyed) return;
        if (origin.kind === 'h2') toH2(parts, exchange, origin.session);
        else toH1(parts, exchange);
      },
      (error: Error) => fail(parts, exchange, error, 'PROXY_TO_SERVER_REQUEST_ERROR'),
    )
    .catch((error) => failInternally(parts, exchange, 'the HTTP/2 upstream', error));
}

/** A throw from the proxy's own code in a promise callback (a bug): the stream gets a 502 naming `path`, never a hang. */
export function failInternally(parts: ExchangeParts, exchange: StreamExchange, path: string, error: unknown): void {
  fail(parts, exchange, asFault(path, error), 'PROXY_ERROR');
}

/** A chunk of the origin's body on its way to the app: logged, and counted for young-collector.ts. */
function counted(log: StreamLog, chunk: Buffer): void {
  log.bytes += chunk.length;
  relayCollector.relayed(chunk.length);
}

/** A chunk of the app's body on its way to the origin, counted for young-collector.ts. */
const countUpload = (chunk: Buffer) => relayCollector.relayed(chunk.length);

function toH2(parts: ExchangeParts, exchange: StreamExchange, session: ClientHttp2Session): void {
  const { stream, headers, log } = exchange;
  const { responseTimeoutMs } = parts.shared.limits;
  let up;
  try {
    up = session.request(h2Request(headers, withVia(headers.via, parts.shared.viaToken, '2')), {
      endStream: stream.endAfterHeaders,
      waitForTrailers: !stream.endAfterHeaders,
    });
  } catch (error) {
    // The session was closing between open() and now.
    return fail(parts, exchange, error as Error, 'PROXY_TO_SERVER_REQUEST_ERROR');
  }
  if (exchange.watched)
    watchH2Refusal(parts.shared.refusals, exchange.connection, method(headers), stream, up, session);
  if (!stream.endAfterHeaders) {
    // The app's trailers, or an empty end of stream when it sent none (node:http2 sends empty trailers as an
    // empty DATA frame that ends the stream). A body the proxy cut (h2-body.ts: a 408, then RST_STREAM
    // NO_ERROR, which node:http2 reads as its end) is not complete: the origin is told CANCEL instead.
    up.once('wantTrailers', () =>
      stream.closed
        ? up.close(constants.NGHTTP2_CANCEL)
        : up.sendTrailers(exchange.trailers ? h2Trailers(exchange.trailers) : {}),
    );
    stream.on('data', countUpload).pipe(up);
    // A gRPC client or bidirectional stream may be quiet between messages for as long as the call lasts:
    // the body rules would cut healthy calls, so only the upstream silence limit applies to it.
    if (!isGrpc(headers)) watchBody(stream, bodyWatch(parts, exchange));
  }
  // gRPC asks for trailers (te: trailers) and answers with its status in them.
  const wantsTrailers = /trailers/i.test(String(headers.te ?? ''));
  let trailers: IncomingHttpHeaders | null = null;
  up.setTimeout(responseTimeoutMs, () =>
    up.destroy(new UpstreamTimeoutError(formatHostPort(exchange.connection.target), responseTimeoutMs)),
  );
  up.on('response', (received, flags) => {
    if (!carriedOnH2(Number(received[':status']))) {
      // Its body is let go by; the app's 502 ends the stream, and with it this one (CANCEL).
      up.resume();
      return fail(
        parts,
        exchange,
        uncarriedStatus(Number(received[':status']), 'HTTP/2'),
        'SERVER_TO_PROXY_RESPONSE_ERROR',
      );
    }
    const response = h2Response(Number(received[':status']), received);
    const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    log.status = Number(received[':status']);
    log.rawHeaders = rawPairs(response);
    if (stream.destroyed) return;
    stream.respond(response, { endStream: ended, waitForTrailers: !ended && (wantsTrailers || isGrpc(received)) });
    // A response is on its way: a new host's record is made now (host-recorder.ts), off its first request's path.
    parts.shared.recorder.spareTime();
    if (ended) return;
    up.on('data', (chunk: Buffer) => counted(log, chunk));
    up.pipe(stream);
  });
  up.on('trailers', (received) => (trailers = received));
  stream.on('wantTrailers', () => stream.sendTrailers(trailers ? h2Trailers(trailers) : {}));
  up.on('error', (error: Error) =>
    fail(
      parts,
      exchange,
      error,
      stream.headersSent ? 'SERVER_TO_PROXY_RESPONSE_ERROR' : 'PROXY_TO_SERVER_REQUEST_ERROR',
    ),
  );
  // A reset from either side ends the other (CANCEL towards the origin: the app no longer wants it).
  up.once('close', () => {
    if (stream.destroyed) return;
    if (up.rstCode) stream.close(up.rstCode);
    // Closed with neither an answer nor an error (the origin's GOAWAY took it, then its connection
    // closed): the app is told, as for a connection that closed before answering.
    else if (log.status === null) fail(parts, exchange, unanswered(), 'PROXY_TO_SERVER_REQUEST_ERROR');
  });
  stream.once('close', () => {
    if (!up.closed) up.close(constants.NGHTTP2_CANCEL);
  });
}

/** An origin's h2 stream that ended without an answer, told as a connection that closed (exchange-failure.ts). */
const unanswered = () => Object.assign(new Error('the HTTP/2 stream closed before any answer'), { code: 'ECONNRESET' });

const method = (headers: IncomingHttpHeaders) => String(headers[':method'] ?? 'GET');

function toH1(parts: ExchangeParts, exchange: StreamExchange): void {
  const { stream, headers, connection, log } = exchange;
  const translated = h1Request(headers, withVia(headers.via, parts.shared.viaToken, '2'), !stream.endAfterHeaders);
  if (!translated.ok) {
    parts.shared.options.events.publish(
      errorEvent('PROXY_ERROR', `${formatHostPort(connection.target)}: ${translated.reason}`, connection.target.host),
    );
    return answer(
      stream,
      log,
      translated.status,
      { 'content-type': 'text/plain; charset=utf-8' },
      `tlswitness: ${translated.reason}\n`,
    );
  }
  const req = httpsRequest({
    agent: parts.shared.agent() ?? undefined,
    host: connection.target.host,
    port: connection.target.port,
    // The name verified for this session (part of the agent's pool key), as mitm-forward.ts sets it.
    servername: connection.name?.servername ?? '',
    method: translated.method,
    path: translated.path,
    headers: translated.headers,
  });
  refuseUnaskedUpgrade(req);
  if (stream.endAfterHeaders) req.end();
  else {
    // The app's trailers, added before the pipe's own 'end' listener ends the request; only a chunked body
    // carries them (h1Request).
    if (translated.headers['transfer-encoding'] === 'chunked')
      stream.once('end', () => exchange.trailers && req.addTrailers(rawTuples(h2Trailers(exchange.trailers))));
    stream.on('data', countUpload).pipe(req);
    watchBody(stream, bodyWatch(parts, exchange));
  }
  req.on('response', (res) => {
    if (!carriedOnH2(res.statusCode ?? 502)) {
      res.destroy();
      return fail(parts, exchange, uncarriedStatus(res.statusCode ?? 0, 'HTTP/2'), 'SERVER_TO_PROXY_RESPONSE_ERROR');
    }
    if (exchange.watched) parts.shared.refusals.response(connection, translated.method, res);
    const response = h2Response(res.statusCode ?? 502, res.headers as IncomingHttpHeaders);
    log.status = res.statusCode ?? 502;
    log.rawHeaders = rawPairs(response);
    if (stream.destroyed) return void res.destroy();
    stream.respond(response);
    parts.shared.recorder.spareTime();
    // A 204, 205, 304 or HEAD answer ended the app's stream at its headers; a body the origin sent anyway
    // is read and dropped, so its connection goes back to the pool at once rather than at its timeout.
    if (stream.writableEnded) return void res.resume();
    res.on('data', (chunk: Buffer) => counted(log, chunk));
    res.on('error', (error: Error) => fail(parts, exchange, error, 'SERVER_TO_PROXY_RESPONSE_ERROR'));
    res.pipe(stream);
  });
  req.on('error', (error: Error) => {
    // An app that left destroyed the request: its "socket hang up" is not the origin's answer.
    if (exchange.watched && !stream.destroyed)
      parts.shared.refusals.failed(connection, translated.method, error, req.reusedSocket);
    fail(
      parts,
      exchange,
      error,
      stream.headersSent ? 'SERVER_TO_PROXY_RESPONSE_ERROR' : 'PROXY_TO_SERVER_REQUEST_ERROR',
    );
  });
  stream.once('close', () => req.destroy());
}

function bodyWatch({ shared }: ExchangeParts, { stream, connection, log }: StreamExchange): BodyWatch {
  return {
    deadlineMs: shared.limits.headerTimeoutMs,
    label: `MITM ${formatHostPort(connection.target)}`,
    report: (code, message) => shared.options.events.publish(errorEvent(code, message, connection.target.host)),
    answer: (status, text) => answer(stream, log, status, { 'content-type': 'text/plain; charset=utf-8' }, text),
  };
}

/**
 * The exchange failed on the origin's side: one `error` event and the app's answer. An app that reset its
 * stream is not reported: RST_STREAM is HTTP/2's normal way to cancel (a gRPC deadline, a page left).
 */
function fail(parts: ExchangeParts, exchange: StreamExchange, error: Error, kind: string): void {
  const { stream, connection, log } = exchange;
  if (stream.destroyed || stream.closed) return;
  const where = formatHostPort(connection.target);
  const failure = exchangeFailure(kind, error, where);
  parts.shared.options.events.publish(errorEvent(failure.code, failure.message, where));
  if (error instanceof UpstreamRefusal && error.record && !stream.headersSent) return parts.block(error.record);
  if (failure.status && !stream.headersSent)
    return answer(
      stream,
      log,
      failure.status,
      { 'content-type': 'text/plain; charset=utf-8', 'x-tlswitness-error': failure.code },
      `tlswitness: ${failure.message}\n`,
    );
  // A response already under way cannot change its status: the reset tells the app it is incomplete.
  stream.close(constants.NGHTTP2_INTERNAL_ERROR);
}

/** A response the proxy writes itself, when the stream can still take one. */
export function answer(
  stream: ServerHttp2Stream,
  log: StreamLog,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  if (stream.destroyed || stream.headersSent) return;
  const length = Buffer.byteLength(body);
  const sent = { ...headers, 'content-length': String(length) };
  stream.respond({ ':status': status, ...sent });
  stream.end(body);
  log.status = status;
  log.bytes = length;
  log.rawHeaders = rawPairs(sent);
}
