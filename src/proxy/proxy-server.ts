// The proxy: http-mitm-proxy for the HTTP/1.1 request pipeline; its CONNECT path replaced in
// onConnect (upstream first: record and verify the host, then mint a leaf from its names and
// terminate the app's TLS in-process).
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { IContext } from 'http-mitm-proxy';
import { WebSocketServer } from 'ws';
import type { LeafMinter } from '../ca/leaf-minter.js';
import type { LocalCa } from '../ca/local-ca.js';
import { ToolError } from '../errors.js';
import { errorEvent, type EventBus, type ExchangeListener } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { blockResponse } from './block-response.js';
import { HostRecorder, type Observe } from './host-recorder.js';
import { routeAfterRecord, routeBeforeRecord, upstreamAcceptable, type PolicyOptions } from './policy.js';
import { authorized, PROXY_AUTH_REQUIRED, type ProxyAuth } from './proxy-auth.js';
import { checkPlainRequest, shownTarget, type PlainRoute } from './plain-request.js';
import { LoopGuard } from './loop-guard.js';
import { carriesVia, withVia } from './via.js';
import { relay } from './tunnel.js';
import { parseConnectAuthority } from './connect-target.js';
import { firstChunk } from './first-bytes.js';
import { ClientRejections } from './client-rejections.js';
import { ClientCertRefusals } from './client-cert-refusals.js';
import { startMitmSession, type MitmConnection, type MitmSession } from './mitm-session.js';
import { RequestLog } from './request-log.js';
import { ExchangeDrain } from './drain.js';
import { ExchangeErrors } from './exchange-errors.js';
import { LibraryProxy } from './library-proxy.js';
import { DEFAULT_LIMITS, type ProxyLimits } from './limits.js';
import { PlainAgent } from './plain-agent.js';
import { RequestHeadGuard } from './request-heads.js';
import { IdleCollector } from './idle-collector.js';

export { parseConnectAuthority };
import { readClientHello } from '../tls/client-hello.js';
import { UpstreamAgent, type Disagreement, type UpstreamOptions } from './upstream-agent.js';
import { disagreementMessage } from './openssl-gate.js';
import { upstreamName } from './upstream-name.js';

export interface ProxyServerOptions {
  host: string;
  port: number;
  policy: PolicyOptions;
  /** Required credentials (--auth); null when none are required. */
  auth: ProxyAuth | null;
  ca: LocalCa;
  minter: LeafMinter;
  events: EventBus;
  observe: Observe;
  upstream: Omit<UpstreamOptions, 'recorder' | 'accepts' | 'responseTimeoutMs' | 'disagreed'>;
  /** Deadlines; DEFAULT_LIMITS for what is not given. */
  limits?: Partial<ProxyLimits>;
  /** Receives each exchange with its (redacted) headers, when a HAR is kept. */
  exchanges?: ExchangeListener;
  /** A full garbage collection, run when the proxy goes quiet (see idle-collector.ts); none when not given. */
  collectGarbage?: () => void;
}

/** How long a blocked request waits for OpenSSL's own verdict before the page goes out without it. */
const CROSS_CHECK_WAIT_MS = 1_500;

export class ProxyServer {
  private readonly proxy = new LibraryProxy((kind, ctx, error) => {
    if (ctx && kind === 'PROXY_TO_SERVER_REQUEST_ERROR') this.refusals.failed(this.connections.get(ctx.clientToProxyRequest.socket), ctx.clientToProxyRequest.method ?? 'GET', error, !!ctx.proxyToServerRequest?.reusedSocket);
    this.errors.handle(kind, ctx, error);
  });
  private readonly errors: ExchangeErrors;
  private readonly limits: ProxyLimits;
  private readonly heads: RequestHeadGuard;
  private readonly drain = new ExchangeDrain();
  /** The app connection under each MITM TLS session. */
  private readonly outerSocket = new WeakMap<object, Socket>();
  private readonly connections = new WeakMap<object, MitmConnection>();
  private readonly recorder: HostRecorder;
  /** Upstreams that asked for a client certificate, got none, and refuse the app at the HTTP layer. */
  private readonly refusals: ClientCertRefusals;
  private readonly inner = createHttpServer();
  private readonly webSockets = new WebSocketServer({ noServer: true });
  private readonly front: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly requests: RequestLog;
  /** Where each checked plain request goes: the one parsed URL, never the library's re-parse. */
  private readonly plainRoutes = new WeakMap<IncomingMessage, PlainRoute>();
  /** Whether a target is this proxy itself (known once it listens). */
  private readonly loops: LoopGuard;
  /** This process's Via received-by pseudonym: a request that carries it has looped back. */
  private readonly viaToken = `tlswitness-${randomBytes(6).toString('hex')}`;
  private readonly rejections: ClientRejections;
  private readonly idle: IdleCollector | null;
  private agent: UpstreamAgent | null = null;
  private plainAgent: PlainAgent | null = null;

  private constructor(private readonly options: ProxyServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.idle = options.collectGarbage ? new IdleCollector(options.collectGarbage) : null;
    this.errors = new ExchangeErrors(options.events, (response) => this.heads.cutResponses.has(response));
    this.heads = new RequestHeadGuard(this.limits.headerTimeoutMs, (code, message) => options.events.publish(errorEvent(code, message)));
    this.recorder = new HostRecorder(options.observe, (record) => options.events.publish(record));
    this.refusals = new ClientCertRefusals(this.recorder);
    this.rejections = new ClientRejections(options.events, options.ca.paths.cert);
    this.requests = new RequestLog(options.events, options.exchanges);
    this.loops = new LoopGuard(options.upstream.resolve, (host) => options.upstream.proxyFor(host));
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
      else this.proxy.httpServer?.emit('connection', socket);
    });
    this.inner.on('request', (req, res) => this.onMitmRequest(req, res));
    // An idle keep-alive connection lives as long as the head deadline allows (HAProxy's default too),
    // not Node's 5 s keepAliveTimeout.
    this.inner.keepAliveTimeout = this.limits.headerTimeoutMs;
    this.heads.watch(this.inner, (socket) => `MITM ${formatHostPort(this.connections.get(socket)?.target ?? { host: '?', port: 0 })}`, (socket) => this.connections.get(socket)?.securedAt);
    this.inner.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onMitmUpgrade(req, socket, head));
    this.proxy.onWebSocketConnection((ctx, callback) => {
      // Upstream WebSocket to what the app CONNECTed to, not to its Host header.
      const connection = this.connections.get((ctx.clientToProxyWebSocket as unknown as { _socket: object })._socket);
      const options = ctx.proxyToServerWebSocketOptions;
      const path = (ctx.clientToProxyWebSocket as unknown as { upgradeReq?: IncomingMessage }).upgradeReq?.url ?? '/';
      // Built from the CONNECT target and the raw path only: a malformed Host header cannot break it.
      if (connection && options) {
        options.url = `wss://${formatHostPort(connection.target)}${path.startsWith('/') ? path : '/'}`;
        // The name verified for this session, not the one Node would take from the Host header.
        (options as { servername?: string }).servername = connection.name?.servername ?? '';
      }
      if (options) options.headers = { ...options.headers, via: withVia(options.headers?.via, this.viaToken) };
      callback();
    });
    this.proxy.onConnect((req, socket, head) => {
      this.onConnect(req, socket as Socket, head).catch((error: Error) => {
        options.events.publish(errorEvent('CONNECT_FAILED', `CONNECT ${shownTarget(String(req.url))}: ${error.message}`));
        socket.destroy();
      });
    });
    this.proxy.onRequest((ctx, callback) => {
      this.onProxiedRequest(ctx);
      callback();
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

  /** The library's own, unadvertised loopback listener. */
  private get libraryPort(): number {
    const address = this.proxy.httpServer?.address();
    return typeof address === 'object' && address ? address.port : -1;
  }

  get recorded(): HostRecorder {
    return this.recorder;
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
    const plainAgent = new PlainAgent({ resolve: this.options.upstream.resolve, timeoutMs: this.options.upstream.timeoutMs, responseTimeoutMs, isSelf: (address, port) => this.loops.isSelfAddress(address, port) });
    this.plainAgent = plainAgent;
    // The library's own listener stays on an unadvertised loopback port; the public one is ours,
    // so a busy port is a clear error rather than an unhandled 'error' event.
    await new Promise<void>((resolve, reject) => {
      this.proxy.listen({ host: '127.0.0.1', port: 0, keepAlive: true, httpsAgent: agent, httpAgent: plainAgent, sslCaDir: this.options.ca.paths.dir }, (error?: Error | null) => (error ? reject(error) : resolve()));
    });
    // The plain listener's requests and upgrades are checked before the library sees them (it rewrites
    // req.url and would send an https:// URL in cleartext, or loop to itself).
    const plain = this.proxy.httpServer!;
    plain.removeAllListeners('request');
    plain.removeAllListeners('upgrade');
    plain.removeAllListeners('clientError');
    this.heads.watch(plain, () => 'proxy');
    plain.on('request', (req: IncomingMessage, res: ServerResponse) => this.onPlainRequest(req, res));
    plain.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ntlswitness: send WebSocket traffic through the proxy with CONNECT\n');
    });
    await new Promise<void>((resolve, reject) => {
      this.front.once('error', (error: NodeJS.ErrnoException) => {
        this.proxy.close();
        const where = formatHostPort({ host: this.options.host, port: this.options.port });
        reject(
          error.code === 'EADDRINUSE'
            ? new ToolError('bad-usage', `port ${where} is already in use: stop the other program or pass --port N`)
            : new ToolError('bad-usage', `cannot listen on ${where}: ${error.code ?? error.message}`),
        );
      });
      this.front.listen({ host: this.options.host, port: this.options.port }, resolve);
    });
    const bound = this.front.address();
    const boundAddress = typeof bound === 'object' && bound ? bound.address : this.options.host;
    this.loops.listening(boundAddress, [this.port, this.libraryPort]);
    // Parsing every anchor into the upstream context takes tens of milliseconds: do it now, while no
    // app is waiting, not on the first request. A bad anchor set surfaces on that request instead.
    setImmediate(() => {
      try {
        agent.contextFor(null);
      } catch {
        // reported by the first upstream connection
      }
    }).unref();
  }

  private async onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const { events, minter, policy, auth } = this.options;
    socket.on('error', () => undefined);
    if (auth && !authorized(auth, req.headers['proxy-authorization'])) {
      socket.end(PROXY_AUTH_REQUIRED);
      return;
    }
    const target = parseConnectAuthority(req.url ?? '');
    if (!target) {
      events.publish(errorEvent('BAD_CONNECT', `refused CONNECT ${JSON.stringify(shownTarget(req.url ?? ''))}: expected host:port`));
      refuseConnect(socket, '400 Bad Request');
      return;
    }
    if (await this.loops.isSelf(target)) {
      events.publish(errorEvent('LOOP', `refused CONNECT ${formatHostPort(target)}: that is this proxy itself`));
      refuseConnect(socket, '508 Loop Detected');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // What the proxy wrote before its TLS flight: more than this means the app was shown a certificate.
    const answered = socket.bytesWritten;
    // The app's first bytes decide the route: not TLS, or h2 only, means a plain tunnel.
    const first = head.length ? head : await firstChunk(socket, this.options.upstream.timeoutMs);
    if (!first) {
      events.publish(errorEvent('CLIENT_ABORTED', `CONNECT ${formatHostPort(target)}: the app closed the tunnel, or sent nothing for ${this.options.upstream.timeoutMs} ms, after the proxy's 200`, target.host));
      socket.destroy();
      return;
    }
    const hello = readClientHello(first);
    // The one name this session is about: the app's SNI when it differs from the CONNECT host (see upstream-name.ts).
    const name = upstreamName(target, hello.serverName);
    const early = routeBeforeRecord(policy, target, hello);
    if (early?.action === 'tunnel') {
      // Tunnelled TLS is still recorded, by the side probe; the app verifies it itself.
      if (early.reason !== 'not-tls') this.recorder.record(target, name?.recordAs).catch(() => undefined);
      this.tunnel(socket, first, target);
      return;
    }
    if (!name) {
      events.publish(errorEvent('BAD_SNI', `CONNECT ${formatHostPort(target)}: the app's SNI ${JSON.stringify(hello.serverName?.slice(0, 100))} is not a DNS name, so no certificate can be checked for it; closed`, target.host));
      socket.destroy();
      return;
    }
    // The leaf names only the name verified upstream on the connections that carry this session's
    // traffic. It is minted while the upstream is recorded rather than after: a new host costs the
    // probe, not the probe plus a signature.
    const leaf = minter.contextFor([name.checked]);
    leaf.catch(() => undefined);
    const recording = this.recorder.record(target, name.recordAs);
    recording.catch(() => undefined);
    // In block mode every recorded verdict ends in the proxy's own TLS session (a pass or a 502), so the
    // app's handshake with the proxy runs while the upstream is recorded; its requests wait for the record.
    // With `--on-upstream-error tunnel` the record decides whether to terminate TLS at all.
    const inAdvance = policy.onUpstreamError === 'block' ? await this.terminate(socket, first, target, leaf, answered) : null;
    if (policy.onUpstreamError === 'block' && !inAdvance) return;
    let record: HandshakeRecord;
    try {
      record = await recording;
    } catch (error) {
      events.publish(errorEvent('RECORD_FAILED', `recording ${formatHostPort(target)} failed: ${(error as Error).message}`, target.host));
      if (inAdvance) inAdvance.connection.closedByProxy = true;
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    if (!inAdvance && routeAfterRecord(policy, record).action === 'tunnel') {
      this.tunnel(socket, first, target);
      return;
    }
    // The traffic connection for the first request is dialed now, checked against this very record.
    if (upstreamAcceptable(policy, record)) this.agent?.preconnect(target, name);
    const terminated = inAdvance ?? (await this.terminate(socket, first, target, leaf, answered));
    if (!terminated) return;
    terminated.connection.record = record;
    terminated.connection.name = name;
    this.connections.set(terminated.tlsSocket, terminated.connection);
    this.inner.emit('connection', terminated.tlsSocket);
    // Any bytes after the handshake, even a malformed request, show the app accepted the certificate.
    terminated.tlsSocket.once('data', () => (terminated.connection.spoke = true));
  }

  /** The app's TLS session on the minted leaf (see mitm-session.ts); null when there is none to have. */
  private async terminate(socket: Socket, first: Buffer, target: HostPort, leaf: Promise<SecureContext>, answered: number): Promise<MitmSession | null> {
    const { events } = this.options;
    let context: SecureContext;
    try {
      context = await leaf;
    } catch (error) {
      events.publish(errorEvent('MINT_FAILED', `minting a certificate for ${formatHostPort(target)} failed: ${(error as Error).message}`, target.host));
      socket.destroy();
      return null;
    }
    if (socket.destroyed) return null;
    const session = startMitmSession({ socket, first, target, context, answered, timeoutMs: this.options.upstream.timeoutMs, reportRejection: this.rejections.reporter(target), events });
    this.outerSocket.set(session.tlsSocket, socket);
    return session;
  }

  private onMitmUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const connection = this.connections.get(req.socket);
    if (connection) connection.requests++;
    if (carriesVia(req.headers.via, this.viaToken)) {
      socket.end('HTTP/1.1 508 Loop Detected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (connection && !upstreamAcceptable(this.options.policy, connection.record)) {
      const page = blockResponse(connection.record, req.headers.accept);
      socket.end(`HTTP/1.1 ${page.status} ${page.status === 504 ? 'Gateway Timeout' : 'Bad Gateway'}\r\nContent-Type: ${page.contentType}\r\nContent-Length: ${Buffer.byteLength(page.body)}\r\nConnection: close\r\n\r\n${page.body}`);
      return;
    }
    this.webSockets.handleUpgrade(req, socket, head, (ws) => {
      (ws as unknown as { upgradeReq: IncomingMessage }).upgradeReq = req;
      this.proxy._onWebSocketServerConnect(true, ws, req);
    });
  }

  private tunnel(client: Socket, first: Buffer, target: HostPort): void {
    relay(client, first, target, this.options.upstream, this.sockets, this.options.events);
  }

  /** A request on the plain listener: checked (pure) before the library forwards it. */
  private onPlainRequest(req: IncomingMessage, res: ServerResponse): void {
    this.idle?.touch();
    const { auth } = this.options;
    const verdict = checkPlainRequest(req.url ?? '', !auth || authorized(auth, req.headers['proxy-authorization']));
    if ('refuse' in verdict) {
      this.refuse(req, res, verdict.refuse, verdict.text);
      return;
    }
    const { route } = verdict;
    if (carriesVia(req.headers.via, this.viaToken)) {
      this.refuse(req, res, 508, 'loop detected: this request already went through this proxy (its Via header names it)');
      return;
    }
    this.drain.track(req.socket, res);
    this.loops.isSelf(route).then((self) => {
      if (self) {
        this.refuse(req, res, 508, 'loop detected: that is this proxy itself');
        return;
      }
      this.plainRoutes.set(req, route);
      // Origin-form and the URL's own authority, so nothing is left for the library to re-parse.
      req.url = route.path;
      req.headers.host = route.hostHeader;
      this.proxy._onHttpServerRequest(false, req, res);
    }).catch((error: Error) => {
      this.options.events.publish(errorEvent('PROXY_ERROR', `${req.method} ${shownTarget(route.url)}: ${error.message}`));
      res.destroy();
    });
  }

  /** Answers a request the proxy will not forward (never echoing credentials from its target). */
  private refuse(req: IncomingMessage, res: ServerResponse, status: 400 | 407 | 508, text: string): void {
    // A 407 is the normal first step of a client that has credentials; the rest are worth an event.
    if (status !== 407) this.options.events.publish(errorEvent(status === 508 ? 'LOOP' : 'BAD_REQUEST', `refused ${req.method} ${shownTarget(String(req.url))}: ${text}`));
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...(status === 407 ? { 'proxy-authenticate': 'Basic realm="tlswitness"' } : {}) });
    res.end(`tlswitness: ${text}\n`);
  }

  private onMitmRequest(req: IncomingMessage, res: ServerResponse): void {
    this.idle?.touch();
    const connection = this.connections.get(req.socket);
    if (connection) connection.requests++;
    const outer = this.outerSocket.get(req.socket);
    if (outer) this.drain.track(outer, res);
    if (carriesVia(req.headers.via, this.viaToken)) {
      this.refuse(req, res, 508, 'loop detected: this request already went through this proxy (its Via header names it)');
      return;
    }
    if (!connection || upstreamAcceptable(this.options.policy, connection.record)) {
      this.proxy._onHttpServerRequest(true, req, res);
      return;
    }
    // Never a silent pass: the app's session completed, so it can read why.
    const done = this.requests.start(req, `https://${formatHostPort(connection.target)}${req.url ?? '/'}`, connection.record.id);
    req.resume();
    this.crossChecked(connection).then((record) => {
      const page = blockResponse(record, req.headers.accept);
      res.writeHead(page.status, { 'content-type': page.contentType, 'content-length': Buffer.byteLength(page.body), 'x-tlswitness-problem': record.diagnosis.problem });
      res.end(page.body);
      done(page.status, Buffer.byteLength(page.body), { blocked: record.diagnosis.problem, rawHeaders: ['content-type', page.contentType, 'x-tlswitness-problem', record.diagnosis.problem] });
    });
  }

  /** OpenSSL's verdict on the blocked hosts' chains, once per record (see crossChecked). */
  private readonly crossChecks = new WeakMap<HandshakeRecord, Promise<HandshakeRecord>>();

  /**
   * A record that blocks is checked against OpenSSL once, on a connection of its own, so that a
   * verifier stricter than OpenSSL shows up too (VERIFIER_DISAGREEMENT) and the block page carries
   * OpenSSL's verdict. A failed handshake has nothing to check; a slow one does not hold the page.
   */
  private crossChecked(connection: MitmConnection): Promise<HandshakeRecord> {
    const { record, name } = connection;
    if (!this.agent || !name || record.failure || record.chain.length === 0) return Promise.resolve(record);
    let check = this.crossChecks.get(record);
    if (!check) this.crossChecks.set(record, (check = this.agent.crossCheck(connection.target, name, record)));
    return Promise.race([check, new Promise<HandshakeRecord>((resolve) => setTimeout(resolve, CROSS_CHECK_WAIT_MS, record).unref())]);
  }

  private onProxiedRequest(ctx: IContext): void {
    const request = ctx.clientToProxyRequest;
    const connection = this.connections.get(request.socket);
    const options = ctx.proxyToServerRequestOptions!;
    const route = connection ? undefined : this.plainRoutes.get(request);
    if (connection) {
      // Dial what the app CONNECTed to, not what its Host header says.
      options.host = connection.target.host;
      options.port = connection.target.port;
      // With the name verified for this session as SNI (part of Node's pool key), never the Host header's.
      (options as { servername?: string }).servername = connection.name?.servername ?? '';
    } else if (route) {
      // The URL that was checked, not the library's parse of it.
      options.host = route.host;
      options.port = route.port;
      options.path = route.path;
      options.headers.host = route.hostHeader;
    }
    options.headers.via = withVia(request.headers.via, this.viaToken);
    const path = request.url ?? '/';
    const url = connection ? `https://${formatHostPort(connection.target)}${path}` : (route?.url ?? `http://${formatHostPort({ host: String(options.host), port: Number(options.port) })}${path}`);
    const upstreamProxy = connection ? null : this.options.upstream.proxyFor(String(options.host));
    if (upstreamProxy) {
      // Plain HTTP through the upstream proxy: absolute-form request line (RFC 9112 3.2.2) and its credentials.
      options.path = url;
      // The plain agent dials it through the connector, which applies --resolve.
      options.host = upstreamProxy.host;
      options.port = upstreamProxy.port;
      if (upstreamProxy.authorization) options.headers = { ...options.headers, 'proxy-authorization': upstreamProxy.authorization };
    }
    this.errors.watch(ctx, connection ? formatHostPort(connection.target) : formatHostPort({ host: String(options.host), port: Number(options.port) }));
    const done = this.requests.start(request, url, connection?.record.id ?? null);
    const counted = { bytes: 0 };
    ctx.onResponse((_ctx, callback) => {
      RequestLog.countBytes(ctx.serverToProxyResponse, counted);
      this.refusals.response(connection, request.method ?? 'GET', ctx.serverToProxyResponse);
      callback();
    });
    const response = ctx.proxyToClientResponse;
    // An exchange cut short is logged with status null.
    response.once('close', () => {
      // A block page written for a connection OpenSSL refused (exchange-errors.ts) is logged as blocked.
      const blocked = ctx.serverToProxyResponse ? undefined : response.getHeader('x-tlswitness-problem');
      done(response.writableFinished ? response.statusCode : null, counted.bytes, { rawHeaders: ctx.serverToProxyResponse?.rawHeaders, ...(typeof blocked === 'string' ? { blocked } : {}) });
    });
  }

  /** OpenSSL and the record disagree about a live connection: reported once per record, and the record amended. */
  private readonly disagreements = new WeakSet<object>();

  private onDisagreement({ target, recordAs, record, amended, openssl, recordAccepts }: Disagreement): void {
    if (this.disagreements.has(record)) return;
    this.disagreements.add(record);
    const where = formatHostPort(target) + (recordAs ? ` (SNI ${recordAs})` : '');
    this.options.events.publish(errorEvent('VERIFIER_DISAGREEMENT', disagreementMessage(where, record, openssl, recordAccepts), target.host));
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
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.inner.closeAllConnections();
    this.agent?.destroy();
    this.plainAgent?.destroy();
    this.webSockets.close();
    this.proxy.close();
  }
}

/** Refuses a CONNECT and closes the connection: bytes pipelined after it are never read. */
function refuseConnect(socket: Socket, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, () => socket.destroy());
}
