// The https.Agent the MITM forwards requests with. It dials the CONNECT target (not the Host
// header) through the same connector as `inspect`, and hands a request only a connection whose
// leaf is the one recorded and verified for that host:port: the traffic connection itself is not
// tapped (bulk stays native), so the check is by fingerprint.
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import { openConnection, type ProxySpec } from '../net/connector.js';
import type { HostPort, ResolveMap } from '../net/target.js';
import type { ClientCredentials } from '../tls/probe.js';
import { WireTap } from '../tls/wire-tap.js';
import type { HostRecorder } from './host-recorder.js';
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
}

interface ConnectionOptions {
  host?: string;
  port?: number | string;
  servername?: string;
}

export class UpstreamAgent extends Agent {
  constructor(
    private readonly upstream: UpstreamOptions,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, maxFreeSockets: 64, ...options });
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
          servername: options.servername || undefined,
          ALPNProtocols: ['http/1.1'],
          minVersion: upstream.minVersion,
          // Verified already on the recording connection; here only the leaf's identity is checked.
          rejectUnauthorized: false,
          ca: [],
        });
        const fail = (error: Error) => {
          socket.destroy();
          callback(error);
        };
        socket.once('error', fail);
        socket.once('secureConnect', () => {
          socket.off('error', fail);
          const seen = socket.getPeerX509Certificate()?.fingerprint256;
          const recorded = upstream.recorder.cached({ host, port });
          if (recorded && upstream.accepts(recorded) && seen && recorded.chain[0]?.sha256 === seen) {
            callback(null, socket);
            return;
          }
          socket.destroy();
          callback(new Error(`${host}:${port} presented a certificate other than the one recorded and verified (${seen ?? 'none'})`));
        });
      },
      (error: Error) => callback(error),
    );
    return undefined;
  }
}
