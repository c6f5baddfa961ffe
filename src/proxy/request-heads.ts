// Guards the requests of an http.Server's connections: answers what the parser rejects (400, 431, ...)
// instead of a silent close, cuts a connection whose head is not complete within the header deadline
// (slowloris; 408 when part of a head had arrived), and one whose request body stalls or trickles
// (slow POST; see body-progress.ts).
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EventErrorCode } from '../errors.js';
import { count } from '../plural.js';
import { judgeBody, MIN_BODY_RATE } from './body-progress.js';
import { clientErrorAnswer, clientErrorResponse } from './client-error.js';

export type Report = (code: EventErrorCode, message: string) => void;

/**
 * For a server of TLS sessions: when a session's handshake completed (performance.now()), or
 * undefined while it has not. A session can reach the server before its handshake completes, or
 * after (when the upstream was recorded first): its first head deadline runs from the handshake.
 */
export type HandshakeDone = (socket: Socket) => number | undefined;

const peer = (socket: Socket) => `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;

/**
 * Writes the answer (when nothing else has been written for this request), then closes. The response
 * under way is found as Node's own clientError handling finds it (_http_server.js), else it is `own`,
 * the cut request's (docs/design.md, Node internals it relies on).
 */
function answerAndClose(socket: Socket, text: string | null, own?: ServerResponse): void {
  const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? own;
  if (text && socket.writable && !response?.headersSent) socket.end(text, () => socket.destroy());
  else socket.destroy();
}

/** Runs `judge` after `ms`, and one I/O turn later: a loaded event loop runs due timers before it reads. */
function after(ms: number, judge: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(judge), ms);
}

/** A kept-alive connection's idle timer: the bytes read when it was last armed, and how many times it was. */
interface IdleWait {
  timer: NodeJS.Timeout;
  baseline: number;
  armed: number;
}

export class RequestHeadGuard {
  /** Exchanges whose request body was cut here: answered and reported, so not the app's doing. */
  readonly cutResponses = new WeakSet<ServerResponse>();
  /** The one deadline running per connection: its head's, or its request body's. */
  private readonly watches = new Map<Socket, NodeJS.Timeout>();
  /**
   * A kept-alive connection's wait for its next head: one timer per connection, refreshed after each
   * exchange rather than made and cleared again (a timer and two closures per request); left running
   * while disarmed, it finds itself no longer watched when it fires.
   */
  private readonly idle = new Map<Socket, IdleWait>();

  constructor(
    private readonly timeoutMs: number,
    private readonly report: Report,
  ) {}

  /** `label` names the listener in messages: "proxy" or "MITM host:port". */
  watch(server: HttpServer, label: (socket: Socket) => string, handshakeDone?: HandshakeDone): void {
    server.on('connection', (socket: Socket) => {
      const done = handshakeDone?.(socket);
      // The handshake has its own deadline; the head's starts when it completes, even if that was
      // before the session got here.
      if (handshakeDone && done === undefined) socket.once('secure', () => this.arm(socket, label));
      else this.arm(socket, label, done);
      socket.once('close', () => {
        this.disarm(socket);
        clearTimeout(this.idle.get(socket)?.timer);
        this.idle.delete(socket);
      });
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, label));
    server.on('connect', (req: IncomingMessage) => this.disarm(req.socket));
    server.on('upgrade', (req: IncomingMessage) => this.disarm(req.socket));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      this.disarm(socket);
      // A failed TLS handshake reaches the HTTP server too; it is the handshake's to report.
      const answer = handshakeDone && handshakeDone(socket) === undefined ? null : clientErrorAnswer(error);
      if (!answer) {
        socket.destroy();
        return;
      }
      const why = `malformed request (${error.code ?? error.message})`;
      this.report(answer.code, `${label(socket)}: answered ${answer.status} to a ${why} from ${peer(socket)}`);
      answerAndClose(socket, clientErrorResponse(answer, why));
    });
  }

  /**
   * A complete head: its body (if any) must keep coming; once the body is in and the response is
   * out, the next head (keep-alive) has the header deadline again. Waiting for the upstream's answer
   * is the response timeout's business, not this guard's.
   */
  private onRequest(req: IncomingMessage, res: ServerResponse, label: (socket: Socket) => string): void {
    const socket = req.socket;
    this.disarm(socket);
    let bodyIn = false;
    const next = () => {
      if (bodyIn && res.writableFinished && !socket.destroyed) this.armIdle(socket, label);
    };
    const bodyDone = () => {
      if (bodyIn) return;
      bodyIn = true;
      this.disarm(socket);
      next();
    };
    res.once('finish', next);
    // RFC 9112 6.3: a request with neither Content-Length nor Transfer-Encoding has no body.
    const length = req.headers['content-length'];
    if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) {
      bodyIn = true;
      return;
    }
    req.once('end', bodyDone);
    const started = { at: performance.now(), bytes: socket.bytesRead };
    let seen = { at: started.at, bytes: started.bytes };
    let timer: NodeJS.Timeout;
    const check = () => {
      // Disarmed meanwhile (the body ended, the connection went, another request took over).
      if (bodyIn || socket.destroyed || this.watches.get(socket) !== timer) return;
      if (req.complete) return bodyDone();
      const now = performance.now();
      const bytes = socket.bytesRead;
      if (socket.isPaused()) {
        // The proxy holds the body back (the upstream reads slowly): not the app's time.
        started.at = seen.at = now;
        started.bytes = seen.bytes = bytes;
      } else if (bytes > seen.bytes) seen = { at: now, bytes };
      const received = bytes - started.bytes;
      const elapsedMs = now - started.at;
      const verdict = judgeBody({ elapsedMs, received, idleMs: now - seen.at }, this.timeoutMs);
      if ('checkAgainInMs' in verdict) {
        this.watches.set(socket, (timer = after(verdict.checkAgainInMs, check)));
        return;
      }
      this.watches.delete(socket);
      this.cutResponses.add(res);
      const why =
        verdict.cut === 'stalled'
          ? `no byte of it for ${this.timeoutMs} ms`
          : `${count(received, 'byte')} in ${Math.round(elapsedMs)} ms, under ${MIN_BODY_RATE} bytes/s`;
      this.report(
        'BODY_TIMEOUT',
        `${label(socket)}: the request body from ${peer(socket)} ${verdict.cut === 'stalled' ? 'stalled' : 'came too slowly'} (${why}); request cut`,
      );
      answerAndClose(
        socket,
        clientErrorResponse(
          { status: 408, reason: 'Request Timeout' },
          `the request body ${verdict.cut === 'stalled' ? 'stalled' : 'came too slowly'} (${why})`,
        ),
        res,
      );
    };
    this.watches.set(socket, (timer = after(this.timeoutMs, check)));
  }

  /** A new connection's first head: due `timeoutMs` after `since` (when its handshake completed). */
  private arm(socket: Socket, label: (socket: Socket) => string, since = performance.now()): void {
    this.disarm(socket);
    // A new connection's bytes all count (a TLS session's bytesRead is its plaintext, from the handshake on).
    const timer = after(
      Math.max(0, since + this.timeoutMs - performance.now()),
      () => this.watches.get(socket) === timer && this.expire(socket, true, 0, label),
    );
    this.watches.set(socket, timer);
  }

  /** The next head on a kept-alive connection, due `timeoutMs` from now (see `idle`). */
  private armIdle(socket: Socket, label: (socket: Socket) => string): void {
    this.disarm(socket);
    let idle = this.idle.get(socket);
    if (idle) {
      idle.baseline = socket.bytesRead;
      idle.armed++;
      idle.timer.refresh();
    } else {
      const own: IdleWait = { baseline: socket.bytesRead, armed: 0, timer: null as unknown as NodeJS.Timeout };
      // As `after`; the count tells a wait armed again between the timer and the I/O turn from the one that ran out.
      own.timer = setTimeout(() => {
        const armed = own.armed;
        setImmediate(
          () =>
            armed === own.armed &&
            this.watches.get(socket) === own.timer &&
            this.expire(socket, false, own.baseline, label),
        );
      }, this.timeoutMs);
      this.idle.set(socket, (idle = own));
    }
    this.watches.set(socket, idle.timer);
  }

  /** No complete head in time. `fresh`: no request had been seen on this connection yet. */
  private expire(socket: Socket, fresh: boolean, baseline: number, label: (socket: Socket) => string): void {
    this.watches.delete(socket);
    const partial = socket.bytesRead > baseline;
    // An idle kept-alive connection is simply closed; a head that started, or never came, is reported.
    if (partial || fresh)
      this.report(
        'HEADER_TIMEOUT',
        `${label(socket)}: no complete request head from ${peer(socket)} within ${this.timeoutMs} ms (slow or stalled sender); connection closed`,
      );
    answerAndClose(
      socket,
      partial
        ? clientErrorResponse(
            { status: 408, reason: 'Request Timeout' },
            `the request head did not arrive within ${this.timeoutMs} ms`,
          )
        : null,
    );
  }

  private disarm(socket: Socket): void {
    const timer = this.watches.get(socket);
    // The idle timer is refreshed for the next wait, not cleared (a cleared timer cannot be refreshed).
    if (timer !== this.idle.get(socket)?.timer) clearTimeout(timer);
    this.watches.delete(socket);
  }
}
