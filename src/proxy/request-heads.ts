// Guards the request heads of an http.Server's connections: answers what the parser rejects
// (400, 431, ...) instead of a silent close, and cuts a connection whose head is not complete
// within the header deadline (slowloris), with a 408 when part of a head had arrived.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EventErrorCode } from '../errors.js';
import { clientErrorAnswer, clientErrorResponse } from './client-error.js';

export type Report = (code: EventErrorCode, message: string) => void;

const peer = (socket: Socket) => `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;

/** Writes the answer (when nothing else has been written for this request), then closes. */
function answerAndClose(socket: Socket, text: string | null): void {
  const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (text && socket.writable && !response?.headersSent) socket.end(text, () => socket.destroy());
  else socket.destroy();
}

export class RequestHeadGuard {
  private readonly watches = new Map<Socket, NodeJS.Timeout>();

  constructor(
    private readonly timeoutMs: number,
    private readonly report: Report,
  ) {}

  /**
   * `label` names the listener in messages: "proxy" or "MITM host:port". `from: 'secure'` starts the
   * first deadline when the TLS handshake completes (the handshake has its own deadline).
   */
  watch(server: HttpServer, label: (socket: Socket) => string, from: 'connection' | 'secure' = 'connection'): void {
    const secured = new WeakSet<Socket>();
    server.on('connection', (socket: Socket) => {
      if (from === 'secure') {
        socket.once('secure', () => {
          secured.add(socket);
          this.arm(socket, true, label);
        });
      } else this.arm(socket, true, label);
      socket.once('close', () => this.disarm(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.disarm(socket);
      // Kept alive: the next head has the same deadline.
      res.once('finish', () => {
        if (!socket.destroyed) this.arm(socket, false, label);
      });
    });
    server.on('connect', (req: IncomingMessage) => this.disarm(req.socket));
    server.on('upgrade', (req: IncomingMessage) => this.disarm(req.socket));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      this.disarm(socket);
      // A failed TLS handshake reaches the HTTP server too; it is the handshake's to report.
      const answer = from === 'secure' && !secured.has(socket) ? null : clientErrorAnswer(error);
      if (!answer) {
        socket.destroy();
        return;
      }
      const why = `malformed request (${error.code ?? error.message})`;
      this.report(answer.code, `${label(socket)}: answered ${answer.status} to a ${why} from ${peer(socket)}`);
      answerAndClose(socket, clientErrorResponse(answer, why));
    });
  }

  /** `fresh`: no request has been seen on this connection yet. */
  private arm(socket: Socket, fresh: boolean, label: (socket: Socket) => string): void {
    this.disarm(socket);
    const baseline = socket.bytesRead;
    const timer = setTimeout(() => {
      // A loaded event loop runs due timers before it reads: give bytes already here one I/O turn
      // to complete the head (and disarm this) before the connection is judged.
      setImmediate(() => this.watches.get(socket) === timer && expire());
    }, this.timeoutMs);
    const expire = () => {
      this.watches.delete(socket);
      const partial = socket.bytesRead > baseline;
      // An idle kept-alive connection is simply closed; a head that started, or never came, is reported.
      if (partial || fresh) this.report('HEADER_TIMEOUT', `${label(socket)}: no complete request head from ${peer(socket)} within ${this.timeoutMs} ms (slow or stalled sender); connection closed`);
      answerAndClose(socket, partial ? clientErrorResponse({ status: 408, reason: 'Request Timeout' }, `the request head did not arrive within ${this.timeoutMs} ms`) : null);
    };
    this.watches.set(socket, timer);
  }

  private disarm(socket: Socket): void {
    clearTimeout(this.watches.get(socket));
    this.watches.delete(socket);
  }
}
