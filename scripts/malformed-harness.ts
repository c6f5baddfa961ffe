// The stage for malformed-traffic runs: fixture origins on loopback (HTTPS with the fixture PKI's
// valid chain, the same behind a slow hop, plain HTTP), and the built CLI proxy as a child process (a crash shows as an exit),
// with DNS kept on this machine (scripts/dns-guard.mjs); its NDJSON events counted as they come.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startH2Origin } from './bench/h2-origin.js';
import { makeFixturePki } from './fixture-pki.js';
import type { RunTarget } from './malformed-runner.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'tlswitness.cjs');
const GUARD = join(ROOT, 'scripts', 'dns-guard.mjs');

export interface HarnessOptions {
  /** The proxy's header deadline (hidden --header-timeout), ms. */
  headerTimeoutMs: number;
  /** The proxy's --timeout (first bytes after CONNECT, handshakes), ms. */
  timeoutMs: number;
  log?: string;
  /** Extra node options for the proxy process (e.g. --max-old-space-size=64). */
  nodeArgs?: string[];
  /** How long the hop in front of the cold origin holds each new connection, ms (default 500). */
  coldDelayMs?: number;
  /** Opens the proxy's inspector on loopback, for memoryAfterGc (a diagnosis, not for timings). */
  inspect?: boolean;
  /** Also an HTTP/2-only origin (scripts/bench/h2-origin.ts) for the same name on its own port: `h2Port`. */
  h2Origin?: boolean;
}

/** Two inspector calls: a full GC (as a heap snapshot starts with), then the memory figures. */
async function inspectorMemory(url: string): Promise<MemoryAfterGc> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<{ id?: number; result?: { result?: { value?: string } } }>((resolve) => {
      const mine = ++id;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: { result?: { value?: string } } };
        if (message.id !== mine) return;
        socket.off('message', onMessage);
        resolve(message);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method, params }));
    });
  const memory = async () =>
    JSON.parse(
      (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }))
        .result!.result!.value!,
    ) as NodeJS.MemoryUsage;
  try {
    const before = await memory();
    await call('HeapProfiler.collectGarbage');
    return { before, after: await memory() };
  } finally {
    socket.close();
  }
}

export interface ProcessFigures {
  rssKiB: number;
  fds: number;
}

/** process.memoryUsage() of the proxy before and right after a full garbage collection, in bytes. */
export interface MemoryAfterGc {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
}

export interface Harness {
  target: RunTarget;
  pid: number;
  /** The HTTP/2 origin's port (same name as target.tlsHost), when asked for. */
  h2Port: number | null;
  /** Event counts by type, and error events by code. */
  events: { byType: Map<string, number>; errorsByCode: Map<string, number> };
  /** Set when the proxy process ended by itself (a crash). */
  exited: { code: number | null; signal: string | null } | null;
  stderr(): string;
  figures(): ProcessFigures;
  /** Resolves true once `check` holds after an event line arrives (or already holds), false after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number): Promise<boolean>;
  /** With `inspect`: collects the proxy's garbage through its inspector, then reads its memory. */
  memoryAfterGc(): Promise<MemoryAfterGc>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }>;
}

/** Answers `PATH` with its path; /big streams 256 KiB in slow pieces; /slow answers after 1.5 s. */
function originHandler(tag: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const more = () => {
        if (res.destroyed || sent >= 256 * 1024) return void res.end();
        sent += 16 * 1024;
        res.write(Buffer.alloc(16 * 1024, 0x61));
        setTimeout(more, 5);
      };
      more();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${tag} ${req.url}\n`);
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A TCP hop to `port` that holds each new connection for `delayMs` before it connects through. */
function slowHop(port: number, delayMs: number): { server: Server; close(): Promise<void> } {
  const open = new Set<Socket>();
  const hop = createNetServer((client) => {
    open.add(client);
    client.on('error', () => undefined);
    client.pause();
    const timer = setTimeout(() => {
      const upstream = connect(port, '127.0.0.1');
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    }, delayMs);
    client.on('close', () => {
      clearTimeout(timer);
      open.delete(client);
    });
  });
  return {
    server: hop,
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => hop.close(() => resolve()));
    },
  };
}

export function processFigures(pid: number): ProcessFigures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssKiB: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN), fds: readdirSync(`/proc/${pid}/fd`).length };
}

export async function startHarness(options: HarnessOptions): Promise<Harness & { close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-malformed-'));
  const pki = await makeFixturePki(join(dir, 'pki'));
  const scenario = pki.scenarios.valid!;
  const https = createHttpsServer(
    { key: scenario.keyPem, cert: scenario.sent.join('') },
    originHandler('hello from valid'),
  );
  https.on('tlsClientError', () => undefined);
  https.on('clientError', (_e, socket) => socket.destroy());
  const http = createHttpServer(originHandler('plain hello'));
  http.on('clientError', (_e, socket) => socket.destroy());
  // Idle kept-alive upstream connections go quickly, so the proxy's open fds settle within seconds.
  https.keepAliveTimeout = http.keepAliveTimeout = 500;
  const [tlsPort, httpPort] = await Promise.all([listen(https), listen(http)]);
  const hop = slowHop(tlsPort, options.coldDelayMs ?? 500);
  const coldPort = await listen(hop.server);
  const h2 = options.h2Origin ? await startH2Origin({ key: scenario.keyPem, cert: scenario.sent.join('') }) : null;
  const certsDir = join(dir, 'certs');
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []),
    '--import',
    GUARD,
    CLI,
    'proxy',
    '--port',
    '0',
    '--json',
    '--no-env-proxy',
    '--certs-dir',
    certsDir,
    '--public-roots',
    pki.files['public-roots.pem']!,
    '--resolve',
    `${scenario.host}:${tlsPort}:127.0.0.1`,
    ...(h2 ? ['--resolve', `${scenario.host}:${h2.port}:127.0.0.1`] : []),
    '--timeout',
    String(options.timeoutMs),
    '--header-timeout',
    String(options.headerTimeoutMs),
    ...(options.log ? ['--log', options.log] : []),
  ];
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SSL_CERT_FILE: '/nonexistent/ca-bundle.crt',
    TLSWITNESS_CACHE_DIR: join(dir, 'cache'),
  };
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The proxy must not outlive a runner that dies.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  const byType = new Map<string, number>();
  const errorsByCode = new Map<string, number>();
  const eventWaiters = new Set<() => void>();
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      const event = JSON.parse(line) as { type: string; code?: string; confidence?: string };
      const type = event.type === 'client-tls-error' ? `client-tls-error(${event.confidence})` : event.type;
      byType.set(type, (byType.get(type) ?? 0) + 1);
      if (event.type === 'error') errorsByCode.set(event.code!, (errorsByCode.get(event.code!) ?? 0) + 1);
    }
    for (const waiter of eventWaiters) waiter();
  });
  let stderr = '';
  let stopping = false;
  const harness: Harness & { close(): Promise<void> } = {
    target: { proxyPort: 0, caPem: '', tlsHost: scenario.host!, tlsPort, httpPort, coldPort },
    pid: child.pid!,
    h2Port: h2?.port ?? null,
    events: { byType, errorsByCode },
    exited: null,
    stderr: () => stderr,
    figures: () => processFigures(child.pid!),
    waitFor: (check, timeoutMs) =>
      new Promise((resolve) => {
        if (check()) return resolve(true);
        const done = (result: boolean) => {
          clearTimeout(timer);
          eventWaiters.delete(waiter);
          resolve(result);
        };
        const waiter = () => check() && done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        eventWaiters.add(waiter);
      }),
    memoryAfterGc: () => {
      const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
      if (!url) return Promise.reject(new Error('the proxy was started without its inspector (inspect: true)'));
      return inspectorMemory(url);
    },
    stop: (signal = 'SIGTERM') => {
      stopping = true;
      child.kill(signal);
      return exited;
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) await harness.stop('SIGKILL');
      https.closeAllConnections();
      http.closeAllConnections();
      await Promise.all([
        new Promise((r) => https.close(r)),
        new Promise((r) => http.close(r)),
        hop.close(),
        h2?.close(),
      ]);
    },
  };
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) harness.exited = { code, signal };
      resolve({ code, signal });
    }),
  );
  harness.target.proxyPort = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`the proxy exited before listening: ${stderr}`)));
  });
  harness.target.caPem = readFileSync(join(certsDir, 'ca', 'certs', 'ca.pem'), 'utf8');
  return harness;
}
