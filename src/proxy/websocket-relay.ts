// A MITM session's WebSocket upgrade, relayed as the origin answers it (as mitmproxy does): the app's
// handshake goes to the origin over the connection OpenSSL verified, the origin's answer comes back as it
// is (a 101 with its accept key and extensions, or a 401, 403 or 404 with its body), and after a 101 the
// two connections are joined byte for byte. The app's own WebSocket client then checks the origin's
// accept key and agrees extensions with the origin, and sees the origin's refusal, as it would without
// the proxy.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HostPort } from '../types.js';
import { endToEndRequestFields, responseHopFields } from './hop-fields.js';
import { carriedOnH1, OriginHttpError, uncarriedStatus } from './origin-http-error.js';
import { withVia } from './via.js';

export interface UpgradeExchange {
  req: IncomingMessage;
  /** The app's connection, handed over by the HTTP server with the upgrade. */
  socket: Socket;
  /** The app's bytes read past its request head. */
  head: Buffer;
  /** A TLS connection to the origin that OpenSSL verified for `servername`. */
  carrier: Duplex;
  target: HostPort;
  servername: string;
  viaToken: string;
  /** The origin did not answer with anything the app can be given (nothing has been written to the app): the status the app is then answered with, null when it has gone. */
  failed(error: Error): number | null;
  /** The exchange is over: the status the app was given (null when cut before one), the origin's bytes after its head, its fields. */
  done(status: number | null, bytes: number, rawHeaders: string[]): void;
}

/**
 * The origin's fields not passed on: its hop-by-hop ones (hop-fields.ts), and Transfer-Encoding (a body's
 * chunks are taken off). On a 101, Connection and Upgrade are the switch itself and go to the app as sent;
 * on a refusal the proxy writes its own Connection.
 */
function hopFields(res: IncomingMessage, switching: boolean): Set<string> {
  const hop = new Set(responseHopFields(res.headers) ?? []).add('transfer-encoding');
  if (!switching) return hop.add('connection');
  hop.delete('connection');
  hop.delete('upgrade');
  return hop;
}

/** The origin's head as the app is sent it: its status line and its end-to-end fields, in their order and spelling. */
function answerHead(res: IncomingMessage, switching: boolean): string {
  const status = res.statusCode ?? 502;
  const hop = hopFields(res, switching);
  let head = `HTTP/1.1 ${status} ${res.statusMessage || STATUS_CODES[status] || ''}\r\n`;
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (!hop.has(raw[i]!.toLowerCase())) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  // A refusal's body runs to the close when it has no length of its own (its chunks were taken off).
  if (!switching) head += 'Connection: close\r\n';
  return `${head}\r\n`;
}

/** The app's upgrade request as the origin is sent it: its end-to-end fields, the switch it asks for, this proxy's Via. */
function upgradeFields(req: IncomingMessage, viaToken: string): Record<string, string | string[]> {
  const fields = endToEndRequestFields(req.headers) as Record<string, string | string[]>;
  const via = withVia(req.headers.via, viaToken);
  return { ...fields, connection: 'Upgrade', upgrade: req.headers.upgrade ?? 'websocket', via };
}

/** Joins two connections until either closes: an end is passed on, a close closes the other once it has flushed, an error closes both. */
function join(app: Socket, origin: Duplex, counted: (length: number) => void): void {
  for (const side of [app, origin] as Duplex[]) (side as Socket).setTimeout?.(0);
  app.setNoDelay(true);
  origin.on('data', (chunk: Buffer) => counted(chunk.length));
  app.pipe(origin);
  origin.pipe(app);
  // One side gone: the other is given what was already written to it, then closed, so a peer that keeps
  // its half open (no close of its own) does not hold the connection for ever. An error cuts at once.
  const closed = (other: Duplex) => () => {
    if (other.destroyed) return;
    if (other.writableFinished) return void other.destroy();
    other.once('finish', () => other.destroy());
    other.end();
  };
  const failed = (other: Duplex) => () => other.destroy();
  app.on('error', failed(origin)).on('close', closed(origin));
  origin.on('error', failed(app)).on('close', closed(app));
}

export function relayUpgrade(exchange: UpgradeExchange): void {
  const { req, socket, head, carrier, target } = exchange;
  let bytes = 0;
  let answered = false;
  let status: number | null = null;
  let rawHeaders: string[] = [];
  socket.once('close', () => exchange.done(status, bytes, rawHeaders));
  const up = httpsRequest({
    // The verified connection carries it (no agent: Node then takes createConnection's).
    createConnection: (() => carrier) as unknown as RequestOptions['createConnection'],
    host: target.host,
    port: target.port,
    servername: exchange.servername,
    method: req.method,
    path: req.url,
    headers: upgradeFields(req, exchange.viaToken),
  });
  const fail = (error: Error) => {
    if (answered) return void socket.destroy();
    answered = true;
    status = exchange.failed(error);
  };
  // The app leaving before the origin answered ends the origin's side too; nothing is left to tell.
  const appLeft = () => {
    if (answered) return;
    answered = true;
    up.destroy();
  };
  socket.on('error', appLeft).once('close', appLeft);
  up.on('error', fail);
  up.once('upgrade', (res: IncomingMessage, origin: Duplex, originHead: Buffer) => {
    answered = true;
    if (socket.destroyed) return void origin.destroy();
    status = 101;
    rawHeaders = res.rawHeaders;
    // Node's parser reads a head as Latin-1: written back so, an origin's non-ASCII bytes reach the app as sent.
    socket.write(answerHead(res, true), 'latin1');
    if (originHead.length) {
      bytes += originHead.length;
      socket.write(originHead);
    }
    if (head.length) origin.write(head);
    join(socket, origin, (length) => (bytes += length));
  });
  up.once('response', (res: IncomingMessage) => {
    const code = res.statusCode ?? 0;
    // The origin's connection carries nothing after an answer that is not a switch: it goes with it (no
    // agent pools it, and the origin would keep it until the silence limit, 60 s per refused upgrade).
    const drop = () => void carrier.destroy();
    if (!carriedOnH1(code)) {
      res.destroy();
      drop();
      // Node passes a 101 on as an answer, not a switch, when it lacks "Connection: upgrade" or Upgrade.
      return fail(
        code === 101
          ? new OriginHttpError('the origin answered 101 Switching Protocols without "Connection: upgrade" and Upgrade')
          : uncarriedStatus(code, 'HTTP/1.1'),
      );
    }
    answered = true;
    if (socket.destroyed) return drop();
    status = code;
    rawHeaders = res.rawHeaders;
    socket.write(answerHead(res, false), 'latin1');
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    // An answer cut short is not ended as if whole: the app sees a cut connection, the log no status.
    res.once('close', () => {
      if (res.complete) return;
      status = null;
      socket.destroy();
    });
    res.once('end', drop);
    socket.once('close', drop);
    res.pipe(socket);
  });
  up.end();
}
