// The proxy: http-mitm-proxy for the HTTP/1.1 request pipeline; its CONNECT path replaced in
// onConnect (upstream first: record and verify the host, then mint a leaf from its names and
// terminate the app's TLS in-process). See shared/research/http-mitm-proxy.md.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { Proxy, type IContext } from 'http-mitm-proxy';
import { WebSocketServer } from 'ws';
import type { LeafMinter } from '../ca/leaf-minter.js';
import type { LocalCa } from '../ca/local-ca.js';
import { ToolError } from '../errors.js';
import type { EventBus, ExchangeListener } from '../events.js';
import { formatHostPort, type HostPort } from '../net/target.js';
import type { HandshakeRecord } from '../types.js';
import { blockResponse } from './block-response.js';
import { HostRecorder, type Observe } from './host-recorder.js';
import { routeAfterRecord, routeBeforeRecord, upstreamAcceptable, type PolicyOptions } from './policy.js';
import { authorized, PROXY_AUTH_REQUIRED, type ProxyAuth } from './proxy-auth.js';
import { checkPlainRequest } from './plain-request.js';
import { relay } from './tunnel.js';
import { parseConnectAuthority } from './connect-target.js';
import { firstChunk } from './first-bytes.js';
import { ClientRejections } from './client-rejections.js';
import { RequestLog } from './request-log.js';

export { parseConnectAuthority };
import { readClientHello } from '../tls/client-hello.js';
import { UpstreamAgent, type UpstreamOptions } from './upstream-agent.js';

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
  upstream: Omit<UpstreamOptions, 'recorder' | 'accepts'>;
  /** Receives each exchange with its (redacted) headers, when a HAR is kept. */
  exchanges?: ExchangeListener;
}

interface MitmConnection {
  target: HostPort;
  record: HandshakeRecord;
  requests: number;
}

const now = () => new Date().toISOString();

export class ProxyServer {
  private readonly proxy = new Proxy();
  private readonly connections = new WeakMap<object, MitmConnection>();
  private readonly recorder: HostRecorder;
  private readonly inner = createHttpServer();
  private readonly webSockets = new WebSocketServer({ noServer: true });
  private readonly front: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly requests: RequestLog;
  /** Absolute URLs of plain requests as the app sent them (the library strips req.url to a path). */
  private readonly plainUrls = new WeakMap<IncomingMessage, string>();
  private readonly rejections: ClientRejections;
  private agent: UpstreamAgent | null = null;

  private constructor(private readonly options: ProxyServerOptions) {
    this.recorder = new HostRecorder(options.observe, (record) => options.events.publish(record));
    this.rejections = new ClientRejections(options.events, options.ca.paths.cert);
    this.requests = new RequestLog(options.events, options.exchanges);
    this.front = createNetServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      this.proxy.httpServer?.emit('connection', socket);
    });
    this.inner.on('request', (req, res) => this.onMitmRequest(req, res));
    this.inner.on('clientError', (_error, socket) => socket.destroy());
    this.inner.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onMitmUpgrade(req, socket, head));
    this.proxy.onWebSocketConnection((ctx, callback) => {
      // Upstream WebSocket to what the app CONNECTed to, not to its Host header.
      const connection = this.connections.get((ctx.clientToProxyWebSocket as unknown as { _socket: object })._socket);
      const options = ctx.proxyToServerWebSocketOptions;
      const path = (ctx.clientToProxyWebSocket as unknown as { upgradeReq?: IncomingMessage }).upgradeReq?.url ?? '/';
      // Built from the CONNECT target and the raw path only: a malformed Host header cannot break it.
      if (connection && options) options.url = `wss://${formatHostPort(connection.target)}${path.startsWith('/') ? path : '/'}`;
      callback();
    });
    this.proxy.onConnect((req, socket, head) => {
      this.onConnect(req, socket as Socket, head).catch((error: Error) => {
        options.events.publish({ type: 'error', time: now(), code: 'CONNECT_FAILED', message: `CONNECT ${String(req.url).slice(0, 200)}: ${error.message}` });
        socket.destroy();
      });
    });
    this.proxy.onRequest((ctx, callback) => {
      this.onProxiedRequest(ctx);
      callback();
    });
    this.proxy.onError((ctx, error, kind) => {
      options.events.publish({ type: 'error', time: now(), code: kind ?? 'PROXY_ERROR', message: String((error as Error | undefined)?.message ?? error), host: ctx?.clientToProxyRequest?.headers.host });
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
    const agent = new UpstreamAgent({ ...this.options.upstream, recorder: this.recorder, accepts: (record) => upstreamAcceptable(this.options.policy, record) });
    this.agent = agent;
    // The library's own listener stays on an unadvertised loopback port; the public one is ours,
    // so a busy port is a clear error rather than an unhandled 'error' event.
    await new Promise<void>((resolve, reject) => {
      this.proxy.listen({ host: '127.0.0.1', port: 0, keepAlive: true, httpsAgent: agent, sslCaDir: this.options.ca.paths.dir }, (error?: Error | null) => (error ? reject(error) : resolve()));
    });
    // The plain listener's requests and upgrades are checked before the library sees them (it rewrites
    // req.url and would send an https:// URL in cleartext, or loop to itself).
    const plain = this.proxy.httpServer!;
    plain.removeAllListeners('request');
    plain.removeAllListeners('upgrade');
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
      events.publish({ type: 'error', time: now(), code: 'BAD_CONNECT', message: `refused CONNECT ${JSON.stringify((req.url ?? '').slice(0, 200))}: expected host:port` });
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (this.isSelf(target)) {
      events.publish({ type: 'error', time: now(), code: 'LOOP', message: `refused CONNECT ${formatHostPort(target)}: that is this proxy itself` });
      socket.end('HTTP/1.1 508 Loop Detected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // The app's first bytes decide the route: not TLS, or h2 only, means a plain tunnel.
    const first = head.length ? head : await firstChunk(socket, this.options.upstream.timeoutMs);
    if (!first) {
      socket.destroy();
      return;
    }
    const hello = readClientHello(first);
    const early = routeBeforeRecord(policy, target, hello);
    if (early?.action === 'tunnel') {
      // Tunnelled TLS is still recorded, by the side probe.
      if (early.reason !== 'not-tls') this.recorder.record(target).catch(() => undefined);
      this.tunnel(socket, first, target);
      return;
    }
    // The leaf names what the app asked for (CONNECT host and SNI), so it is minted while the upstream
    // is recorded rather than after: a new host costs the probe, not the probe plus a signature.
    const leaf = minter.contextFor(hello.serverName ? [target.host, hello.serverName] : [target.host]);
    leaf.catch(() => undefined);
    let record: HandshakeRecord;
    try {
      record = await this.recorder.record(target);
    } catch (error) {
      events.publish({ type: 'error', time: now(), code: 'RECORD_FAILED', message: `recording ${formatHostPort(target)} failed: ${(error as Error).message}`, host: target.host });
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    if (routeAfterRecord(policy, record).action === 'tunnel') {
      this.tunnel(socket, first, target);
      return;
    }
    let context: SecureContext;
    try {
      context = await leaf;
    } catch (error) {
      events.publish({ type: 'error', time: now(), code: 'MINT_FAILED', message: `minting a certificate for ${formatHostPort(target)} failed: ${(error as Error).message}`, host: target.host });
      socket.destroy();
      return;
    }
    socket.unshift(first);
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
    const connection: MitmConnection = { target, record, requests: 0 };
    this.connections.set(tlsSocket, connection);
    let secure = false;
    const reportRejection = this.rejections.reporter(target);
    // An app that starts a handshake and goes quiet must not hold a socket for ever.
    const handshakeDeadline = setTimeout(() => tlsSocket.destroy(), this.options.upstream.timeoutMs);
    tlsSocket.once('close', () => clearTimeout(handshakeDeadline));
    tlsSocket.once('secure', () => {
      secure = true;
      clearTimeout(handshakeDeadline);
    });
    tlsSocket.on('error', (error: NodeJS.ErrnoException) => {
      if (!secure) reportRejection(/alert/i.test(error.message) ? 'high' : 'medium', `the app ended the TLS handshake with the proxy: ${error.message}`);
    });
    tlsSocket.once('close', () => {
      if (!secure) reportRejection('medium', 'the app closed the connection during the TLS handshake with the proxy, without an alert');
      else if (connection.requests === 0) reportRejection('low', 'the app completed the TLS handshake with the proxy but closed before sending a request');
    });
    this.inner.emit('connection', tlsSocket);
  }

  /** A target that is this proxy's own listening address. */
  private isSelf(target: HostPort): boolean {
    const ownPorts = [this.port, this.libraryPort];
    return ownPorts.includes(target.port) && (/^(127\.\d+\.\d+\.\d+|::1|localhost|0\.0\.0\.0|::)$/i.test(target.host) || target.host === this.options.host);
  }

  private onMitmUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const connection = this.connections.get(req.socket);
    if (connection) connection.requests++;
    if (connection && !upstreamAcceptable(this.options.policy, connection.record)) {
      const page = blockResponse(connection.record, req.headers.accept);
      socket.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: ${page.contentType}\r\nContent-Length: ${Buffer.byteLength(page.body)}\r\nConnection: close\r\n\r\n${page.body}`);
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
    const { auth } = this.options;
    const verdict = checkPlainRequest(req.url ?? '', !auth || authorized(auth, req.headers['proxy-authorization']), (target) => this.isSelf(target));
    if ('refuse' in verdict) {
      if (verdict.refuse === 508) this.options.events.publish({ type: 'error', time: now(), code: 'LOOP', message: `refused ${req.method} ${req.url}: that is this proxy itself` });
      req.resume();
      res.writeHead(verdict.refuse, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...(verdict.refuse === 407 ? { 'proxy-authenticate': 'Basic realm="tlswitness"' } : {}) });
      res.end(`tlswitness: ${verdict.text}\n`);
      return;
    }
    this.plainUrls.set(req, verdict.url);
    this.proxy._onHttpServerRequest(false, req, res);
  }

  private onMitmRequest(req: IncomingMessage, res: ServerResponse): void {
    const connection = this.connections.get(req.socket);
    if (connection) connection.requests++;
    if (!connection || upstreamAcceptable(this.options.policy, connection.record)) {
      this.proxy._onHttpServerRequest(true, req, res);
      return;
    }
    // Never a silent pass: the app's session completed, so it can read why.
    const { record } = connection;
    const done = this.requests.start(req, `https://${formatHostPort(connection.target)}${req.url ?? '/'}`, record.id);
    const page = blockResponse(record, req.headers.accept);
    req.resume();
    res.writeHead(502, { 'content-type': page.contentType, 'content-length': Buffer.byteLength(page.body), 'x-tlswitness-problem': record.diagnosis.problem });
    res.end(page.body);
    done(502, Buffer.byteLength(page.body), { blocked: record.diagnosis.problem, rawHeaders: ['content-type', page.contentType, 'x-tlswitness-problem', record.diagnosis.problem] });
  }

  private onProxiedRequest(ctx: IContext): void {
    const request = ctx.clientToProxyRequest;
    const connection = this.connections.get(request.socket);
    const options = ctx.proxyToServerRequestOptions!;
    if (connection) {
      // Dial what the app CONNECTed to, not what its Host header says.
      options.host = connection.target.host;
      options.port = connection.target.port;
    }
    const path = request.url ?? '/';
    const url = connection ? `https://${formatHostPort(connection.target)}${path}` : (this.plainUrls.get(request) ?? `http://${formatHostPort({ host: String(options.host), port: Number(options.port) })}${path}`);
    const upstreamProxy = connection ? null : this.options.upstream.proxyFor(String(options.host));
    if (upstreamProxy) {
      // Plain HTTP through the upstream proxy: absolute-form request line (RFC 9112 3.2.2) and its credentials.
      options.path = url;
      options.host = this.options.upstream.resolve.get(`${upstreamProxy.host.toLowerCase()}:${upstreamProxy.port}`)?.[0] ?? upstreamProxy.host;
      options.port = upstreamProxy.port;
      if (upstreamProxy.authorization) options.headers = { ...options.headers, 'proxy-authorization': upstreamProxy.authorization };
    }
    const done = this.requests.start(request, url, connection?.record.id ?? null);
    const counted = { bytes: 0 };
    ctx.onResponse((_ctx, callback) => {
      RequestLog.countBytes(ctx.serverToProxyResponse, counted);
      callback();
    });
    ctx.proxyToClientResponse.once('finish', () => done(ctx.proxyToClientResponse.statusCode, counted.bytes, { rawHeaders: ctx.serverToProxyResponse?.rawHeaders }));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.inner.closeAllConnections();
    this.agent?.destroy();
    this.webSockets.close();
    this.proxy.close();
  }
}
