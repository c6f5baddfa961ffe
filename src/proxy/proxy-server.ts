// The proxy, wired: one public listener whose connections go to http-mitm-proxy's parser (through the
// library adapter), a MITM front for CONNECT, a plain front for absolute-form HTTP, and shutdown.
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { TlswitnessError } from '../errors.js';
import { errorEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { ClientCertRefusals } from './client-cert-refusals.js';
import { ExchangeDrain } from './drain.js';
import { ExchangeErrors } from './exchange-errors.js';
import { prepareForward } from './forward-request.js';
import type { FrontContext, ProxyServerOptions } from './front-context.js';
import { HostRecorder } from './host-recorder.js';
import { IdleCollector } from './idle-collector.js';
import { LibraryAdapter } from './library-adapter.js';
import { DEFAULT_LIMITS, type ProxyLimits } from './limits.js';
import { LoopGuard } from './loop-guard.js';
import { MitmFront } from './mitm-front.js';
import { disagreementMessage } from './openssl-gate.js';
import { PlainAgent } from './plain-agent.js';
import { PlainFront } from './plain-front.js';
import { upstreamAcceptable } from './policy.js';
import { RequestHeadGuard } from './request-heads.js';
import { RequestLog } from './request-log.js';
import { UpstreamAgent, type Disagreement } from './upstream-agent.js';

export type { ProxyServerOptions };

export class ProxyServer {
  private readonly library: LibraryAdapter;
  private readonly limits: ProxyLimits;
  private readonly drain = new ExchangeDrain();
  private readonly recorder: HostRecorder;
  private readonly front: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly loops: LoopGuard;
  private readonly idle: IdleCollector | null;
  private readonly mitm: MitmFront;
  private readonly plain: PlainFront;
  private agent: UpstreamAgent | null = null;
  private plainAgent: PlainAgent | null = null;

  private constructor(private readonly options: ProxyServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.idle = options.collectGarbage ? new IdleCollector(options.collectGarbage) : null;
    this.recorder = new HostRecorder(options.observe, (record) => options.events.publish(record));
    this.loops = new LoopGuard(options.upstream.resolve, (host) => options.upstream.proxyFor(host));
    const heads: RequestHeadGuard = new RequestHeadGuard(this.limits.headerTimeoutMs, (code, message) =>
      options.events.publish(errorEvent(code, message)),
    );
    const errors = new ExchangeErrors(options.events, (response) => heads.cutResponses.has(response));
    const refusals = new ClientCertRefusals(this.recorder);
    // The library forwards plain HTTP (MITM requests are ours, mitm-forward.ts); its errors are answered as ours are.
    this.library = new LibraryAdapter((kind, ctx, error) => errors.handle(kind, ctx, error));
    const shared: FrontContext = {
      options,
      limits: this.limits,
      library: this.library,
      recorder: this.recorder,
      requests: new RequestLog(options.events, options.exchanges),
      errors,
      refusals,
      heads,
      drain: this.drain,
      loops: this.loops,
      idle: this.idle,
      sockets: this.sockets,
      viaToken: `tlswitness-${randomBytes(6).toString('hex')}`,
      agent: () => this.agent,
    };
    this.mitm = new MitmFront(shared);
    this.plain = new PlainFront(shared);
    this.library.onRequest((ctx) => prepareForward({ shared, errors, routeOf: (req) => this.plain.routeOf(req) }, ctx));
    this.front = createNetServer((socket) => {
      // The app's side carries small TLS records; Nagle would hold them for the client's delayed ACK
      // (measured: ~40 ms on a new connection's first byte).
      socket.setNoDelay(true);
      this.sockets.add(socket);
      this.idle?.touch();
      socket.on('close', () => {
        this.idle?.touch();
        this.sockets.delete(socket);
        this.drain.forget(socket);
      });
      socket.on('error', () => undefined);
      if (this.drain.draining) socket.destroy();
      else this.library.accept(socket);
    });
  }

  static async start(options: ProxyServerOptions): Promise<ProxyServer> {
    const server = new ProxyServer(options);
    await server.listen();
    return server;
  }

  get port(): number {
    const address = this.front.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** The address the listener bound, which a name given as the host resolved to. */
  get boundAddress(): string {
    const address = this.front.address();
    return typeof address === 'object' && address ? address.address : this.options.host;
  }

  get recorded(): HostRecorder {
    return this.recorder;
  }

  /** The per-host HTTPS servers http-mitm-proxy keeps (none: the MITM is ours); for the leak test. */
  get libraryServers(): number {
    return this.library.perHostServers();
  }

  private async listen(): Promise<void> {
    const { responseTimeoutMs } = this.limits;
    const agent = new UpstreamAgent({
      ...this.options.upstream,
      responseTimeoutMs,
      recorder: this.recorder,
      accepts: (record) => upstreamAcceptable(this.options.policy, record),
      disagreed: (disagreement) => this.onDisagreement(disagreement),
    });
    this.agent = agent;
    this.idle?.start();
    const plainAgent = new PlainAgent({
      resolve: this.options.upstream.resolve,
      timeoutMs: this.options.upstream.timeoutMs,
      responseTimeoutMs,
      isSelf: (address, port) => this.loops.isSelfAddress(address, port),
    });
    this.plainAgent = plainAgent;
    // The library's own listener stays on an unadvertised loopback port; the public one is ours,
    // so a busy port is a clear error rather than an unhandled 'error' event.
    await this.library.listen({ httpsAgent: agent, httpAgent: plainAgent, caDir: this.options.ca.paths.dir });
    this.plain.attach();
    await new Promise<void>((resolve, reject) => {
      this.front.once('error', (error: NodeJS.ErrnoException) => {
        this.library.close();
        const where = formatHostPort({ host: this.options.host, port: this.options.port });
        reject(
          error.code === 'EADDRINUSE'
            ? new TlswitnessError(
                'bad-usage',
                `port ${where} is already in use: stop the other program or pass --port N`,
              )
            : new TlswitnessError('bad-usage', `cannot listen on ${where}: ${error.code ?? error.message}`),
        );
      });
      this.front.listen({ host: this.options.host, port: this.options.port }, resolve);
    });
    const bound = this.front.address();
    const boundAddress = typeof bound === 'object' && bound ? bound.address : this.options.host;
    this.loops.listening(boundAddress, [this.port, this.library.port]);
  }

  /** OpenSSL and the record disagree about a live connection: reported once per record, and the record amended. */
  private readonly disagreements = new WeakSet<object>();

  private onDisagreement({ target, recordAs, record, amended, openssl, recordAccepts }: Disagreement): void {
    if (this.disagreements.has(record)) return;
    this.disagreements.add(record);
    const where = formatHostPort(target) + (recordAs ? ` (SNI ${recordAs})` : '');
    this.options.events.publish(
      errorEvent('VERIFIER_DISAGREEMENT', disagreementMessage(where, record, openssl, recordAccepts), target.host),
    );
    if (recordAccepts) this.recorder.amend(target, recordAs, record, amended);
  }

  /** SIGINT / SIGTERM: stop accepting, let exchanges in flight finish within the grace period, then close. */
  shutdown(): Promise<void> {
    return this.close(this.limits.shutdownGraceMs);
  }

  /**
   * Stops accepting at once. With `graceMs`, HTTP exchanges in flight (plain and MITM) may finish
   * for that long, each connection closing after its last one; idle connections and raw tunnels
   * (whose traffic the proxy cannot see) are closed at once. Then everything left is cut.
   */
  async close(graceMs = 0): Promise<void> {
    this.idle?.stop();
    const closed = new Promise<void>((resolve) => this.front.close(() => resolve()));
    await this.drain.drain(this.sockets, graceMs);
    await this.recorder.flush();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.mitm.close();
    this.agent?.destroy();
    this.plainAgent?.destroy();
    this.library.close();
  }
}
