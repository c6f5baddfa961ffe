// Reaching a host: name resolution (--resolve first, as curl), a direct TCP connection, or a
// CONNECT tunnel through an HTTP proxy. Failures say which step failed. The TCP connection to the
// proxy is opened here (so a refused proxy and a hung resolver keep their own step and --resolve
// pins apply to it); the CONNECT exchange itself is node:http's, not a hand-written parser. Its cost,
// measured with scripts/connect-bench.ts (loopback, 200 connections x 8 rounds, six runs): about
// 0.1-0.2 ms more per tunnel, ~3% of tunnel + TLS handshake; llhttp's parsing is worth that.
import type { ClientRequest, IncomingMessage, request as HttpRequest } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { ipFamily } from '../ip.js';
import { monotonicMs } from '../monotonic-ms.js';
import type { Failure, FailureStep, Via } from '../types.js';
import type { ResolveMap } from './target.js';
import { formatHostPort } from '../host-port.js';
import { answerError, proxyRefusal } from './proxy-answer.js';
import type { ProxySpec } from './proxy-url.js';
import { sameAcrossBundles } from '../cross-bundle.js';

export { parseProxyUrl, type ProxySpec } from './proxy-url.js';

export interface ConnectRequest {
  host: string;
  port: number;
  resolve: ResolveMap;
  proxy: ProxySpec | null;
  timeoutMs: number;
}

export interface Connection {
  socket: Socket;
  /** Bytes that arrived after the proxy's CONNECT answer: the start of the TLS stream. */
  head: Buffer;
  /** The address connected to (the target's when direct, null when a proxy resolved it). */
  address: string | null;
  /** Where that address came from: the target itself, a --resolve pin, or DNS / the hosts file. */
  addressSource: 'literal' | 'resolve' | 'dns' | null;
  via: Via;
  proxy: string | null;
  connectMs: number;
}

export class ConnectError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'ConnectError');
  }

  constructor(
    readonly failure: Failure,
    readonly address: string | null,
  ) {
    super(failure.message);
    this.name = 'ConnectError';
  }
}

async function resolveAddress(
  host: string,
  port: number,
  resolve: ResolveMap,
  step: FailureStep,
): Promise<{ address: string; source: 'literal' | 'resolve' | 'dns' }> {
  if (ipFamily(host)) return { address: host, source: 'literal' };
  const pinned = resolve.get(`${host.toLowerCase()}:${port}`);
  if (pinned?.length) return { address: pinned[0]!, source: 'resolve' };
  try {
    // Loaded on first use: a run with --resolve or an address never pays for node:dns/promises.
    const { lookup } = await import('node:dns/promises');
    return { address: (await lookup(host)).address, source: 'dns' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    const what = step === 'proxy' ? `proxy host ${host}` : host;
    throw new ConnectError(
      {
        step,
        code,
        message: `cannot resolve ${what} (${code}): check the name, or pin it with --resolve ${host}:${port}:ADDRESS`,
      },
      null,
    );
  }
}

function tcp(
  address: string,
  port: number,
  step: FailureStep,
  label: string,
  opened: (socket: Socket) => void,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: address, port });
    opened(socket);
    socket.setNoDelay(true);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      const code = error.code ?? 'ECONNRESET';
      const why =
        code === 'ECONNREFUSED'
          ? 'refused the connection'
          : code === 'ETIMEDOUT'
            ? 'did not answer'
            : `failed (${code})`;
      reject(
        new ConnectError(
          {
            step: code === 'ETIMEDOUT' ? 'timeout' : step,
            code,
            message: `${label} ${formatHostPort({ host: address, port })} ${why}`,
          },
          address,
        ),
      );
    });
  });
}

/** The longest answer head taken from a proxy: the 64 KiB this tool has always allowed (Node's default is 16 KiB). */
const MAX_ANSWER_HEAD = 64 * 1024;

/**
 * Sends CONNECT over the open socket with node:http, which parses the answer (status, headers) and
 * hands back the socket with the bytes that followed the head. Resolves with those bytes on 2xx.
 */
function connectThrough(
  httpRequest: typeof HttpRequest,
  socket: Socket,
  proxy: ProxySpec,
  host: string,
  port: number,
): Promise<Buffer> {
  const authority = formatHostPort({ host, port });
  const headers: Record<string, string> = { Host: authority, 'User-Agent': 'tlswitness' };
  if (proxy.authorization) headers['Proxy-Authorization'] = proxy.authorization;
  // Without a Connection header Node adds "Connection: close" to a request whose connection is meant
  // to stay open as the tunnel; keep-alive is HTTP/1.1's default anyway (RFC 9112 9.3).
  headers['Connection'] = 'keep-alive';
  return new Promise((resolve, reject) => {
    const fail = (failure: Failure) => {
      socket.destroy();
      reject(new ConnectError(failure, null));
    };
    let request: ClientRequest;
    try {
      request = httpRequest({
        method: 'CONNECT',
        path: authority,
        headers,
        setHost: false,
        maxHeaderSize: MAX_ANSWER_HEAD,
        createConnection: () => socket,
      });
    } catch (error) {
      // node:http refuses a request target or header it could not send as HTTP (e.g. a control character).
      fail({
        step: 'proxy',
        code: (error as NodeJS.ErrnoException).code ?? 'EPROXYREQUEST',
        message: `cannot send CONNECT for ${JSON.stringify(authority)} to proxy ${proxy.display}: ${(error as Error).message}`,
      });
      return;
    }
    // For CONNECT, Node reports every answer (2xx or not) as 'connect', with the socket detached from the parser.
    request.once('connect', (response: IncomingMessage, _socket: Socket, head: Buffer) => {
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        resolve(head);
        return;
      }
      fail(proxyRefusal(proxy, authority, status, response.rawHeaders));
    });
    request.on('error', (error: NodeJS.ErrnoException) => fail(answerError(proxy, authority, error)));
    request.end();
  });
}

/** The step a timeout interrupts: a hung resolver is a DNS failure, not a TCP timeout. */
type ConnectPhase = 'dns' | 'connect' | 'proxy-dns' | 'proxy';

function timeoutFailure(phase: ConnectPhase, request: ConnectRequest): Failure {
  const target = formatHostPort(request);
  const limit = `${request.timeoutMs} ms`;
  switch (phase) {
    case 'dns':
      return { step: 'dns', code: 'ETIMEDOUT', message: `resolving ${request.host} took longer than ${limit}` };
    case 'proxy-dns':
      return {
        step: 'proxy',
        code: 'ETIMEDOUT',
        message: `resolving the proxy host ${request.proxy?.host} took longer than ${limit}`,
      };
    case 'proxy':
      return {
        step: 'proxy',
        code: 'ETIMEDOUT',
        message: `proxy ${request.proxy?.display} did not open a tunnel to ${target} within ${limit}`,
      };
    case 'connect':
      return {
        step: 'timeout',
        code: 'ETIMEDOUT',
        message: `${target} did not accept a TCP connection within ${limit}`,
      };
  }
}

/** Opens a TCP stream to host:port, directly or through the proxy, within timeoutMs. */
export async function openConnection(request: ConnectRequest): Promise<Connection> {
  const started = monotonicMs();
  let socket: Socket | null = null;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let phase: ConnectPhase = request.proxy ? 'proxy-dns' : 'dns';
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      socket?.destroy();
      const failure = timeoutFailure(phase, request);
      reject(new ConnectError(failure, null));
    }, request.timeoutMs);
  });
  const opened = (s: Socket) => {
    socket = s;
  };
  const stopIfLate = () => {
    if (timedOut) throw new ConnectError({ step: 'timeout', code: 'ETIMEDOUT', message: 'deadline passed' }, null);
  };
  const attempt = async (): Promise<Connection> => {
    const { proxy } = request;
    if (!proxy) {
      const { address, source } = await resolveAddress(request.host, request.port, request.resolve, 'dns');
      stopIfLate();
      phase = 'connect';
      socket = await tcp(address, request.port, 'connect', 'host', opened);
      return {
        socket,
        head: Buffer.alloc(0),
        address,
        addressSource: source,
        via: 'direct',
        proxy: null,
        connectMs: monotonicMs() - started,
      };
    }
    // Loaded here, not at start-up: a run without an upstream proxy never pays for node:http.
    const [{ address: proxyAddress }, { request: httpRequest }] = await Promise.all([
      resolveAddress(proxy.host, proxy.port, request.resolve, 'proxy'),
      import('node:http'),
    ]);
    stopIfLate();
    phase = 'proxy';
    socket = await tcp(proxyAddress, proxy.port, 'proxy', 'proxy', opened);
    stopIfLate();
    const head = await connectThrough(httpRequest, socket, proxy, request.host, request.port);
    return {
      socket,
      head,
      address: null,
      addressSource: null,
      via: proxy.via,
      proxy: proxy.display,
      connectMs: monotonicMs() - started,
    };
  };
  const attempted = attempt();
  // A connection that completes after the deadline is closed, not leaked.
  attempted.then(
    (connection) => timedOut && connection.socket.destroy(),
    () => undefined,
  );
  try {
    return await Promise.race([attempted, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
