// TCP connections to a new host opened ahead of their dial (upstream-dial.ts), from the app's CONNECT:
// DNS and the TCP handshake (or an upstream proxy's CONNECT) run while the app sends its ClientHello,
// whose SNI and ALPN the TLS handshake needs.
import { formatHostPort } from '../host-port.js';
import { openConnection, type Connection } from '../net/connector.js';
import type { HostPort } from '../types.js';
import type { UpstreamOptions } from './upstream-dial.js';

export interface AheadParts {
  upstream: Pick<UpstreamOptions, 'resolve' | 'proxyFor' | 'timeoutMs'>;
  /** The agent is closing: nothing more is opened. */
  closed: boolean;
  /** The connections opened ahead, by host:port. */
  ahead: Map<string, Promise<Connection>>;
}

/** How long a connection opened ahead waits for its dial: an app sends its ClientHello right after the 200. */
const AHEAD_TTL_MS = 2_000;

/** Each connection opened ahead once it is up, so that its dial takes it without waiting a turn (see takeConnection). */
const opened = new WeakMap<Promise<Connection>, Connection>();

function openTcp({ upstream }: AheadParts, target: HostPort): Promise<Connection> {
  return openConnection({
    host: target.host,
    port: target.port,
    resolve: upstream.resolve,
    proxy: upstream.proxyFor(target.host),
    timeoutMs: upstream.timeoutMs,
  });
}

/**
 * Opens the TCP connection (DNS, an upstream proxy's CONNECT) for a dial about to come, so that it runs
 * while the app sends its ClientHello; the TLS handshake, which needs the app's SNI and ALPN, waits for
 * the dial. One not taken within AHEAD_TTL_MS is closed.
 */
export function openAhead(parts: AheadParts, target: HostPort): void {
  const key = formatHostPort(target);
  if (parts.closed || parts.ahead.has(key)) return;
  const opening = openTcp(parts, target);
  opening.then(
    (connection) => opened.set(opening, connection),
    () => undefined,
  );
  parts.ahead.set(key, opening);
  setTimeout(() => dropAhead(parts, target, opening), AHEAD_TTL_MS).unref();
}

/** Closes the connection opened ahead for `target` (that one only, when given): no dial is coming for it. */
export function dropAhead(parts: AheadParts, target: HostPort, only?: Promise<Connection>): void {
  const key = formatHostPort(target);
  const opening = parts.ahead.get(key);
  if (!opening || (only && opening !== only)) return;
  parts.ahead.delete(key);
  opening.then(
    (connection) => connection.socket.destroy(),
    () => undefined,
  );
}

/**
 * The connection opened ahead for `target` when it is still open, else a new one. One already up is
 * returned as it is, not through a promise: the dial then writes its ClientHello in the same turn as
 * the app's ClientHello was read, before the app's own handshake with the proxy (and the leaf's
 * certificate) take the thread, so the origin works on its answer meanwhile (~1 ms earlier, measured).
 */
export function takeConnection(parts: AheadParts, target: HostPort): Connection | Promise<Connection> {
  const key = formatHostPort(target);
  const opening = parts.ahead.get(key);
  if (!opening) return openTcp(parts, target);
  parts.ahead.delete(key);
  const up = opened.get(opening);
  if (up) return usable(up) ? up : openTcp(parts, target);
  return opening.then((connection) => (usable(connection) ? connection : openTcp(parts, target)));
}

/** Still open; else closed, for a new one to be opened. */
function usable(connection: Connection): boolean {
  if (!connection.socket.destroyed && connection.socket.readable) return true;
  connection.socket.destroy();
  return false;
}
