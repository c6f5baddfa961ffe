// The https.Agent the MITM forwards requests with. It dials the CONNECT target (not the Host
// header) through the same connector as `inspect`, and hands a request only a connection whose
// leaf is the one recorded and verified for that host:port: the traffic connection itself is not
// tapped (bulk stays native), so the check is by fingerprint.
import { Agent, type AgentOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, type SecureContext, type SecureVersion, type TLSSocket } from 'node:tls';
import { openConnection, type ProxySpec } from '../net/connector.js';
import { formatHostPort, type HostPort, type ResolveMap } from '../net/target.js';
import type { ClientCredentials } from '../tls/probe.js';
import { WireTap } from '../tls/wire-tap.js';
import type { HostRecorder } from './host-recorder.js';
import { cutWhenSilent } from './plain-agent.js';
import type { HandshakeRecord } from '../types.js';

export interface UpstreamOptions {
  resolve: ResolveMap;
  proxyFor(host: string): ProxySpec | null;
  minVersion: SecureVersion;
  timeoutMs: number;
  recorder: HostRecorder;
  /** Whether a recorded upstream may be used (verified, or completed by AIA with --complete-chains). */
  accepts(record: HandshakeRecord): boolean;
  /** The client certificate to present to this upstream (--upstream-client-cert), if any. */
  clientFor(target: HostPort): ClientCredentials | null;
  /** Every trust anchor (public, system, extra; never the local CA), for OpenSSL to verify a traffic connection itself. */
  anchors(): string[];
  /** Upstream silence during an exchange before it is cut (ProxyLimits.responseTimeoutMs). */
  responseTimeoutMs: number;
}

interface ConnectionOptions {
  host?: string;
  port?: number | string;
  servername?: string;
}

/** How long a connection opened ahead of the first request waits for it. */
const PRECONNECT_TTL_MS = 5_000;

export class UpstreamAgent extends Agent {
  /**
   * One SecureContext per client identity, built once: passing `ca` to tls.connect() builds a context
   * per connection, and parsing every anchor (Mozilla's roots plus the OS store) took 36-70 ms of
   * event-loop time for each new upstream connection.
   */
  private defaultContext: SecureContext | null = null;
  private readonly clientContexts = new WeakMap<ClientCredentials, SecureContext>();

  constructor(
    private readonly upstream: UpstreamOptions,
    options: AgentOptions = {},
  ) {
    // Idle upstream connections kept per host: with 64, a burst of 1,000 app connections to one host
    // closed and reopened hundreds of upstream TLS sessions (the load test's fd count swung by 500).
    super({ keepAlive: true, maxFreeSockets: 256, timeout: upstream.responseTimeoutMs, ...options });
  }

  /** The context for connections with this client identity (none: the shared default). */
  contextFor(client: ClientCredentials | null): SecureContext {
    const build = () =>
      createSecureContext({
        // OpenSSL verifies each connection against the same anchors, so a rotated certificate can be judged here.
        ca: this.upstream.anchors(),
        minVersion: this.upstream.minVersion,
        // TLS 1.0/1.1 (--tls-min, asked for explicitly) only work at OpenSSL 3's security level 0, as in the probe.
        ...(this.upstream.minVersion === 'TLSv1' || this.upstream.minVersion === 'TLSv1.1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
        ...(client ? (client.pfx ? { pfx: client.pfx, passphrase: client.passphrase } : { cert: client.cert, key: client.key }) : {}),
      });
    if (!client) return (this.defaultContext ??= build());
    let context = this.clientContexts.get(client);
    if (!context) this.clientContexts.set(client, (context = build()));
    return context;
  }

  /**
   * Upstream connections opened ahead of the first request (see preconnect), by host:port. A new
   * host's first request then finds its connection already through the TLS handshake.
   */
  private readonly early = new Map<string, Promise<TLSSocket>>();

  /** Starts an upstream connection now, while the app is still in its handshake with the proxy. */
  preconnect(target: HostPort): void {
    const key = formatHostPort(target);
    if (this.early.has(key) || Object.keys(this.freeSockets).some((name) => name.startsWith(`${key}:`))) return;
    const dialing = this.dial(target.host, target.port);
    this.early.set(key, dialing);
    // Until a request takes it, an error on it (a reset, a TLS 1.3 alert after the handshake) is
    // nobody's; the request's own listener reports it once handed over.
    dialing.then((socket) => socket.on('error', () => undefined), () => undefined);
    // Not taken in time (the app went away): closed, never handed out stale.
    setTimeout(() => {
      if (this.early.get(key) !== dialing) return;
      this.early.delete(key);
      dialing.then((socket) => socket.destroy(), () => undefined);
    }, PRECONNECT_TTL_MS).unref();
  }

  override createConnection(options: ConnectionOptions, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const host = String(options.host).replace(/^\[|\]$/g, '');
    const port = Number(options.port);
    const key = formatHostPort({ host, port });
    let dialing = this.early.get(key);
    if (dialing) this.early.delete(key);
    else dialing = this.dial(host, port);
    dialing.then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error),
    );
    return undefined;
  }

  override destroy(): void {
    for (const dialing of this.early.values()) dialing.then((socket) => socket.destroy(), () => undefined);
    this.early.clear();
    super.destroy();
  }

  /** Connects and hands over only a connection whose leaf was recorded, or that OpenSSL verifies. */
  private dial(host: string, port: number): Promise<TLSSocket> {
    const { upstream } = this;
    return new Promise((resolve, reject) => {
      openConnection({ host, port, resolve: upstream.resolve, proxy: upstream.proxyFor(host), timeoutMs: upstream.timeoutMs }).then((connection) => {
        let secureContext: SecureContext;
        try {
          secureContext = this.contextFor(upstream.clientFor({ host, port }));
        } catch (error) {
          connection.socket.destroy();
          reject(error as Error);
          return;
        }
        const socket = tlsConnect({
          socket: connection.head.length ? new WireTap(connection.socket, connection.head) : connection.socket,
          secureContext,
          // The SNI the recording sent: the CONNECT target's name (none for an IP), not the Host header.
          servername: isIP(host) ? undefined : host,
          ALPNProtocols: ['http/1.1'],
          // The decision is ours (below): the recorded leaf, or OpenSSL's verdict on this connection.
          rejectUnauthorized: false,
        });
        const deadline = setTimeout(() => fail(new Error(`no TLS handshake with ${host}:${port} within ${upstream.timeoutMs} ms`)), upstream.timeoutMs);
        const fail = (error: Error) => {
          clearTimeout(deadline);
          socket.destroy();
          reject(error);
        };
        socket.once('error', fail);
        socket.once('secureConnect', () => {
          clearTimeout(deadline);
          socket.off('error', fail);
          cutWhenSilent(socket, formatHostPort({ host, port }), upstream.responseTimeoutMs);
          // Read once: a second getPeerX509Certificate() call on this socket came back undefined (Node 20).
          const peer = socket.getPeerX509Certificate();
          const seen = peer?.fingerprint256;
          const matches = (record: HandshakeRecord | undefined) => !!record && upstream.accepts(record) && !!seen && record.chain[0]?.sha256 === seen;
          if (matches(upstream.recorder.cached({ host, port }))) {
            resolve(socket);
            return;
          }
          // Servers behind a load balancer rotate certificates: a leaf that was not recorded passes only
          // if OpenSSL verifies this very connection (chain and name) against the same anchors, as a careful
          // client would; it is then recorded in the background.
          if (socket.authorized && peer && !checkServerIdentity(host, peer.toLegacyObject())) {
            upstream.recorder.refresh({ host, port }).catch(() => undefined);
            resolve(socket);
            return;
          }
          socket.destroy();
          reject(new Error(`${host}:${port} presented a certificate that was neither recorded nor verifiable (${socket.authorizationError ?? 'name mismatch'}; ${seen ?? 'no certificate'})`));
        });
      }, reject);
    });
  }
}
