// How the upstream agent pools its connections: the key it files them under, a request handed a free
// one, and a connection going back to the pool and out of it again, as Node's Agent does these, less
// the per-exchange work Node spends on options this agent does not vary: the connection's silence
// limit (upstream-dial.ts cutWhenSilent) stays set across exchanges instead of being cleared and set
// again around each (docs/benchmarks.md: the work around each keep-alive exchange).
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** What the pool key is made of. */
export interface PoolKeyOptions {
  host?: string | null;
  port?: number | string | null;
  localAddress?: string | null;
  family?: number | null;
  servername?: string | null;
  socketPath?: string | null;
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

/** The origin's Keep-Alive field, from the parsed fields (as Node's Agent reads it). */
const parsedHint = (res: IncomingMessage): unknown => res.headers['keep-alive'];

/**
 * The origin's Keep-Alive field as it came, from the raw fields: for the plain path, whose answer's parsed
 * fields lose their hop-by-hop ones before the library writes them to the app (forward-request.ts).
 */
export function sentKeepAlive(res: IncomingMessage): string | undefined {
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length - 1; i += 2) if (raw[i]!.toLowerCase() === 'keep-alive') return raw[i + 1];
  return undefined;
}

/** The agent's keepSocketAlive: true when the connection may wait in the pool. */
export function keepPooled(
  socket: PooledSocket,
  keepAliveMsecs: number,
  silenceMs: number,
  hintOf: (res: IncomingMessage) => unknown = parsedHint,
): boolean {
  socket.setKeepAlive(true, keepAliveMsecs);
  socket.unref();
  const res = socket._httpMessage?.res;
  const hint = res ? hintOf(res) : undefined;
  const ms = pooledTimeoutMs(typeof hint === 'string' ? hint : undefined, silenceMs);
  if (ms === null) return false;
  if (socket.timeout !== ms) socket.setTimeout(ms);
  return true;
}

/** A pooled connection handed to a request: its silence limit is the exchange's again, if the pool shortened it. */
export function reusePooled(socket: Socket, silenceMs: number): void {
  if (socket.timeout !== silenceMs) socket.setTimeout(silenceMs);
}

/**
 * The parts of Node's Agent the free-connection path reads and keeps up to date: undocumented, and
 * each may be missing on another Node (docs/design.md, Node internals it relies on).
 */
interface PoolParts {
  freeSockets?: Record<string, Socket[] | undefined>;
  sockets?: Record<string, Socket[] | undefined>;
  scheduling?: string;
  reuseSocket?(socket: Socket, request: ClientRequest): void;
}

/**
 * A request given the newest free connection under its key, as Node's Agent.addRequest does it, without
 * the rest of addRequest: a copy of the request's and the agent's options into a prototype-less object
 * (every later read of it a dictionary lookup) to make the key from, and a new async-hooks id for the
 * connection (tlswitness uses no async hooks). Measured paired against the agent without it: 0.89-0.90
 * of the CPU per keep-alive request (docs/benchmarks.md). False, with nothing done, for any request it
 * does not cover (no free connection, a request with its own timeout, no name given, which Node would
 * take from the Host header, Unix sockets, FIFO scheduling, a Node whose Agent or request lacks a part
 * this uses): Node's addRequest then.
 */
export function takeFree(agent: PoolParts, request: ClientRequest, options: PoolKeyOptions): boolean {
  if (typeof options.servername !== 'string' || options.socketPath || agent.scheduling === 'fifo') return false;
  if ((request as { timeout?: number }).timeout !== undefined) return false;
  const { freeSockets, sockets } = agent;
  if (!freeSockets || !sockets || typeof agent.reuseSocket !== 'function' || typeof request.onSocket !== 'function')
    return false;
  const name = poolKey(options);
  const free = freeSockets[name];
  const socket = free?.at(-1);
  // A destroyed one is Node's to clear out of the list.
  if (!free || !socket || socket.destroyed) return false;
  free.pop();
  if (!free.length) delete freeSockets[name];
  agent.reuseSocket(socket, request);
  request.onSocket(socket);
  (sockets[name] ??= []).push(socket);
  return true;
}
