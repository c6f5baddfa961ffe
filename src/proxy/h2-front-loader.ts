// The HTTP/2 front (h2-front.ts), loaded when the first app chooses h2: node:http2 (with node:assert)
// costs ~5 ms of start-up and ~2 MB that a proxy whose apps all speak HTTP/1.1 never needs.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readClientHello } from '../tls/client-hello.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import type { FrontContext } from './front-context.js';
import type { H2Front } from './h2-front.js';
import type { MitmConnection, MitmSession } from './mitm-session.js';
import type { UpstreamName } from './upstream-name.js';

export class H2FrontLoader {
  private front: H2Front | null = null;
  private loading: Promise<H2Front> | null = null;
  private closed = false;

  constructor(
    private readonly shared: FrontContext,
    private readonly crossChecked: (connection: MitmConnection) => Promise<HandshakeRecord>,
  ) {}

  private load(): Promise<H2Front> {
    return (this.loading ??= import('./h2-front.js').then(
      ({ H2Front }) => (this.front = new H2Front(this.shared, this.crossChecked)),
    ));
  }

  /**
   * Whether the app's first ALPN choice is h2 (the proxy serves it over h2). When it is, the front
   * starts loading now, while the upstream is dialled, so that the app's streams do not wait for it.
   */
  wants(first: Buffer): boolean {
    const h2 = readClientHello(first).alpn?.[0] === 'h2';
    if (h2) this.load().catch(() => undefined);
    return h2;
  }

  /** H2Front.preconnect, once the front is loaded. */
  preconnect(first: Buffer, target: HostPort, name: UpstreamName): boolean {
    if (this.front) return this.front.preconnect(first, target, name);
    if (!this.wants(first)) return false;
    this.load().then(
      (front) => (this.closed ? undefined : front.preconnect(first, target, name)),
      () => undefined,
    );
    return true;
  }

  /** H2Front.serve; an HTTP/1.1 session goes to `http1` without loading the front. */
  serve(session: MitmSession, outer: Socket, http1: (tlsSocket: TLSSocket) => void): void {
    if (this.front) return this.front.serve(session, outer, http1);
    const { tlsSocket, connection } = session;
    if (connection.securedAt === undefined) {
      tlsSocket.once('secure', () => this.serve(session, outer, http1));
      return;
    }
    if (tlsSocket.alpnProtocol !== 'h2') return http1(tlsSocket);
    this.load().then(
      (front) => (this.closed ? tlsSocket.destroy() : front.serve(session, outer, http1)),
      (error: Error) => tlsSocket.destroy(error),
    );
  }

  close(): void {
    this.closed = true;
    this.front?.close();
  }
}
