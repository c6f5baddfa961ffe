// How the upstream agent pools its connections: the key it files them under, and a connection going back
// to the pool and out of it again, as Node's Agent.keepSocketAlive does it, but with the connection's
// silence limit (upstream-dial.ts cutWhenSilent) left running across exchanges instead of cleared and
// set again around each one (docs/benchmarks.md: per-exchange costs of a keep-alive request).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** What the pool key is made of. */
export interface PoolKeyOptions {
  host?: string | null;
  port?: number | string | null;
  localAddress?: string | null;
  family?: number | null;
  servername?: string | null;
}

/**
 * The agent's pool key. Node's https key appends ~20 TLS options (ca, cert, ciphers...) to host:port, and
 * an exchange makes it three times (the request, the socket's release, its return to the pool); the
 * upstream agent's TLS options are its own and the same for every connection (upstream-dial.ts), so
 * host, port and the name tell its connections apart, as Node's key does for them.
 */
export function poolKey({ host, port, localAddress, family, servername }: PoolKeyOptions): string {
  const name = servername && servername !== host ? servername : '';
  return `${host || 'localhost'}:${port ?? ''}:${localAddress ?? ''}:${family ?? ''}:${name}`;
}

/** Node's margin under an origin's announced idle timeout (_http_agent.js HTTP_AGENT_KEEP_ALIVE_TIMEOUT_BUFFER). */
const HINT_MARGIN_MS = 1000;

/**
 * How long an idle pooled connection may wait, in ms: the silence limit, or less when the origin
 * announced a shorter idle timeout (`Keep-Alive: timeout=N`, RFC 9112 9.3; a second under it, as Node
 * does, so that it is not reused as the origin closes it); null when that leaves no time to reuse it.
 * A silence limit of 0 is none (the hint is then not applied, as in Node). Pure.
 */
export function pooledTimeoutMs(keepAliveHeader: string | undefined, silenceMs: number): number | null {
  const hint = keepAliveHeader ? /^timeout=(\d+)/.exec(keepAliveHeader)?.[1] : undefined;
  if (hint === undefined) return silenceMs;
  const announced = Number.parseInt(hint, 10) * 1000 - HINT_MARGIN_MS;
  if (announced <= 0) return null;
  return silenceMs > 0 && announced < silenceMs ? announced : silenceMs;
}

type PooledSocket = Socket & { _httpMessage?: { res?: IncomingMessage } | null };

/** The agent's keepSocketAlive: true when the connection may wait in the pool. */
export function keepPooled(socket: PooledSocket, keepAliveMsecs: number, silenceMs: number): boolean {
  socket.setKeepAlive(true, keepAliveMsecs);
  socket.unref();
  const hint = socket._httpMessage?.res?.headers['keep-alive'];
  const ms = pooledTimeoutMs(typeof hint === 'string' ? hint : undefined, silenceMs);
  if (ms === null) return false;
  if (socket.timeout !== ms) socket.setTimeout(ms);
  return true;
}

/** A pooled connection handed to a request: its silence limit is the exchange's again, if the pool shortened it. */
export function reusePooled(socket: Socket, silenceMs: number): void {
  if (socket.timeout !== silenceMs) socket.setTimeout(silenceMs);
}
