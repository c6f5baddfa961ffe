// The https.Agent the MITM forwards requests with. It dials the CONNECT target (not the Host
// header) through the same connector as `inspect`, and hands a request only a connection whose
// leaf is the one recorded and verified for that host:port: the traffic connection itself is not
// tapped (bulk stays native), so the check is by fingerprint.
import { Agent, type AgentOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, connect as tlsConnect, type SecureVersion } from 'node:tls';
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

export class UpstreamAgent extends Agent {
  private anchorsPem: string[] | null = null;

  constructor(
    private readonly upstream: UpstreamOptions,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, maxFreeSockets: 64, timeout: upstream.responseTimeoutMs, ...options });
  }

  override createConnection(options: ConnectionOptions, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const host = String(options.host).replace(/^\[|\]$/g, '');
    const port = Number(options.port);
    const { upstream } = this;
    openConnection({ host, port, resolve: upstream.resolve, proxy: upstream.proxyFor(host), timeoutMs: upstream.timeoutMs }).then(
      (connection) => {
        const client = upstream.clientFor({ host, port });
        const socket = tlsConnect({
          socket: connection.head.length ? new WireTap(connection.socket, connection.head) : connection.socket,
          cert: client?.cert,
          key: client?.key,
          // The SNI the recording sent: the CONNECT target's name (none for an IP), not the Host header.
          servername: isIP(host) ? undefined : host,
          // OpenSSL verifies this connection against the same anchors, so a rotated certificate can be judged here.
          ca: (this.anchorsPem ??= upstream.anchors()),
          ALPNProtocols: ['http/1.1'],
          minVersion: upstream.minVersion,
          // The decision is ours (below): the recorded leaf, or OpenSSL's verdict on this connection.
          rejectUnauthorized: false,
        });
        const deadline = setTimeout(() => fail(new Error(`no TLS handshake with ${host}:${port} within ${upstream.timeoutMs} ms`)), upstream.timeoutMs);
        const fail = (error: Error) => {
          clearTimeout(deadline);
          socket.destroy();
          callback(error);
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
            callback(null, socket);
            return;
          }
          // Servers behind a load balancer rotate certificates: a leaf that was not recorded passes only
          // if OpenSSL verifies this very connection (chain and name) against the same anchors, as a careful
          // client would; it is then recorded in the background.
          if (socket.authorized && peer && !checkServerIdentity(host, peer.toLegacyObject())) {
            upstream.recorder.refresh({ host, port }).catch(() => undefined);
            callback(null, socket);
            return;
          }
          socket.destroy();
          callback(new Error(`${host}:${port} presented a certificate that was neither recorded nor verifiable (${socket.authorizationError ?? 'name mismatch'}; ${seen ?? 'no certificate'})`));
        });
      },
      (error: Error) => callback(error),
    );
    return undefined;
  }
}
