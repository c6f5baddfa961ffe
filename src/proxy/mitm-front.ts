// The CONNECT side: each CONNECT routed (connect-router.ts) and acted on: refused, relayed untouched,
// or terminated on a minted leaf (upstream first: record and verify the host, then serve the app's TLS
// in-process); the MITM sessions' HTTP requests (and WebSocket upgrades, websocket-gate.ts), passed or
// answered with a block page.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { LeafMinter, MintedLeaf } from '../ca/leaf-minter.js';
import { errorEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { blockResponse } from './block-response.js';
import { ClientRejections } from './client-rejections.js';
import {
  NO_BYTES,
  refusalMessage,
  routeConnectRequest,
  routeFirstBytes,
  routeLoop,
  routeAhead,
  routeRecord,
  type Refusal,
} from './connect-router.js';
import { firstChunk } from './first-bytes.js';
import type { Verdict } from './host-recorder.js';
import { H2FrontLoader } from './h2-front-loader.js';
import { asFault } from './internal-fault.js';
import { forwardMitmRequest } from './mitm-forward.js';
import { refuseRequest, type FrontContext } from './front-context.js';
import { settleVerdict, startMitmSession, type MitmConnection, type MitmSession } from './mitm-session.js';
import { shownTarget } from './plain-request.js';
import { upstreamAcceptable } from './policy.js';
import { authorized, PROXY_AUTH_REQUIRED } from './proxy-auth.js';
import { RecordFailures } from './record-failures.js';
import { relay } from './tunnel.js';
import { carriesVia } from './via.js';
import { WebSocketGate } from './websocket-gate.js';

/** How long a blocked request waits for OpenSSL's own verdict before the page goes out without it. */
const CROSS_CHECK_WAIT_MS = 1_500;

export class MitmFront {
  /** The app connection under each MITM TLS session. */
  private readonly outerSocket = new WeakMap<object, Socket>();
  private readonly connections = new WeakMap<object, MitmConnection>();
  /** The MITM sessions' HTTP/1.1, served in-process. */
  readonly inner = createHttpServer();
  private readonly webSockets: WebSocketGate;
  /** The MITM sessions in which the app chose h2. */
  private readonly h2: H2FrontLoader;
  private readonly rejections: ClientRejections;
  /** OpenSSL's verdict on the blocked hosts' chains, once per record (see crossChecked). */
  private readonly crossChecks = new WeakMap<HandshakeRecord, Promise<HandshakeRecord>>();
  private readonly recordFailures: RecordFailures;

  constructor(private readonly shared: FrontContext) {
    const { options, heads, library } = shared;
    this.rejections = new ClientRejections(options.events, options.ca.paths.cert);
    this.recordFailures = new RecordFailures(options.events);
    this.h2 = new H2FrontLoader(shared, (connection) => this.crossChecked(connection));
    this.inner.on('request', (req, res) => this.onRequest(req, res));
    // An idle keep-alive connection lives as long as the head deadline allows (HAProxy's default too),
    // not Node's 5 s keepAliveTimeout. The head guard below closes it then; Node's own idle timer is
    // left off (0), as it came a second after the guard's and was cleared and set again around every
    // exchange. Each response still tells the app (onRequest).
    this.inner.keepAliveTimeout = 0;
    heads.watch(
      this.inner,
      (socket) => `MITM ${formatHostPort(this.connections.get(socket)?.target ?? { host: '?', port: 0 })}`,
      (socket) => this.connections.get(socket)?.securedAt,
    );
    this.webSockets = new WebSocketGate(shared, (socket) => this.connections.get(socket));
    this.inner.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.webSockets.upgrade(req, socket, head),
    );
    library.onConnect((req, socket, head) => {
      this.onConnect(req, socket, head).catch((error: Error) => {
        options.events.publish(
          errorEvent('CONNECT_FAILED', `CONNECT ${shownTarget(String(req.url))}: ${error.message}`),
        );
        socket.destroy();
      });
    });
  }

  /** The MITM session a request's socket belongs to, if any. */
  connectionOf(socket: object): MitmConnection | undefined {
    return this.connections.get(socket);
  }

  private refuse(socket: Socket, refusal: Refusal, shown: string, target: HostPort | null): void {
    const { events, upstream } = this.shared.options;
    if (refusal.code)
      events.publish(
        errorEvent(
          refusal.code,
          refusalMessage(refusal, shown, target, upstream.timeoutMs),
          target && refusal.status === null ? target.host : undefined,
        ),
      );
    if (refusal.reason === 'unauthorized') socket.end(PROXY_AUTH_REQUIRED);
    // Bytes pipelined after a refused CONNECT are never read.
    else if (refusal.status)
      socket.end(`HTTP/1.1 ${refusal.status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, () =>
        socket.destroy(),
      );
    else socket.destroy();
  }

  private async onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const { minter, policy, auth, upstream } = this.shared.options;
    const { recorder, loops } = this.shared;
    socket.on('error', () => undefined);
    const request = routeConnectRequest(req.url ?? '', !auth || authorized(auth, req.headers['proxy-authorization']));
    if ('action' in request) return this.refuse(socket, request, shownTarget(req.url ?? ''), null);
    const { target } = request;
    const loop = routeLoop(await loops.isSelf(target));
    if (loop) return this.refuse(socket, loop, '', target);
    // While the app sends its ClientHello: a new host's TCP connection is opened (its TLS handshake
    // waits for the app's SNI and ALPN), and the leaf for the CONNECT host minted (when the SNI names
    // that host, the usual case, the mint below is this one; otherwise this leaf only waits in the
    // cache). Both before the 200 goes out: the app woken by it can take the CPU for a millisecond or two
    // (measured on two loaded cores: the proxy's next step after that write often ran 1.3-1.6 ms later),
    // and the signature, started first, runs on the pool meanwhile.
    const ahead = routeAhead(policy, target);
    const openedAhead = ahead ? this.shared.agent()?.openAhead(target) : false;
    if (ahead) minter.ahead([ahead.checked]);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // What the proxy wrote before its TLS flight: more than this means the app was shown a certificate.
    const answered = socket.bytesWritten;
    // The app's first bytes decide the route: not TLS, or no HTTP in its ALPN, means a plain tunnel.
    const first = head.length ? head : await firstChunk(socket, upstream.timeoutMs);
    const early = routeFirstBytes(policy, target, first);
    if (openedAhead && early.action !== 'mitm') this.shared.agent()?.dropAhead(target);
    if (early.action === 'refuse' || !first)
      return this.refuse(socket, early.action === 'refuse' ? early : NO_BYTES, '', target);
    if (early.action !== 'mitm') {
      // Tunnelled TLS is still recorded, by the side probe; the app verifies it itself.
      if ('recordAs' in early) recorder.record(target, early.recordAs).catch(() => undefined);
      return this.tunnel(socket, first, target);
    }
    const { name } = early;
    // The leaf names only the name verified upstream on the connections that carry this session's
    // traffic. It is minted while the upstream is recorded rather than after: a new host costs the
    // upstream handshake, not the handshake plus a signature.
    const leaf = minter.leafFor([name.checked]);
    leaf.catch(() => undefined);
    // A host not recorded yet is recorded from the handshake of the connection that is to carry its
    // first request, opened now (upstream-agent.ts): one handshake upstream, not a probe's and then that one.
    this.shared.agent()?.recordHost(target, name, this.h2.wants(first) ? ['h2', 'http/1.1'] : undefined);
    const verdict = recorder.verdict(target, name.recordAs);
    verdict.catch(() => undefined);
    // In block mode every recorded verdict ends in the proxy's own TLS session (a pass or a 502), so the
    // app's handshake with the proxy runs while the upstream is recorded; its requests wait for the record.
    // With `--on-upstream-error tunnel` the record decides whether to terminate TLS at all.
    const inAdvance = early.reason === 'early' ? await this.terminate(socket, first, target, leaf, answered) : null;
    if (early.reason === 'early' && !inAdvance) return;
    let ruled: Verdict;
    try {
      ruled = await verdict;
    } catch (error) {
      this.recordFailures.report(target, error);
      if (inAdvance) inAdvance.connection.closedByProxy = true;
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    // A host that passed the blocking checks is accepted before its record is made (host-recorder.ts).
    const accepted = 'passed' in ruled || upstreamAcceptable(policy, ruled.record);
    if (!inAdvance && !('passed' in ruled) && routeRecord(policy, name, ruled.record).action === 'tunnel')
      return this.tunnel(socket, first, target);
    // The traffic connection for the first request is dialed now (h2 for an app that prefers it), checked against this very record.
    if (accepted && !this.h2.preconnect(first, target, name)) this.shared.agent()?.preconnect(target, name);
    const terminated = inAdvance ?? (await this.terminate(socket, first, target, leaf, answered));
    if (!terminated) return;
    terminated.connection.name = name;
    settleVerdict(terminated.connection, ruled, accepted, (error) => this.recordFailures.report(target, error));
    this.connections.set(terminated.tlsSocket, terminated.connection);
    this.h2.serve(terminated, socket, (tlsSocket) => {
      this.inner.emit('connection', tlsSocket);
      // Any bytes after the handshake, even a malformed request, show the app accepted the certificate.
      tlsSocket.once('data', () => (terminated.connection.spoke = true));
    });
  }

  /** The app's TLS session on the minted leaf (see mitm-session.ts); null when there is none to have. */
  private async terminate(
    socket: Socket,
    first: Buffer,
    target: HostPort,
    leaf: Promise<MintedLeaf>,
    answered: number,
  ): Promise<MitmSession | null> {
    const { events, upstream } = this.shared.options;
    let context: ReturnType<LeafMinter['contextWith']>;
    try {
      context = this.shared.options.minter.contextWith(await leaf); // the socket is made from it at once
    } catch (error) {
      events.publish(
        errorEvent(
          'MINT_FAILED',
          `minting a certificate for ${formatHostPort(target)} failed: ${(error as Error).message}`,
          target.host,
        ),
      );
      socket.destroy();
      return null;
    }
    if (socket.destroyed) return null;
    const session = startMitmSession({
      socket,
      first,
      target,
      context,
      answered,
      timeoutMs: upstream.timeoutMs,
      reportRejection: this.rejections.reporter(target),
      events,
    });
    this.outerSocket.set(session.tlsSocket, socket);
    return session;
  }

  private tunnel(client: Socket, first: Buffer, target: HostPort): void {
    relay(client, first, target, this.shared.options.upstream, this.shared.sockets, this.shared.options.events);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const { idle, drain, viaToken, requests, options, limits } = this.shared;
    idle?.touch();
    // `Keep-Alive: timeout=N` (RFC 9112 9.3) on a kept-alive response, written by Node from the
    // response's copy of the server's keepAliveTimeout (_http_outgoing.js), which is 0 here (above).
    (res as ServerResponse & { _keepAliveTimeout: number })._keepAliveTimeout = limits.headerTimeoutMs;
    const connection = this.connections.get(req.socket);
    if (connection) connection.requests++;
    const outer = this.outerSocket.get(req.socket);
    if (outer) drain.track(outer, res);
    if (carriesVia(req.headers.via, viaToken)) {
      refuseRequest(
        options.events,
        req,
        res,
        508,
        'loop detected: this request already went through this proxy (its Via header names it)',
      );
      return;
    }
    // Every request on the inner server came through a MITM session; a socket without one is refused rather than sent anywhere.
    if (!connection) return void req.socket.destroy();
    if (connection.accepted) return forwardMitmRequest(this.shared, req, res, connection);
    // Never a silent pass: the app's session completed, so it can read why.
    const target = formatHostPort(connection.target);
    const done = requests.start(req, `https://${target}${req.url ?? '/'}`, connection.recordId);
    req.resume();
    const exchange = { clientToProxyRequest: req, proxyToClientResponse: res, target };
    this.crossChecked(connection)
      .then((record) => {
        const page = blockResponse(record, req.headers.accept);
        res.writeHead(page.status, {
          'content-type': page.contentType,
          'content-length': Buffer.byteLength(page.body),
          'x-tlswitness-problem': record.diagnosis.problem,
        });
        res.end(page.body);
        done(page.status, Buffer.byteLength(page.body), {
          blocked: record.diagnosis.problem,
          rawHeaders: ['content-type', page.contentType, 'x-tlswitness-problem', record.diagnosis.problem],
        });
      })
      .catch((error) => this.shared.errors.handle('BLOCK_PAGE', exchange, asFault('the block page', error)));
  }

  /**
   * A record that blocks is checked against OpenSSL once, on a connection of its own, so that a
   * verifier stricter than OpenSSL shows up too (VERIFIER_DISAGREEMENT) and the block page carries
   * OpenSSL's verdict. A failed handshake has nothing to check; a slow one does not hold the page.
   */
  private crossChecked(connection: MitmConnection): Promise<HandshakeRecord> {
    const { record, name } = connection;
    const agent = this.shared.agent();
    if (!agent || !name || record.failure || record.chain.length === 0) return Promise.resolve(record);
    let check = this.crossChecks.get(record);
    if (!check) this.crossChecks.set(record, (check = agent.crossCheck(connection.target, name, record)));
    return Promise.race([
      check,
      new Promise<HandshakeRecord>((resolve) => setTimeout(resolve, CROSS_CHECK_WAIT_MS, record).unref()),
    ]);
  }

  close(): void {
    this.inner.closeAllConnections();
    this.h2.close();
  }
}
