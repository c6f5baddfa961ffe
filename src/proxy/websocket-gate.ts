// The MITM sessions' WebSocket upgrades: answered with the block page when the record or OpenSSL's gate
// refuses the upstream, as a plain request is, and accepted only once a connection OpenSSL verified is
// there to carry them: an app already told "101 Switching Protocols" can no longer be shown why.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EventErrorCode } from '../errors.js';
import { errorEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { blockResponse } from './block-response.js';
import { exchangeFailure } from './exchange-failure.js';
import type { FrontContext } from './front-context.js';
import { endToEndRequestFields } from './hop-fields.js';
import type { MitmConnection } from './mitm-session.js';
import { UpstreamRefusal } from './openssl-gate.js';
import { carriesVia, withVia } from './via.js';

/** A raw HTTP/1.1 answer on a socket the HTTP server handed over with the upgrade; the connection closes. */
function rawAnswer(status: number, headers: Record<string, string>, body: string): string {
  const lines = Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

/** RFC 6455's registry: "the server was acting as a gateway or proxy and received an invalid response from the upstream server". */
const BAD_GATEWAY = 1014;

/** A close frame's reason: at most 123 bytes of UTF-8. */
function closeReason(text: string): string {
  const reason = `origin: ${text}`;
  return Buffer.byteLength(reason) <= 123
    ? reason
    : `${Buffer.from(reason)
        .subarray(0, 120)
        .toString()
        .replace(/\uFFFD$/, '')}...`;
}

/**
 * The origin's WebSocket failure as an exchange's: ws's handshake errors (an answer other than 101, a bad
 * accept key: plain Errors) and protocol errors (WS_ERR_*, an invalid frame) are the origin's side of the
 * protocol, UPSTREAM_HTTP, but for a message over the proxy's own size limit; anything else (a reset, the
 * proxy's own errors) is told as for any exchange.
 */
function upstreamWebSocketFailure(
  error: NodeJS.ErrnoException,
  target: string,
): { code: EventErrorCode; message: string } {
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
    return {
      code: 'PROXY_ERROR',
      message: `${target}: the origin sent a WebSocket message over the proxy's limit (${error.message})`,
    };
  const protocol = error.code ? error.code.startsWith('WS_ERR_') : error.constructor === Error;
  if (!protocol) return exchangeFailure('SERVER_TO_PROXY_RESPONSE_ERROR', error, target);
  return {
    code: 'UPSTREAM_HTTP',
    message: `${target}: the WebSocket to the origin failed (${error.message}); the app's WebSocket was closed with 1014`,
  };
}

export class WebSocketGate {
  private readonly server = new WebSocketServer({ noServer: true });
  /** The verified upstream connection waiting for the library's WebSocket, by the app's TLS socket. */
  private readonly verified = new WeakMap<object, Duplex>();
  /** The errors the origin's WebSockets (and their sockets) emitted, as against the library's own. */
  private readonly originErrors = new WeakSet<Error>();

  constructor(
    private readonly shared: FrontContext,
    private readonly connectionOf: (socket: object) => MitmConnection | undefined,
  ) {
    shared.library.onWebSocket(({ socket, path, options: upstream }) => {
      // Upstream WebSocket to what the app CONNECTed to, not to its Host header.
      const connection = connectionOf(socket);
      // Built from the CONNECT target and the raw path only: a malformed Host header cannot break it.
      if (connection && upstream) {
        upstream.url = `wss://${formatHostPort(connection.target)}${path.startsWith('/') ? path : '/'}`;
        // The name verified for this session, not the one Node would take from the Host header.
        (upstream as { servername?: string }).servername = connection.name?.servername ?? '';
      }
      if (!upstream) return;
      // The library copies every field but Sec-WebSocket-*: those addressed to the proxy (proxy-*, its
      // credentials among them) and about the app's connection with it (hop-fields.ts) stay here. ws sets
      // the upgrade's own Connection and Upgrade for the origin.
      const headers = endToEndRequestFields(upstream.headers ?? {});
      upstream.headers = { ...headers, via: withVia(headers.via, shared.viaToken) };
      // The connection the gate already verified carries it (no agent: Node then takes createConnection's).
      const carrier = this.verified.get(socket);
      if (carrier) {
        this.verified.delete(socket);
        upstream.agent = undefined;
        upstream.createConnection = (() => carrier) as unknown as typeof upstream.createConnection;
      }
      // ws hands over the origin's WebSocket as it sends the upgrade: its errors, and its socket's once open,
      // are told apart from the library's own (seen first: prepended to the library's listeners).
      upstream.finishRequest = (request, websocket) => {
        const mark = (error: Error) => void this.originErrors.add(error);
        websocket.prependListener('error', mark);
        websocket.once('open', () =>
          (websocket as unknown as { _socket?: Duplex })._socket?.prependListener('error', mark),
        );
        request.end();
      };
    });
    // The app was told 101 before the origin answered the upgrade (see above): when the origin then refuses
    // it or breaks the protocol, the app's WebSocket closes with 1014 (Bad Gateway) and a reason saying
    // why, and the failure is an event, rather than a bare close that looks like the origin's own.
    shared.library.onWebSocketFailure(({ socket, app, error }) => {
      // The library's own ("Cannot send message because proxyToServer ... is not OPEN", an app's frame
      // during the origin's normal close) are left to it: the origin's close code reaches the app.
      if (!this.originErrors.has(error)) return;
      const connection = connectionOf(socket);
      const target = connection ? formatHostPort(connection.target) : 'the origin';
      const failure = upstreamWebSocketFailure(error, target);
      shared.options.events.publish(errorEvent(failure.code, failure.message, connection?.target.host));
      app.close(BAD_GATEWAY, closeReason(error.message));
      // The library holds the app's socket paused until the origin's side opens: read on, or the app's
      // answering close frame is never read and its WebSocket waits for its own timeout (30 s in ws).
      (app as unknown as { _socket?: { resume(): void } })._socket?.resume();
    });
  }

  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const connection = this.connectionOf(req.socket);
    if (connection) connection.requests++;
    if (carriesVia(req.headers.via, this.shared.viaToken)) {
      socket.end(rawAnswer(508, {}, ''));
      return;
    }
    if (connection && !connection.accepted) {
      this.block(socket, req, connection.record, null);
      return;
    }
    const agent = this.shared.agent();
    if (!connection || !agent) return this.accept(req, socket, head);
    socket.on('error', () => undefined);
    // The upstream first, through the same gate as a request: OpenSSL verifies it for the session's name.
    agent.createConnection(
      { ...connection.target, servername: connection.name?.servername ?? '' },
      (error, carrier) => {
        if (error || !carrier) return this.refused(req, socket, connection, error ?? new Error('no connection'));
        if (socket.destroyed) return void carrier.destroy();
        this.verified.set(socket, carrier);
        this.accept(req, socket, head);
      },
    );
  }

  close(): void {
    this.server.close();
  }

  private accept(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.server.handleUpgrade(req, socket, head, (ws) => this.shared.library.forwardWebSocket(ws, req));
  }

  /** As a request refused by the gate is answered (exchange-errors.ts): the event, then the block page or the error. */
  private refused(req: IncomingMessage, socket: Socket, connection: MitmConnection, error: Error): void {
    const target = formatHostPort(connection.target);
    const failure = exchangeFailure('PROXY_TO_SERVER_REQUEST_ERROR', error, target);
    this.shared.options.events.publish(errorEvent(failure.code, failure.message, target));
    if (socket.destroyed) return;
    if (error instanceof UpstreamRefusal && error.record) return this.block(socket, req, error.record, failure.code);
    const body = `tlswitness: ${failure.message}\n`;
    socket.end(
      rawAnswer(
        failure.status ?? 502,
        { 'Content-Type': 'text/plain; charset=utf-8', 'X-Tlswitness-Error': failure.code },
        body,
      ),
    );
  }

  private block(socket: Socket, req: IncomingMessage, record: MitmConnection['record'], code: string | null): void {
    const page = blockResponse(record, req.headers.accept);
    const headers: Record<string, string> = {
      'Content-Type': page.contentType,
      'X-Tlswitness-Problem': record.diagnosis.problem,
      ...(code ? { 'X-Tlswitness-Error': code } : {}),
    };
    socket.end(rawAnswer(page.status, headers, page.body));
  }
}
