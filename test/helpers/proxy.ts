// Proxy test helpers: fixture HTTPS servers that speak HTTP, an in-process proxy with explicit
// trust, and a Node client that goes through it with CONNECT (as an app with HTTPS_PROXY would).
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Scenario } from '../../scripts/fixture-pki.js';
import { LeafMinter } from '../../src/ca/leaf-minter.js';
import { ensureLocalCa, type LocalCa } from '../../src/ca/local-ca.js';
import { EventBus, type ProxyEvent } from '../../src/events.js';
import { parseResolve } from '../../src/net/target.js';
import type { ProxyLimits } from '../../src/proxy/limits.js';
import type { PolicyOptions } from '../../src/proxy/policy.js';
import type { ProxyAuth } from '../../src/proxy/proxy-auth.js';
import { ProxyServer } from '../../src/proxy/proxy-server.js';
import { anchorPems, type TrustContext } from '../../src/record/assemble.js';
import { observeHandshake, passesOnSight, type HandshakeRequest } from '../../src/record/observe.js';
import type { ClientCredentials } from '../../src/tls/probe.js';
import type { ProxySpec } from '../../src/net/connector.js';
import type { HandshakeRecord, HostPort } from '../../src/types.js';
import { onLoopback } from './loopback-server.js';

export interface Origin {
  port: number;
  close(): Promise<void>;
}

/** An HTTPS origin serving a scenario's chain; it answers `hello from NAME PATH` and echoes headers it got. */
export async function startHttpsOrigin(scenario: Scenario, clientCa?: string): Promise<Origin> {
  const mtls = clientCa ? { requestCert: true, rejectUnauthorized: true, ca: [clientCa] } : {};
  const server = createHttpsServer(
    {
      key: scenario.keyPem,
      cert: scenario.sent.join(''),
      ...mtls,
      ...(scenario.legacyServer ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    },
    (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-seen-authorization': req.headers.authorization ? 'yes' : 'no',
        'set-cookie': 'session=origin-secret-cookie',
      });
      res.end(`hello from ${scenario.name} ${req.url}\n`);
    },
  );
  server.on('tlsClientError', () => undefined);
  return onLoopback(server);
}

export async function startHttpOrigin(): Promise<Origin> {
  const server = createHttpServer((req, res) => res.end(`plain hello ${req.url}\n`));
  return onLoopback(server);
}

export interface TestProxy {
  port: number;
  ca: LocalCa;
  minter: LeafMinter;
  events: ProxyEvent[];
  /** The first event (published so far or later) that `matches`. */
  event(matches: (event: ProxyEvent) => boolean): Promise<ProxyEvent>;
  server: ProxyServer;
  close(): Promise<void>;
}

export interface TestProxyExtras {
  certsDir?: string;
  auth?: ProxyAuth | null;
  client?: ClientCredentials | null;
  upstreamProxy?: ProxySpec | null;
  timeoutMs?: number;
  /** The recording's handshake timeout (the CLI uses --timeout for both). */
  recordTimeoutMs?: number;
  limits?: Partial<ProxyLimits>;
  /** The port to listen on (default: any free one). */
  port?: number;
  /** Rewrites each record as it is made (to force a verifier verdict). */
  mapRecord?: (record: HandshakeRecord) => HandshakeRecord;
  /** OpenSSL's anchors (default: the stores' own), to force OpenSSL to refuse what tlswitness's checks pass. */
  anchors?: () => string[];
  /** Every record fails (the blocking checks still pass on sight) once this settles. */
  failRecordsAfter?: Promise<unknown>;
}

export async function startTestProxy(
  trust: TrustContext,
  resolveEntries: string[],
  policy: Partial<PolicyOptions> = {},
  extras: TestProxyExtras = {},
): Promise<TestProxy> {
  const {
    certsDir,
    auth = null,
    client = null,
    upstreamProxy = null,
    timeoutMs = 5000,
    recordTimeoutMs = 5000,
    limits,
    port = 0,
    mapRecord = (record) => record,
    anchors = () => anchorPems(trust),
  } = extras;
  const ca = await ensureLocalCa(certsDir ?? mkdtempSync(join(tmpdir(), 'tlswitness-proxy-ca-')));
  const minter = await LeafMinter.create(ca);
  const bus = new EventBus();
  const events: ProxyEvent[] = [];
  const waiters = new Set<(event: ProxyEvent) => void>();
  bus.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters) waiter(event);
  });
  const event = (matches: (event: ProxyEvent) => boolean) =>
    new Promise<ProxyEvent>((resolve) => {
      const published = events.find(matches);
      if (published) return resolve(published);
      const waiter = (next: ProxyEvent) => {
        if (!matches(next)) return;
        waiters.delete(waiter);
        resolve(next);
      };
      waiters.add(waiter);
    });
  const resolve = parseResolve(resolveEntries);
  let id = 0;
  const request = (target: HostPort, servername: string | undefined, handshakeId: string): HandshakeRequest => ({
    id: handshakeId,
    target,
    servername,
    resolve,
    proxy: upstreamProxy,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    // As the MITM offers the origin: an h2-only origin (gRPC) refuses a hello without h2.
    alpn: ['h2', 'http/1.1'],
    client,
    timeoutMs: recordTimeoutMs,
    fetchMissing: !!policy.completeChains,
  });
  const server = await ProxyServer.start({
    host: '127.0.0.1',
    port,
    policy: { mode: 'mitm', passthrough: [], onUpstreamError: 'block', ...policy },
    auth,
    ca,
    minter,
    events: bus,
    // As proxy-run wires it: a host whose traffic connection passes the blocking checks is forwarded
    // before its record (none when records are rewritten: the rewritten verdict must decide).
    observe: {
      observe: async (target, servername, seen, reserved) => {
        if (extras.failRecordsAfter)
          throw new Error(`injected record failure (${await extras.failRecordsAfter.then(() => 'released')})`);
        return observeHandshake(request(target, servername, reserved ?? `h-${++id}`), trust, undefined, seen).then(
          mapRecord,
        );
      },
      prejudge: (target, servername, seen) =>
        !extras.mapRecord && passesOnSight(request(target, servername, `h-${id + 1}`), seen, trust)
          ? `h-${++id}`
          : null,
    },
    upstream: {
      resolve,
      proxyFor: () => upstreamProxy,
      minVersion: 'TLSv1.2',
      timeoutMs,
      clientFor: () => client,
      anchors,
      opensslLevel: () => trust.opensslLevel ?? null,
      trust: () => trust,
    },
    limits,
  });
  return { port: server.port, ca, minter, events, event, server, close: () => server.close() };
}

export interface FetchResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** GET url through the proxy with CONNECT, trusting `caPem` (or nothing, to play an app that rejects it). */
export function fetchViaProxy(
  proxyPort: number,
  url: string,
  caPem: string | null,
  headers: Record<string, string> = {},
  connectHeaders: Record<string, string> = {},
): Promise<FetchResult> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const connect = httpRequest({
      host: '127.0.0.1',
      port: proxyPort,
      method: 'CONNECT',
      path: `${target.hostname}:${target.port}`,
      headers: connectHeaders,
    });
    connect.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
        return;
      }
      const tls = tlsConnect({
        socket,
        servername: target.hostname,
        ca: caPem ? [caPem] : [],
        rejectUnauthorized: true,
      });
      tls.on('error', reject);
      tls.on('secureConnect', () => {
        const req = httpsRequest(
          {
            createConnection: () => tls,
            host: target.hostname,
            port: target.port,
            path: `${target.pathname}${target.search}`,
            headers,
          },
          (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => {
              tls.destroy();
              resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
    });
    connect.on('error', reject);
    connect.end();
  });
}

/** A plain-HTTP GET through the proxy (absolute-form request line). */
export function fetchPlainViaProxy(proxyPort: number, url: string): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      // One request on a connection of its own, as curl makes it: a connection left idle in Node's global
      // agent would outlive the test's look at what the proxy holds open.
      { host: '127.0.0.1', port: proxyPort, path: url, headers: { host: new URL(url).host }, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A TLS session through the proxy's CONNECT, for checking which certificate the app is shown. */
export function tlsViaProxy(
  proxyPort: number,
  host: string,
  port: number,
  options: { ca: string[]; alpn?: string[]; firstBytes?: Buffer },
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const authority = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    const connect = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
    connect.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
        return;
      }
      // RFC 6066 3: no SNI for IP literals.
      const tls = tlsConnect({
        socket,
        host,
        servername: isIP(host) ? undefined : host,
        ca: options.ca,
        ALPNProtocols: options.alpn,
      });
      tls.once('secureConnect', () => resolve(tls));
      tls.once('error', reject);
    });
    connect.on('error', reject);
    connect.end();
  });
}

/** CONNECT, then raw bytes (not TLS): the answer the tunnel relays back. */
export function rawViaProxy(proxyPort: number, host: string, port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connect = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:${port}` });
    connect.on('connect', (_res, socket) => {
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.write(payload);
    });
    connect.on('error', reject);
    connect.end();
  });
}
