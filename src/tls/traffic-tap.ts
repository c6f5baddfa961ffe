// The record's view of a traffic connection's own handshake: the server's raw bytes (WireTap) and the
// TLS 1.3 handshake secret (keylog) are kept until the handshake ends, then read into the same
// ProbeResult a probe gives, and let go. The tap stays under the TLS socket (Node cannot take a JS
// stream out from under one), passing bytes on without copying them.
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type { Connection } from '../net/connector.js';
import { handshakeTimeout, socketError, type HandshakeError } from './handshake-end.js';
import type { ProbeResult } from './probe.js';
import { readServerFlight } from './server-flight.js';
import { serverHandshakeSecret } from './tls13-decrypt.js';
import { WireTap } from './wire-tap.js';

/** How a handshake failed: an error (an alert, a reset, a close), or no end within the deadline. */
export type HandshakeEnd = { error: NodeJS.ErrnoException } | { timeoutMs: number };

export class TrafficTap {
  /** The stream to hand tls.connect as its socket. */
  readonly stream: WireTap;
  private readonly keylog: string[] = [];
  private readonly onKeylog = (line: Buffer) => this.keylog.push(line.toString('latin1'));
  private socket: TLSSocket | null = null;
  private started = 0;

  constructor(connection: Connection) {
    this.stream = new WireTap(connection.socket, connection.head, true);
  }

  /** Follows `socket`'s handshake from now on (call right after tls.connect). */
  watch(socket: TLSSocket): void {
    this.socket = socket;
    this.started = performance.now();
    socket.on('keylog', this.onKeylog);
  }

  /** The handshake as a probe would report it: at secureConnect, or when it failed (error, close, timeout). */
  result(end: HandshakeEnd | null): ProbeResult {
    const socket = this.socket;
    const secure = end === null;
    let error: HandshakeError | null = null;
    if (end) error = 'error' in end ? socketError(end.error, false) : handshakeTimeout(end.timeoutMs);
    const flight = readServerFlight(this.stream.received(), serverHandshakeSecret(this.keylog));
    this.release();
    return {
      secure,
      protocol: secure ? (socket?.getProtocol() ?? null) : null,
      cipher: secure ? (socket?.getCipher()?.standardName ?? null) : null,
      alpn: secure ? socket?.alpnProtocol || null : null,
      flight,
      error,
      handshakeMs: secure ? performance.now() - this.started : null,
      // OpenSSL's verdict on this connection is the gate's (openssl-gate.ts), not part of the record.
      openssl: null,
      http: null,
    };
  }

  /** Stops keeping the server's bytes and the secrets: the handshake is over. */
  release(): void {
    this.stream.forget();
    this.socket?.off('keylog', this.onKeylog);
    this.keylog.length = 0;
  }
}
