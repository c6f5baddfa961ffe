// The app's TLS session with the proxy on a minted leaf, and what its end says: a handshake the app
// refused (it does not trust the tlswitness CA), garbage or a stall (an error event), or a session
// the app closed without a request. The app's ALPN choice (h2 or http/1.1) is taken in its order of
// preference; its HTTP goes to the proxy's inner servers once the upstream is recorded.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TLSSocket, type SecureContext } from 'node:tls';
import { errorEvent, type EventBus } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { classifyHandshakeEnd } from './client-handshake.js';
import type { ClientRejections } from './client-rejections.js';
import type { Verdict } from './host-recorder.js';
import type { UpstreamName } from './upstream-name.js';

export interface MitmConnection {
  target: HostPort;
  /**
   * Set once the upstream is recorded: before any request is handled, or, for a host whose traffic
   * connection passed the blocking checks (host-recorder.ts), once a response went out.
   */
  record: HandshakeRecord;
  /** The record's id, and whether the proxy forwards to the host (policy.ts upstreamAcceptable): set before any request. */
  recordId: string;
  accepted: boolean;
  requests: number;
  /** The app sent bytes after the handshake (it accepted the proxy's certificate). */
  spoke: boolean;
  /** The proxy closed it (the upstream could not be recorded): not the app's refusal. */
  closedByProxy?: boolean;
  /** The name verified upstream for this session (its SNI and the name checked); set with the record. */
  name?: UpstreamName;
  /** When the app's handshake completed (performance.now()): its first request head is due from then. */
  securedAt?: number;
}

export interface MitmSession {
  tlsSocket: TLSSocket;
  connection: MitmConnection;
}

/**
 * What the recorder's verdict says of a session's requests, set before any is handled: the record,
 * or (a host that passed the blocking checks) its id now and the record once it is made.
 */
export function settleVerdict(
  connection: MitmConnection,
  verdict: Verdict,
  accepted: boolean,
  failed: (error: unknown) => void,
): void {
  connection.accepted = accepted;
  if ('passed' in verdict) {
    connection.recordId = verdict.passed;
    verdict.record.then((record) => void (connection.record = record), failed);
  } else {
    connection.record = verdict.record;
    connection.recordId = verdict.record.id;
  }
}

export interface SessionOptions {
  socket: Socket;
  /** The app's first bytes (its ClientHello), already read from the socket. */
  first: Buffer;
  target: HostPort;
  context: SecureContext;
  /** Bytes the proxy had written before its TLS flight: more means the app was shown the leaf. */
  answered: number;
  timeoutMs: number;
  reportRejection: ReturnType<ClientRejections['reporter']>;
  events: EventBus;
}

/** The protocol the proxy speaks with the app: its first choice among h2 and http/1.1 (it offers one of them: connect-router.ts). */
export function appProtocol(offered: string[]): string | undefined {
  return offered.find((protocol) => protocol === 'h2' || protocol === 'http/1.1');
}

export function startMitmSession({
  socket,
  first,
  target,
  context,
  answered,
  timeoutMs,
  reportRejection,
  events,
}: SessionOptions): MitmSession {
  socket.unshift(first);
  const tlsSocket = new TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    ALPNCallback: ({ protocols }) => appProtocol(protocols),
  });
  const connection: MitmConnection = {
    target,
    record: null as unknown as HandshakeRecord,
    recordId: '',
    accepted: false,
    requests: 0,
    spoke: false,
  };
  let secure = false;
  let handshakeError: string | null = null;
  let timedOut = false;
  // An app that starts a handshake and goes quiet must not hold a socket for ever.
  const handshakeDeadline = setTimeout(() => {
    timedOut = true;
    tlsSocket.destroy();
  }, timeoutMs);
  tlsSocket.once('secure', () => {
    secure = true;
    connection.securedAt = performance.now();
    clearTimeout(handshakeDeadline);
  });
  tlsSocket.on('error', (error: NodeJS.ErrnoException) => {
    handshakeError ??= error.message;
  });
  tlsSocket.once('close', () => {
    clearTimeout(handshakeDeadline);
    if (connection.closedByProxy) return;
    if (secure) {
      if (connection.requests === 0 && !connection.spoke)
        reportRejection(
          'low',
          'the app completed the TLS handshake with the proxy but closed before sending a request',
        );
      return;
    }
    const verdict = classifyHandshakeEnd(
      { error: handshakeError, flightSent: socket.bytesWritten > answered, timedOut },
      timeoutMs,
    );
    if (verdict.kind === 'rejection') reportRejection(verdict.confidence, verdict.reason);
    else events.publish(errorEvent(verdict.code, `MITM ${formatHostPort(target)}: ${verdict.reason}`, target.host));
  });
  return { tlsSocket, connection };
}
