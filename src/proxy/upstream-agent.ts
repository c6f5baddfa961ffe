// The https.Agent the MITM forwards requests with: each connection dialled and gated by OpenSSL
// (upstream-dial.ts); connections opened ahead of a session's first request; a new host recorded from
// its first traffic connection's handshake, whose tap then leaves the pool once a plain replacement is up.
import type { ClientRequest } from 'node:http';
import { Agent, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { UpstreamRefusal } from './openssl-gate.js';
import { keepPooled, poolKey, reusePooled, takeFree, type PoolKeyOptions } from './upstream-pool.js';
import { UpstreamContexts } from './upstream-contexts.js';
import { dropAhead, openAhead } from './upstream-ahead.js';
import { dialUpstream, type DialParts, type UpstreamOptions } from './upstream-dial.js';
import { upstreamName, type UpstreamName } from './upstream-name.js';
import { guardAdd, handOver } from './agent-faults.js';

export type { Disagreement, UpstreamOptions } from './upstream-dial.js';

interface ConnectionOptions {
  host?: string;
  port?: number | string;
  /** The app's name, set by the proxy on every request ('' for none); Node's pool key includes it. */
  servername?: string;
}

/** How long a connection opened ahead of the first request waits for it. */
const PRECONNECT_TTL_MS = 5_000;
/** What a connection that recorded its host may carry before a plain one replaces it (see keepSocketAlive). */
export const REPLACE_AFTER_BYTES = 256 * 1024;
/** Hosts remembered as recorded before (~100 bytes each). */
const RECORDED_HOSTS_KEPT = 10_000;

/** The early-connection key: host:port and the name. */
const earlyKey = (target: HostPort, name: UpstreamName) => `${formatHostPort(target)}#${name.servername ?? ''}`;

export class UpstreamAgent extends Agent {
  private readonly parts: DialParts;
  /**
   * Upstream connections opened ahead of the first request (see preconnect), by host:port. A new
   * host's first request then finds its connection already through the TLS handshake.
   */
  private readonly early = new Map<string, Promise<TLSSocket>>();
  /** Parked dials that offered h2, for the HTTP/2 front only; the others for HTTP/1.1 requests only (dial). */
  private readonly offeringH2 = new WeakSet<Promise<TLSSocket>>();
  /**
   * The hosts recorded from a traffic connection that came up (newest last, bounded): their next records
   * are probes'.
   */
  private readonly recordedBefore = new Set<string>();
  /** Connections that recorded their host (a JS tap under their TLS), with what they connect to. */
  private readonly tapped = new WeakMap<object, { target: HostPort; name: UpstreamName }>();
  /** Records refused by OpenSSL on the connection they were made from, with its verdict in them (for crossCheck). */
  private readonly verdicts = new WeakMap<HandshakeRecord, HandshakeRecord>();

  constructor(upstream: UpstreamOptions, options: AgentOptions = {}) {
    // Idle upstream connections kept per host: with 64, a burst of 1,000 app connections to one host
    // closed and reopened hundreds of upstream TLS sessions (the load test's fd count swung by 500).
    // No `timeout` for Node to handle: each connection's silence limit is set once when it is dialled
    // (upstream-dial.ts) and kept across exchanges (upstream-pool.ts); with one, Node cleared and set
    // it again around every exchange, with a listener added and removed each time.
    super({ keepAlive: true, maxFreeSockets: 256, ...options });
    this.parts = {
      upstream,
      contexts: new UpstreamContexts(upstream),
      dialling: new Set(),
      closed: false,
      taps: new WeakMap(),
      ahead: new Map(),
    };
  }

  /**
   * Starts an upstream connection now, while the app is still in its handshake with the proxy, unless
   * one is under way or free in the pool. False when nothing was started.
   */
  preconnect(target: HostPort, name: UpstreamName): boolean {
    const key = earlyKey(target, name);
    if (this.early.has(key) || this.freeSockets?.[this.poolName(target, name)]?.length) return false;
    this.park(key, dialUpstream(this.parts, target, name, false), PRECONNECT_TTL_MS);
    return true;
  }

  /**
   * For a host not recorded yet: its TCP connection opened now, from the CONNECT, while the app sends the
   * ClientHello whose SNI and ALPN its TLS handshake needs (upstream-dial.ts openAhead). False when nothing was started.
   */
  openAhead(target: HostPort): boolean {
    if (this.parts.upstream.recorder.knows(target)) return false;
    openAhead(this.parts, target);
    return true;
  }

  /** The connection opened ahead for a CONNECT that turned out not to be MITM'd, closed. */
  dropAhead(target: HostPort): void {
    dropAhead(this.parts, target);
  }

  /**
   * Node's pool key for the requests the MITM sends this target under this name (mitm-forward.ts), as
   * addRequest makes it. Node leaves out a servername equal to the host, so a search for the name in
   * the keys found no free connection for most hosts, and every new app connection to a known host
   * dialled an upstream handshake it did not use.
   */
  private poolName(target: HostPort, name: UpstreamName): string {
    return this.getName({ ...this.options, host: target.host, port: target.port, servername: name.servername ?? '' });
  }

  /**
   * A host with no fresh record and none under way is recorded from the handshake of its first
   * traffic connection, opened now and kept for the session's first request: one TCP and TLS
   * handshake for a new host, not a probe's and then this one's. A host recorded before (its record
   * now stale) is recorded again by the recorder's own probe, beside a plain connection opened now for
   * the request: a tapped connection carries its JS tap for life, which a large download on it paid
   * for at about 2.5x the CPU per MB, and a host's next connection after the TTL is often a
   * download's. False when nothing was started.
   */
  recordHost(target: HostPort, name: UpstreamName, alpn: string[] = ['http/1.1']): boolean {
    const key = earlyKey(target, name);
    if (this.parts.upstream.recorder.knows(target, name.recordAs) || this.early.has(key)) return false;
    const again = this.recordedBefore.has(key);
    const dialing = dialUpstream(this.parts, target, name, !again, alpn);
    if (alpn.includes('h2')) this.offeringH2.add(dialing);
    dialing
      .then(
        (socket) => {
          // Remembered once a connection that records the host is up: after a first dial that failed (a
          // reset, a refusal) the next one records from its own handshake again, not a probe's and then its own.
          this.recordedBefore.delete(key);
          this.recordedBefore.add(key);
          if (this.recordedBefore.size > RECORDED_HOSTS_KEPT)
            this.recordedBefore.delete(this.recordedBefore.values().next().value!);
          if (!again) this.tapped.set(socket, { target, name });
        },
        (error) => {
          // OpenSSL's verdict on this very connection, for the block page (crossCheck): none dialled for it.
          const record = this.parts.upstream.recorder.cached(target, name.recordAs);
          if (record && error instanceof UpstreamRefusal && error.record) this.verdicts.set(record, error.record);
        },
      )
      // Bookkeeping only (the request takes the dial through park): a throw here must not end the process.
      .catch(() => undefined);
    this.park(key, dialing, PRECONNECT_TTL_MS);
    return true;
  }

  /**
   * A connection of its own through the same gate, offering `alpn` (the HTTP/2 front offers h2 too,
   * h2-upstream.ts); the host's record is the recorder's.
   */
  dial(host: string, port: number, name: UpstreamName, alpn: string[] = ['http/1.1']): Promise<TLSSocket> {
    // The connection that records a new host (offering h2 for an app that prefers it) is the first one used.
    // Not one dialled for an HTTP/1.1 app beside it (http/1.1 offered alone): taken, it made an origin that
    // speaks h2 look HTTP/1.1-only, and the h2 app's gRPC calls were refused. Nor, the other way, does an
    // HTTP/1.1 request take one that offered h2 (createConnection): the origin may have chosen h2.
    const key = earlyKey({ host, port }, name);
    const parked = alpn.includes('h2') ? this.early.get(key) : undefined;
    if (parked && this.offeringH2.has(parked)) {
      this.early.delete(key);
      return parked;
    }
    return dialUpstream(this.parts, { host, port }, name, false, alpn);
  }

  /** Gives back a connection `dial` handed out that the caller cannot use (an origin that chose HTTP/1.1). */
  giveBack(target: HostPort, name: UpstreamName, socket: TLSSocket): void {
    const key = earlyKey(target, name);
    if (this.early.has(key) || socket.destroyed) socket.end();
    else this.park(key, Promise.resolve(socket), PRECONNECT_TTL_MS);
  }

  /** A request on a free connection takes it (upstream-pool.ts takeFree); any other, Node's way. */
  addRequest(request: ClientRequest, options: PoolKeyOptions): void {
    guardAdd(request, () => {
      if (takeFree(this as unknown as Parameters<typeof takeFree>[0], request, options)) return;
      (Agent.prototype as unknown as { addRequest: UpstreamAgent['addRequest'] }).addRequest.call(
        this,
        request,
        options,
      );
    });
  }

  /** The pool key (upstream-pool.ts): Node's reads ~20 TLS options this agent sets once for every connection. */
  override getName(options: PoolKeyOptions = {}): string {
    return poolKey(options);
  }

  /** Keeps a dialled connection for the next createConnection to the same key, for `ttlMs` at most. */
  private park(key: string, dialing: Promise<TLSSocket>, ttlMs: number, keepRefusal = true): void {
    this.early.set(key, dialing);
    const forget = () => {
      if (this.early.get(key) === dialing) this.early.delete(key);
    };
    // Until a request takes it, an error on it (a reset, a TLS 1.3 alert after the handshake) is
    // nobody's; the request's own listener reports it once handed over. Closed, it is not handed out.
    // A refusal is kept for the request it was dialled for (it explains its block page), not for another.
    dialing.then(
      (socket) => socket.on('error', () => undefined).once('close', forget),
      () => keepRefusal || forget(),
    );
    // Not taken in time (the app went away): closed, never handed out stale.
    setTimeout(() => {
      if (this.early.get(key) !== dialing) return;
      forget();
      dialing.then(
        (socket) => socket.destroy(),
        () => undefined,
      );
    }, ttlMs).unref();
  }

  /**
   * A connection that recorded its host carries a JS tap for life (Node cannot take it out from under
   * TLS), which costs large transfers CPU (5-15% more per MB). Once it has carried more than
   * REPLACE_AFTER_BYTES and is idle, a plain connection is dialled to take its place in the pool, and
   * the tapped one leaves it when that is up (or when next idle, if busy then). Small exchanges keep it:
   * a replacement for every host visited once would cost a handshake each.
   */
  override keepSocketAlive(socket: Socket): boolean {
    const tapped = this.tapped.get(socket);
    const tap = this.parts.taps.get(socket);
    if (!tapped || !tap || tap.bytesReceived < REPLACE_AFTER_BYTES) return this.keepPooled(socket);
    const key = earlyKey(tapped.target, tapped.name);
    if (this.early.has(key)) {
      this.tapped.delete(socket);
      return false;
    }
    const replacement = dialUpstream(this.parts, tapped.target, tapped.name, false);
    this.park(key, replacement, this.parts.upstream.responseTimeoutMs, false);
    replacement.then(
      () => {
        if (Object.values(this.freeSockets ?? {}).some((free) => free?.includes(socket))) socket.destroy();
      },
      () => undefined,
    );
    return this.keepPooled(socket);
  }

  private keepPooled(socket: Socket): boolean {
    return keepPooled(socket, this.options.keepAliveMsecs ?? 1000, this.parts.upstream.responseTimeoutMs);
  }

  override reuseSocket(socket: Socket, request: ClientRequest): void {
    super.reuseSocket(socket, request);
    reusePooled(socket, this.parts.upstream.responseTimeoutMs);
  }

  override createConnection(
    options: ConnectionOptions,
    callback: (error: Error | null, socket?: Duplex) => void,
  ): undefined {
    handOver(() => {
      const host = String(options.host).replace(/^\[|\]$/g, '');
      const port = Number(options.port);
      const name = upstreamName({ host, port }, options.servername || null);
      if (!name)
        throw new Error(
          `${formatHostPort({ host, port })}: ${JSON.stringify(options.servername)} is not a name a certificate can be checked for`,
        );
      const key = earlyKey({ host, port }, name);
      const dialing = this.early.get(key);
      if (!dialing || this.offeringH2.has(dialing)) return dialUpstream(this.parts, { host, port }, name, false);
      this.early.delete(key);
      return dialing;
    }, callback);
    return undefined;
  }

  /**
   * OpenSSL's verdict on a fresh connection to a host whose record blocks it: the record with that
   * verdict in it (a disagreement is reported as for any connection), for the block page.
   */
  async crossCheck(target: HostPort, name: UpstreamName, record: HandshakeRecord): Promise<HandshakeRecord> {
    const known = this.verdicts.get(record);
    if (known) return known;
    try {
      // Passing means another leaf than the recorded one (it is recorded again): the record stays as it is.
      (await dialUpstream(this.parts, target, name, false)).destroy();
      return record;
    } catch (error) {
      return error instanceof UpstreamRefusal && error.record ? error.record : record;
    }
  }

  override destroy(): void {
    // Connections still in their handshake go now; a connection dialled after this is refused.
    this.parts.closed = true;
    for (const socket of this.parts.dialling) socket.destroy();
    const ignore = () => undefined;
    for (const opening of this.parts.ahead.values()) opening.then((opened) => opened.socket.destroy(), ignore);
    this.parts.ahead.clear();
    for (const dialing of this.early.values()) dialing.then((socket) => socket.destroy(), ignore);
    this.early.clear();
    super.destroy();
  }
}
