// The MITM sessions in which the app chose h2: node:http2 serves the app's TLS socket, each stream is
// logged as a `request` (httpVersion "2", its stream id), answered with the block page when the host does
// not verify, or forwarded (h2-exchange.ts) to the origin over h2 or HTTP/1.1.
import { performServerHandshake, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { errorEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { readClientHello } from '../tls/client-hello.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { blockResponse } from './block-response.js';
import type { FrontContext } from './front-context.js';
import { answer, failInternally, forwardStream, type StreamLog } from './h2-exchange.js';
import { guardSession, H2_LIMITS, sessionOptions, type H2Limits } from './h2-guard.js';
import { rawPairs } from './h2-translate.js';
import { lingerOnDestroy } from './h2-linger.js';
import { H2Upstream } from './h2-upstream.js';
import type { MitmConnection, MitmSession } from './mitm-session.js';
import type { UpstreamName } from './upstream-name.js';
import { carriesVia } from './via.js';

export class H2Front {
  readonly upstream: H2Upstream;
  /** Each app's h2 socket, with its plain destroy. */
  private readonly sockets = new Map<TLSSocket, () => void>();

  constructor(
    private readonly shared: FrontContext,
    /** The block page's record, with OpenSSL's verdict when it came in time (MitmFront.crossChecked). */
    private readonly crossChecked: (connection: MitmConnection) => Promise<HandshakeRecord>,
    private readonly limits: H2Limits = H2_LIMITS,
  ) {
    this.upstream = new H2Upstream({ agent: shared.agent, idleMs: shared.limits.responseTimeoutMs });
  }

  /** Whether the app's first ALPN choice is h2 (the proxy serves it over h2). */
  wants(first: Buffer): boolean {
    return readClientHello(first).alpn?.[0] === 'h2';
  }

  /** For an app whose first ALPN choice is h2, the origin is dialled (h2 if it offers it) before the app's first stream. */
  preconnect(first: Buffer, target: HostPort, name: UpstreamName): boolean {
    if (!this.wants(first)) return false;
    this.upstream.open(target, name).catch(() => undefined);
    return true;
  }

  /** Hands a MITM session to node:http2 when the app chose h2 in ALPN, else to `http1`, once its handshake is done. */
  serve(
    { tlsSocket, connection }: MitmSession,
    /** The app's connection under the TLS session: its streams keep it open through a graceful shutdown. */
    outer: Socket,
    http1: (tlsSocket: TLSSocket) => void,
  ): void {
    if (connection.securedAt === undefined) {
      tlsSocket.once('secure', () => this.serve({ tlsSocket, connection }, outer, http1));
      return;
    }
    if (tlsSocket.alpnProtocol !== 'h2') http1(tlsSocket);
    // An app that left between its handshake and the record has nothing to serve.
    else if (!tlsSocket.destroyed) this.accept(tlsSocket, outer, connection);
  }

  /** Serves a MITM session whose app chose h2 in ALPN (its handshake complete, its upstream recorded). */
  accept(tlsSocket: TLSSocket, outer: Socket, connection: MitmConnection): void {
    // node:tls's own server clears this flag before it hands a socket on; a TLSSocket made by hand keeps it
    // set, and node:http2 would wait for a 'secureConnect' that a server-side socket never emits.
    (tlsSocket as TLSSocket & { secureConnecting: boolean }).secureConnecting = false;
    const label = `MITM ${formatHostPort(connection.target)}`;
    const { events } = this.shared.options;
    const session = performServerHandshake(tlsSocket, sessionOptions(this.limits));
    const guard = guardSession(session, {
      limits: this.limits,
      headerTimeoutMs: this.shared.limits.headerTimeoutMs,
      label,
      report: (code, message) => events.publish(errorEvent(code, message, connection.target.host)),
    });
    // Once per session: whether its streams are watched for a client-certificate refusal (the record of a
    // host that asked for one is set before its first stream, and a session keeps its host).
    const watched = this.shared.refusals.watches(connection);
    this.sockets.set(tlsSocket, lingerOnDestroy(tlsSocket));
    tlsSocket.once('close', () => this.sockets.delete(tlsSocket));
    session.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      guard.opened(stream.id ?? 0);
      this.shared.drain.track(outer, stream);
      // A stream the app resets before its answer is complete counts towards the reset bound.
      let aborted = false;
      stream.once('aborted', () => (aborted = true));
      stream.once('close', () => guard.closed(aborted));
      stream.on('error', () => undefined);
      this.onStream(stream, headers, connection, watched);
    });
  }

  private onStream(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    connection: MitmConnection,
    watched: boolean,
  ): void {
    const { idle, requests, viaToken, options } = this.shared;
    idle?.touch();
    connection.requests++;
    connection.spoke = true;
    const url = `https://${formatHostPort(connection.target)}${String(headers[':path'] ?? '/')}`;
    const done = requests.start(
      { method: String(headers[':method']), httpVersion: '2', rawHeaders: rawPairs(headers), streamId: stream.id },
      url,
      connection.recordId,
    );
    const log: StreamLog = { status: null, bytes: 0, rawHeaders: [] };
    stream.once('close', () =>
      done(stream.rstCode === 0 ? log.status : null, log.bytes, {
        rawHeaders: log.rawHeaders,
        ...(log.blocked ? { blocked: log.blocked } : {}),
      }),
    );
    if (carriesVia(headers.via, viaToken)) {
      const text = 'loop detected: this request already went through this proxy (its Via header names it)';
      options.events.publish(errorEvent('LOOP', `refused ${String(headers[':method'])} ${url}: ${text}`));
      answer(stream, log, 508, { 'content-type': 'text/plain; charset=utf-8' }, `tlswitness: ${text}\n`);
      return;
    }
    const block = (record: HandshakeRecord) => this.block(stream, headers, log, record);
    const parts = { shared: this.shared, upstream: this.upstream, block };
    const exchange = { stream, headers, connection, log, watched };
    if (connection.accepted) return forwardStream(parts, exchange);
    // Never a silent pass: the app's session completed, so it can read why.
    stream.resume();
    this.crossChecked(connection)
      .then(block)
      .catch((error) => failInternally(parts, exchange, 'the block page', error));
  }

  /** The block page as an h2 response, naming the problem in a header as the HTTP/1.1 one does. */
  private block(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    log: StreamLog,
    record: HandshakeRecord,
  ): void {
    const page = blockResponse(record, headers.accept);
    log.blocked = record.diagnosis.problem;
    answer(
      stream,
      log,
      page.status,
      { 'content-type': page.contentType, 'x-tlswitness-problem': record.diagnosis.problem },
      page.body,
    );
  }

  close(): void {
    for (const destroy of this.sockets.values()) destroy();
    this.sockets.clear();
    this.upstream.close();
  }
}
