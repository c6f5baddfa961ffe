// The http.Agent plain-HTTP requests are forwarded with: it dials through the same connector as
// everything else, so --resolve, the connect timeout and the failure diagnoses apply to plain HTTP
// too, and an upstream that goes silent mid-exchange is cut at the response timeout.
import { Agent, type AgentOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { openConnection } from '../net/connector.js';
import type { ResolveMap } from '../net/target.js';
import { formatHostPort } from '../host-port.js';
import { LoopError, UpstreamTimeoutError } from './exchange-failure.js';
import { keepPooled, sentKeepAlive } from './upstream-pool.js';

export interface PlainAgentOptions {
  resolve: ResolveMap;
  timeoutMs: number;
  responseTimeoutMs: number;
  /**
   * Whether the address dialled is the proxy itself. The proxy checks the target before it forwards,
   * but a name can resolve differently by the time it is dialled (DNS rebinding, a short TTL).
   */
  isSelf?: (address: string, port: number) => boolean;
}

/** Cuts an upstream socket that stays silent past `ms`: an error for the exchange using it. */
export function cutWhenSilent(socket: Socket, target: string, ms: number): void {
  socket.setTimeout(ms);
  socket.on('timeout', () => {
    // An idle pooled socket has only the agent's listeners: it just goes.
    if (socket.listenerCount('error') > 0) socket.destroy(new UpstreamTimeoutError(target, ms));
    else socket.destroy();
  });
}

export class PlainAgent extends Agent {
  /** TCP keep-alive probes' initial delay on a pooled connection (Node's default). */
  private readonly keepAliveMs: number;

  constructor(
    private readonly plain: PlainAgentOptions,
    options: AgentOptions = {},
  ) {
    // The agent's timeout is what a pooled socket keeps (Node resets a freed socket's timeout to it).
    super({ keepAlive: true, maxFreeSockets: 64, timeout: plain.responseTimeoutMs, ...options });
    this.keepAliveMs = options.keepAliveMsecs ?? 1000;
  }

  /**
   * As Node's own, the origin's Keep-Alive hint shortening the wait, read from the fields as the origin sent
   * them: the library's answer to the app has lost its hop-by-hop fields by then (forward-request.ts).
   */
  override keepSocketAlive(socket: Socket): boolean {
    return keepPooled(socket, this.keepAliveMs, this.plain.responseTimeoutMs, sentKeepAlive);
  }

  override createConnection(
    options: { host?: string | null; port?: number | string | null },
    callback?: (error: Error | null, socket: Duplex) => void,
  ): undefined {
    const host = String(options.host).replace(/^\[|\]$/g, '');
    const port = Number(options.port);
    openConnection({ host, port, resolve: this.plain.resolve, proxy: null, timeoutMs: this.plain.timeoutMs }).then(
      (connection) => {
        if (connection.address && this.plain.isSelf?.(connection.address, port)) {
          connection.socket.destroy();
          callback?.(new LoopError(formatHostPort({ host, port }), connection.address), undefined as unknown as Duplex);
          return;
        }
        cutWhenSilent(connection.socket, formatHostPort({ host, port }), this.plain.responseTimeoutMs);
        callback?.(null, connection.socket);
      },
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
