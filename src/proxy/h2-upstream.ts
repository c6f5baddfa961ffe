// The origin side of the HTTP/2 front: one h2 session per host:port and name, over a connection that
// passed the same OpenSSL gate as every forwarded connection (upstream-agent.ts), multiplexing the app's
// streams; an origin that does not choose h2 in ALPN is remembered and reached over HTTP/1.1 instead.
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { formatHostPort } from '../host-port.js';
import type { HostPort } from '../types.js';
import type { UpstreamAgent } from './upstream-agent.js';
import { asFault } from './internal-fault.js';
import type { UpstreamName } from './upstream-name.js';

export type Origin = { kind: 'h2'; session: ClientHttp2Session } | { kind: 'h1' };

export interface H2UpstreamOptions {
  agent(): UpstreamAgent | null;
  /** An h2 session to an origin with no stream for this long is closed. */
  idleMs: number;
}

const key = (target: HostPort, name: UpstreamName) => `${formatHostPort(target)}#${name.servername ?? ''}`;

export class H2Upstream {
  /** The origin each key resolves to, while it is usable: a dial in progress, a live h2 session, or HTTP/1.1. */
  private readonly origins = new Map<string, Promise<Origin>>();
  private readonly live = new Set<ClientHttp2Session>();

  constructor(private readonly options: H2UpstreamOptions) {}

  /** The origin for this target and name; rejects as the gate does (UpstreamRefusal) or as the connection failed. */
  open(target: HostPort, name: UpstreamName): Promise<Origin> {
    const id = key(target, name);
    const origin = this.origins.get(id);
    if (origin) return origin;
    const forget = () => {
      if (this.origins.get(id) === dialled) this.origins.delete(id);
    };
    const dialled = this.dial(target, name, forget);
    this.origins.set(id, dialled);
    // A failed dial is not remembered: the next stream tries again.
    dialled.catch(forget);
    return dialled;
  }

  private async dial(target: HostPort, name: UpstreamName, forget: () => void): Promise<Origin> {
    const agent = this.options.agent();
    if (!agent) throw new Error('the proxy is not listening');
    const socket = await agent.dial(target.host, target.port, name, ['h2', 'http/1.1']);
    try {
      return this.session(agent, { target, name, socket }, forget);
    } catch (error) {
      // A bug of ours: the connection is closed, not left open with nobody to use it.
      socket.destroy();
      throw asFault('the HTTP/2 upstream', error);
    }
  }

  /** The origin over a connection that passed the gate: an h2 session, or the agent's HTTP/1.1 pool. */
  private session(
    agent: UpstreamAgent,
    { target, name, socket }: { target: HostPort; name: UpstreamName; socket: TLSSocket },
    forget: () => void,
  ): Origin {
    if (socket.alpnProtocol !== 'h2') {
      // The agent's own pool serves HTTP/1.1 origins (with its keep-alive connections): this one joins it.
      agent.giveBack(target, name, socket);
      return { kind: 'h1' };
    }
    // h2 frames bypass the socket's own timer (http2 reads its handle directly), so the agent's
    // silence cut would fire on a busy session: the streams carry their own deadlines instead.
    socket.setTimeout(0);
    socket.removeAllListeners('timeout');
    const session = h2Connect(`https://${formatHostPort(target)}`, {
      createConnection: () => socket,
      // The proxy never asks an origin to push: the app did not ask for those streams.
      settings: { enablePush: false },
    });
    this.live.add(session);
    // A session that is going away takes no new streams: the next one dials again.
    session.once('goaway', forget);
    session.once('close', () => {
      forget();
      this.live.delete(session);
    });
    // The agent's socket is half-open (allowHalfOpen), and node:http2 does not end a session on the peer's
    // FIN: an origin that closed its connection after a GOAWAY that still covered a stream (say, one it
    // refused without answering) left the app's stream waiting. With no way left to answer, the session ends.
    socket.once('end', () => session.destroy());
    // Its streams report their own errors; a session error ends them all, and the next stream dials again.
    session.on('error', forget);
    // Quiet for idleMs: closed gracefully (streams still open finish first).
    session.setTimeout(this.options.idleMs, () => {
      forget();
      session.close();
    });
    return { kind: 'h2', session };
  }

  close(): void {
    for (const session of this.live) session.destroy();
    this.live.clear();
    this.origins.clear();
  }
}
