// An HTTP/2 connection at the byte level: CONNECT through the proxy (or straight to the origin), TLS
// with ALPN h2 trusting the given roots, then hand-made bytes out and frames in; plus one ordinary
// request with node:http2 over the same kind of connection.
import { connect as h2Connect } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { FrameReader, type Frame } from './h2-frames.js';

export interface H2Target {
  /** The proxy's port on 127.0.0.1, or null to reach the origin directly. */
  proxyPort: number | null;
  /** The origin's name (CONNECT target, SNI, :authority) and port; reached directly on 127.0.0.1. */
  host: string;
  port: number;
  /** PEM roots the client trusts: the proxy's CA (through it) or the origin's root (direct). */
  ca: string[];
}

/** The CONNECT (when through the proxy) and the TLS handshake; rejects unless h2 was negotiated. */
export function openH2Tls(target: H2Target, timeoutMs = 5000): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    let current: Socket | null = null;
    const timer = setTimeout(() => fail(new Error(`no h2 session within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      current?.destroy();
      reject(error);
    };
    const handshake = (raw: Socket | null) => {
      const tls = tlsConnect({
        ...(raw ? { socket: raw } : { host: '127.0.0.1', port: target.port }),
        servername: target.host,
        ca: target.ca,
        ALPNProtocols: ['h2'],
      });
      current = tls;
      tls.once('error', fail);
      tls.once('secureConnect', () => {
        clearTimeout(timer);
        tls.removeListener('error', fail);
        if (tls.alpnProtocol !== 'h2') {
          tls.destroy();
          reject(new Error(`ALPN chose ${String(tls.alpnProtocol)}, not h2`));
        } else resolve(tls);
      });
    };
    if (target.proxyPort === null) return handshake(null);
    const raw = netConnect(target.proxyPort, '127.0.0.1');
    current = raw;
    raw.once('error', fail);
    raw.once('connect', () =>
      raw.write(`CONNECT ${target.host}:${target.port} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n\r\n`),
    );
    let reply = '';
    const onData = (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n\r\n');
      if (end < 0) return;
      raw.removeListener('data', onData);
      raw.removeListener('error', fail);
      raw.pause();
      if (!/^HTTP\/1\.[01] 200/.test(reply)) return fail(new Error(`CONNECT: ${reply.split('\r\n')[0]}`));
      handshake(raw);
    };
    raw.on('data', onData);
  });
}

/** A TLS connection that speaks raw frames: writes what it is given, collects what comes back. */
export class RawH2 {
  readonly reader = new FrameReader();
  closed = false;
  private wake: (() => void) | null = null;

  constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.feed(chunk);
      this.poke();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closed = true;
      this.poke();
    });
  }

  static async open(target: H2Target): Promise<RawH2> {
    return new RawH2(await openH2Tls(target));
  }

  get frames(): Frame[] {
    return this.reader.frames;
  }

  /** Writes and waits for the socket to take the bytes (false when the peer had already closed). */
  write(bytes: Buffer): Promise<boolean> {
    if (this.closed || this.socket.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(bytes, (error) => resolve(!error)));
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits until `done` holds over the frames so far, the connection closes, or `timeoutMs` passes. */
  async until(done: (frames: Frame[]) => boolean, timeoutMs: number): Promise<void> {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      this.poke();
    }, timeoutMs);
    while (!done(this.frames) && !this.closed && !expired) await new Promise<void>((resolve) => (this.wake = resolve));
    clearTimeout(timer);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One ordinary GET with node:http2 over a fresh connection: its :status and body. */
export async function h2Get(target: H2Target, path: string): Promise<{ status: number; body: string }> {
  const socket = await openH2Tls(target);
  const session = h2Connect(`https://${target.host}:${target.port}`, { createConnection: () => socket });
  try {
    return await new Promise((resolve, reject) => {
      session.once('error', reject);
      const stream = session.request({ ':path': path });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => (body += text));
      stream.once('end', () => resolve({ status, body }));
      stream.once('error', reject);
    });
  } finally {
    session.destroy();
  }
}
