// The MITM sessions' WebSocket upgrades: answered with the block page when the record or OpenSSL's gate
// refuses the upstream, as a plain request is, and sent to the origin only on a connection OpenSSL
// verified, whose answer the app then gets as the origin gave it (websocket-relay.ts).
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { errorEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { blockResponse } from './block-response.js';
import { exchangeFailure } from './exchange-failure.js';
import type { FrontContext } from './front-context.js';
import type { MitmConnection } from './mitm-session.js';
import { UpstreamRefusal } from './openssl-gate.js';
import { carriesVia } from './via.js';
import { relayUpgrade } from './websocket-relay.js';

/** A raw HTTP/1.1 answer on a socket the HTTP server handed over with the upgrade; the connection closes. */
function rawAnswer(status: number, headers: Record<string, string>, body: string): string {
  const lines = Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

/** What the app was answered with: its status (null when it had gone), and the problem of a block page. */
interface Answer {
  status: number | null;
  blocked?: string;
}

export class WebSocketGate {
  constructor(
    private readonly shared: FrontContext,
    private readonly connectionOf: (socket: object) => MitmConnection | undefined,
  ) {}

  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const connection = this.connectionOf(req.socket);
    if (connection) connection.requests++;
    // Every upgrade is in the request log, as a request is: relayed, refused, blocked or looped.
    const where = connection ? formatHostPort(connection.target) : String(req.headers.host ?? '');
    const logged = this.shared.requests.start(req, `https://${where}${req.url ?? '/'}`, connection?.recordId ?? null);
    const answered = ({ status, blocked }: Answer) => logged(status, 0, blocked ? { blocked } : {});
    if (carriesVia(req.headers.via, this.shared.viaToken)) {
      socket.end(rawAnswer(508, {}, ''));
      return answered({ status: 508 });
    }
    if (connection && !connection.accepted) return answered(this.block(socket, req, connection.record, null));
    const agent = this.shared.agent();
    if (!connection || !agent) {
      socket.end(rawAnswer(502, { 'X-Tlswitness-Error': 'PROXY_ERROR' }, 'tlswitness: no upstream for this upgrade\n'));
      return answered({ status: 502 });
    }
    socket.on('error', () => undefined);
    // The upstream first, through the same gate as a request: OpenSSL verifies it for the session's name.
    agent.createConnection(
      { ...connection.target, servername: connection.name?.servername ?? '' },
      (error, carrier) => {
        if (error || !carrier)
          return answered(this.refused(req, socket, connection, error ?? new Error('no connection')));
        if (socket.destroyed) {
          carrier.destroy();
          return answered({ status: null });
        }
        relayUpgrade({
          req,
          socket,
          head,
          carrier,
          target: connection.target,
          servername: connection.name?.servername ?? '',
          viaToken: this.shared.viaToken,
          failed: (failure) => this.refused(req, socket, connection, failure).status,
          done: (status, bytes, rawHeaders) => logged(status, bytes, { rawHeaders }),
        });
      },
    );
  }

  /** As a request refused by the gate is answered (exchange-errors.ts): the event, then the block page or the error. */
  private refused(req: IncomingMessage, socket: Socket, connection: MitmConnection, error: Error): Answer {
    const target = formatHostPort(connection.target);
    const failure = exchangeFailure('PROXY_TO_SERVER_REQUEST_ERROR', error, target);
    this.shared.options.events.publish(errorEvent(failure.code, failure.message, target));
    if (socket.destroyed) return { status: null };
    if (error instanceof UpstreamRefusal && error.record) return this.block(socket, req, error.record, failure.code);
    const status = failure.status ?? 502;
    const body = `tlswitness: ${failure.message}\n`;
    socket.end(
      rawAnswer(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Tlswitness-Error': failure.code }, body),
    );
    return { status };
  }

  private block(socket: Socket, req: IncomingMessage, record: MitmConnection['record'], code: string | null): Answer {
    const page = blockResponse(record, req.headers.accept);
    const headers: Record<string, string> = {
      'Content-Type': page.contentType,
      'X-Tlswitness-Problem': record.diagnosis.problem,
      ...(code ? { 'X-Tlswitness-Error': code } : {}),
    };
    socket.end(rawAnswer(page.status, headers, page.body));
    return { status: page.status, blocked: record.diagnosis.problem };
  }
}
