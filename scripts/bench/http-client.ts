// The load generator's client: raw TLS sockets, an optional CONNECT through a proxy, and just enough
// HTTP/1.1 (Content-Length or chunked bodies, keep-alive) to time requests without a library's cost.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Route {
  /** The proxy's port on 127.0.0.1; null to reach the origin directly. */
  proxyPort: number | null;
  /** The origin's address (or the delay relay's) for a direct connection; 127.0.0.1 when absent. */
  originHost?: string;
  originPort: number;
  /** PEM roots the client trusts: the bench root, plus the proxy's CA for a MITM. */
  ca: string[];
  timeoutMs: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** CONNECT through the proxy (when there is one), then a full TLS handshake (no session reuse) as `servername`. */
export function openTls(route: Route, servername: string, alpn: string[] = ['http/1.1']): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error, socket: Socket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const handshake = (raw: Socket | null) => {
      const tls = tlsConnect({
        ...(raw ? { socket: raw } : { host: route.originHost ?? '127.0.0.1', port: route.originPort }),
        servername,
        ca: route.ca,
        ALPNProtocols: alpn,
      });
      current = tls;
      tls.once('error', (error) => fail(error, tls));
      tls.once('secureConnect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        tls.removeAllListeners('error');
        resolve(tls);
      });
    };
    let current: Socket;
    const timer = setTimeout(
      () => fail(new Error(`no TLS session with ${servername} within ${route.timeoutMs} ms`), current),
      route.timeoutMs,
    );
    if (route.proxyPort === null) {
      handshake(null);
      return;
    }
    const raw = netConnect({ host: '127.0.0.1', port: route.proxyPort });
    current = raw;
    raw.setNoDelay(true);
    raw.once('error', (error) => fail(error, raw));
    raw.once('connect', () =>
      raw.write(
        `CONNECT ${servername}:${route.originPort} HTTP/1.1\r\nHost: ${servername}:${route.originPort}\r\n\r\n`,
      ),
    );
    let reply = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const end = reply.indexOf(CRLF2);
      if (end < 0) return;
      raw.removeListener('data', onData);
      raw.removeAllListeners('error');
      raw.pause();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply.toString('latin1'))?.[1];
      if (status !== '200')
        return fail(
          new Error(`CONNECT ${servername}: ${reply.subarray(0, end).toString('latin1').split('\r\n')[0]}`),
          raw,
        );
      if (end + 4 < reply.length) raw.unshift(reply.subarray(end + 4));
      handshake(raw);
    };
    raw.on('data', onData);
  });
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer';

/** One HTTP/1.1 response at a time off a byte stream: the status, when its first byte came, and its body length. */
export class ResponseParser {
  status = 0;
  bodyBytes = 0;
  private state: State = 'head';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;

  reset(): void {
    this.status = 0;
    this.bodyBytes = 0;
    this.state = 'head';
    this.pending = Buffer.alloc(0);
    this.remaining = 0;
  }

  /** Feeds bytes; true once the response is complete (bytes after it are not expected: no pipelining). */
  feed(chunk: Buffer): boolean {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    for (;;) {
      switch (this.state) {
        case 'head': {
          const end = data.indexOf(CRLF2);
          if (end < 0) {
            this.pending = data;
            return false;
          }
          const head = data.toString('latin1', 0, end);
          this.status = Number(head.slice(9, 12));
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) this.state = 'chunk-size';
          else if (length) {
            this.state = 'length';
            this.remaining = Number(length[1]);
          } else throw new Error(`response without Content-Length or chunked body: ${head.split('\r\n')[0]}`);
          data = data.subarray(end + 4);
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, data.length);
          this.remaining -= take;
          this.bodyBytes += take;
          return this.remaining === 0;
        }
        case 'chunk-size': {
          const end = data.indexOf('\r\n');
          if (end < 0) {
            this.pending = data;
            return false;
          }
          const size = parseInt(data.toString('latin1', 0, end), 16);
          data = data.subarray(end + 2);
          if (size === 0) this.state = 'trailer';
          else {
            this.state = 'chunk-data';
            this.remaining = size;
          }
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, data.length);
          this.remaining -= take;
          this.bodyBytes += take;
          data = data.subarray(take);
          if (this.remaining > 0) return false;
          this.state = 'chunk-end';
          this.remaining = 2;
          break;
        }
        case 'chunk-end': {
          const take = Math.min(this.remaining, data.length);
          this.remaining -= take;
          data = data.subarray(take);
          if (this.remaining > 0) return false;
          this.state = 'chunk-size';
          break;
        }
        case 'trailer': {
          const end = data.indexOf('\r\n');
          if (end < 0) {
            this.pending = data;
            return false;
          }
          if (end === 0) return true;
          data = data.subarray(end + 2);
          break;
        }
      }
    }
  }
}

export interface Exchange {
  status: number;
  bodyBytes: number;
  /** Milliseconds from the request's write to the response's first byte, and to its last. */
  firstByteMs: number;
  totalMs: number;
  /** performance.now() of the first byte, to time from earlier steps (connect, handshake). */
  firstByteAt: number;
}

/** A keep-alive connection that runs one request at a time. */
export class Connection {
  private readonly parser = new ResponseParser();
  private waiting: {
    resolve(exchange: Exchange): void;
    reject(error: Error): void;
    started: number;
    firstByte: number;
  } | null = null;
  closed = false;

  constructor(
    readonly socket: TLSSocket,
    /** A request without a complete response by then fails and closes the connection. */
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('timeout', () => {
      this.fail(new Error(`no complete response within ${timeoutMs} ms`));
      this.close();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      this.closed = true;
      this.fail(new Error('connection closed'));
    });
  }

  request(path: string, host: string): Promise<Exchange> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.parser.reset();
      this.waiting = { resolve, reject, started: performance.now(), firstByte: 0 };
      this.socket.setTimeout(this.timeoutMs);
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tlswitness-bench\r\nAccept: */*\r\n\r\n`);
    });
  }

  private onData(chunk: Buffer): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (!waiting.firstByte) waiting.firstByte = performance.now();
    let done: boolean;
    try {
      done = this.parser.feed(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (!done) return;
    this.waiting = null;
    this.socket.setTimeout(0);
    const now = performance.now();
    waiting.resolve({
      status: this.parser.status,
      bodyBytes: this.parser.bodyBytes,
      firstByteMs: waiting.firstByte - waiting.started,
      totalMs: now - waiting.started,
      firstByteAt: waiting.firstByte,
    });
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
