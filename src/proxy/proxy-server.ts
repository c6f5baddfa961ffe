// The proxy: http-mitm-proxy for the HTTP/1.1 request pipeline; its CONNECT path replaced in
// onConnect (upstream first: record and verify the host, then mint a leaf from its names and
// terminate the app's TLS in-process). See shared/research/http-mitm-proxy.md.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TLSSocket } from 'node:tls';
import { Proxy, type IContext } from 'http-mitm-proxy';
import { WebSocketServer } from 'ws';
import type { LeafMinter } from '../ca/leaf-minter.js';
import type { LocalCa } from '../ca/local-ca.js';
import { ToolError } from '../errors.js';
import type { EventBus } from '../events.js';
import { formatHostPort, type HostPort } from '../net/target.js';
import { redactUrl } from '../report/redact.js';
import type { HandshakeRecord } from '../types.js';
import { blockResponse } from './block-response.js';
import { HostRecorder, type Observe } from './host-recorder.js';
import { routeAfterRecord, routeBeforeRecord, upstreamAcceptable, type PolicyOptions } from './policy.js';
import { authorized, PROXY_AUTH_REQUIRED, type ProxyAuth } from './proxy-auth.js';
import { openConnection } from '../net/connector.js';
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
}

interface MitmConnection {
  target: HostPort;
  record: HandshakeRecord;
  requests: number;
}

const CONNECT_AUTHORITY = /^(\[[0-9a-f:.]+\]|[^\s:[\]/]+):(\d{1,5})$/i;

export function parseConnectAuthority(authority: string): HostPort | null {
  const match = CONNECT_AUTHORITY.exec(authority);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  const host = match[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  if (match[1]!.startsWith('[') && isIP(host) !== 6) return null;
  return { host, port };
}

function sanNames(record: HandshakeRecord): string[] {
  return (record.chain[0]?.san ?? []).flatMap((entry) => {
    const [kind, value] = [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)];
    return kind === 'DNS' || kind === 'IP Address' ? [value] : [];
  });
}

const now = () => new Date().toISOString();

/** The first bytes the app sends after the 200, or null if it closes or says nothing in time. */
function firstChunk(socket: Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = (chunk: Buffer | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(chunk);
    };
    const onData = (chunk: Buffer) => done(chunk);
    const onClose = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

export class ProxyServer {
  private readonly proxy = new Proxy();
  private readonly connections = new WeakMap<object, MitmConnection>();
  private readonly recorder: HostRecorder;
  private readonly inner = createHttpServer();
  private readonly webSockets = new WebSocketServer({ noServer: true });
  private readonly front: NetServer;
  private readonly sockets = new Set<Socket>();
  private requestCount = 0;
  /** Absolute URLs of plain requests as the app sent them (the library strips req.url to a path). */
  private readonly plainUrls = new WeakMap<IncomingMessage, string>();
  private readonly rejections = new Map<string, number>();
  private agent: UpstreamAgent | null = null;

  private constructor(private readonly options: ProxyServerOptions) {
    this.recorder = new HostRecorder(options.observe, (record) => options.events.publish(record));
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
    const early = routeBeforeRecord(policy, target, readClientHello(first));
    if (early?.action === 'tunnel') {
      // Tunnelled TLS is still recorded, by the side probe.
      if (early.reason !== 'not-tls') this.recorder.record(target).catch(() => undefined);
      this.tunnel(socket, first, target);
      return;
    }
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
    // The app's session names what it asked for, plus what the real certificate names.
    const context = await minter.contextFor([target.host, ...sanNames(record)]);
    socket.unshift(first);
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
    const connection: MitmConnection = { target, record, requests: 0 };
    this.connections.set(tlsSocket, connection);
    let secure = false;
    let reported = false;
    // Apps that reject a certificate often close without an alert (Node and Go do): infer it from a
    // close before any request, and say how sure that is.
    const reportRejection = (confidence: 'high' | 'medium' | 'low', reason: string) => {
      if (reported) return;
      reported = true;
      const key = formatHostPort(target);
      const count = (this.rejections.get(key) ?? 0) + 1;
      if (this.rejections.size > 10_000) this.rejections.clear();
      this.rejections.set(key, count);
      // An app that keeps refusing one host while trusting the CA elsewhere is likely pinning it.
      const pinned = count >= 3 ? ` It refused ${count} times for ${key}: if the app pins this host's certificate, run with --passthrough ${target.host}` : '';
      events.publish({
        type: 'client-tls-error',
        time: now(),
        host: target.host,
        port: target.port,
        confidence,
        reason,
        action: `the app does not trust the tlswitness CA: point it at ${this.options.ca.paths.cert} (tlswitness ca env prints the variables).${pinned}`,
      });
    };
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

  /** Relays bytes untouched to the CONNECT target (through the upstream proxy when there is one). */
  private tunnel(client: Socket, first: Buffer, target: HostPort): void {
    const { upstream, events } = this.options;
    openConnection({ host: target.host, port: target.port, resolve: upstream.resolve, proxy: upstream.proxyFor(target.host), timeoutMs: upstream.timeoutMs }).then(
      (connection) => {
        const server = connection.socket;
        if (client.destroyed) {
          server.destroy();
          return;
        }
        this.sockets.add(server);
        server.on('close', () => this.sockets.delete(server));
        const end = () => {
          client.destroy();
          server.destroy();
        };
        server.on('error', end);
        client.on('error', end);
        client.once('close', end);
        server.once('close', end);
        if (connection.head.length) client.write(connection.head);
        server.write(first);
        client.pipe(server);
        server.pipe(client);
      },
      (error: Error) => {
        events.publish({ type: 'error', time: now(), code: 'TUNNEL_FAILED', message: `tunnel to ${formatHostPort(target)}: ${error.message}`, host: target.host });
        client.destroy();
      },
    );
  }

  /** A request on the plain listener: must be absolute-form http:// to another host, with credentials when --auth is set. */
  private onPlainRequest(req: IncomingMessage, res: ServerResponse): void {
    const refuse = (status: number, text: string, headers: Record<string, string> = {}) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...headers });
      res.end(`tlswitness: ${text}\n`);
    };
    const { auth } = this.options;
    if (auth && !authorized(auth, req.headers['proxy-authorization'])) return refuse(407, 'proxy authentication required', { 'proxy-authenticate': 'Basic realm="tlswitness"' });
    const raw = req.url ?? '';
    if (raw.startsWith('/')) return refuse(400, 'this is a proxy: point apps at it with HTTP_PROXY / HTTPS_PROXY (absolute-form requests or CONNECT)');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refuse(400, 'the request target is not a URL');
    }
    if (url.protocol !== 'http:') return refuse(400, `only http:// is forwarded in plain requests; use CONNECT for ${url.protocol.replace(':', '')}`);
    const port = Number(url.port || 80);
    if (!url.hostname || port < 1 || port > 65535) return refuse(400, 'the request target has no usable host or port');
    const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port };
    if (this.isSelf(target)) {
      this.options.events.publish({ type: 'error', time: now(), code: 'LOOP', message: `refused ${req.method} ${formatHostPort(target)}: that is this proxy itself` });
      return refuse(508, 'loop detected: that is this proxy itself');
    }
    this.plainUrls.set(req, url.toString());
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
    const started = performance.now();
    const { record } = connection;
    const page = blockResponse(record, req.headers.accept);
    req.resume();
    res.writeHead(502, { 'content-type': page.contentType, 'content-length': Buffer.byteLength(page.body), 'x-tlswitness-problem': record.diagnosis.problem });
    res.end(page.body);
    this.options.events.publish({
      type: 'request',
      id: `r-${++this.requestCount}`,
      handshakeId: record.id,
      time: now(),
      method: req.method ?? 'GET',
      url: redactUrl(`https://${formatHostPort(connection.target)}${req.url ?? '/'}`),
      status: 502,
      bytes: { response: Buffer.byteLength(page.body) },
      timing: { totalMs: Math.round((performance.now() - started) * 100) / 100 },
      blocked: record.diagnosis.problem,
    });
  }

  private onProxiedRequest(ctx: IContext): void {
    const started = performance.now();
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
    let bytes = 0;
    ctx.onResponse((_ctx, callback) => {
      ctx.serverToProxyResponse?.on('data', (chunk: Buffer) => (bytes += chunk.length));
      callback();
    });
    ctx.proxyToClientResponse.once('finish', () => {
      this.options.events.publish({
        type: 'request',
        id: `r-${++this.requestCount}`,
        handshakeId: connection?.record.id ?? null,
        time: now(),
        method: request.method ?? 'GET',
        url: redactUrl(url),
        status: ctx.proxyToClientResponse.statusCode,
        bytes: { response: bytes },
        timing: { totalMs: Math.round((performance.now() - started) * 100) / 100 },
      });
    });
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
