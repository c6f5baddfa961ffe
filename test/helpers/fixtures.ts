// Test fixtures: the fixture PKI (once per test file), real TLS servers on 127.0.0.1 that send
// exactly a scenario's chain, an AIA server, and a runner for the built CLI with a clean environment.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { makeFixturePki, type FixturePki, type Scenario } from '../../scripts/fixture-pki.js';
import { closeAll, scenarioServerOptions, type ScenarioServerOptions } from '../../scripts/scenario-server.js';
import { withServer } from './with-servers.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'tlswitness.cjs');

export interface AiaServer {
  url: string;
  close(): Promise<void>;
}

/** Serves fixture CA certificates as DER at /<name>.der for AIA fetches; `seen` lists the paths asked for. */
export async function startAiaServer(
  getPki: () => FixturePki | undefined,
  address = '127.0.0.1',
): Promise<AiaServer & { port: number; seen: string[] }> {
  const seen: string[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    seen.push(req.url ?? '');
    const pki = getPki();
    const name = req.url?.replace(/^\//, '') ?? '';
    const file =
      pki &&
      (Object.values(pki).find(
        (v) => v && typeof v === 'object' && 'der' in v && `${(v as { name: string }).name}.der` === name,
      ) as { der: Buffer } | undefined);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(file.der);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Fixtures {
  pki: FixturePki;
  aia: AiaServer;
  dir: string;
  close(): Promise<void>;
}

export async function makeFixtures(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-pki-'));
  let pki: FixturePki | undefined;
  const aia = await startAiaServer(() => pki);
  pki = await makeFixturePki(dir, { aiaBaseUrl: aia.url });
  return { pki, aia, dir, close: () => aia.close() };
}

export interface FixtureServer {
  port: number;
  server: Server;
  close(): Promise<void>;
}

export type ServerOptions = ScenarioServerOptions;

/** A node:tls server that sends exactly `scenario.sent` and, after the handshake, says "hello". */
export async function startScenarioServer(scenario: Scenario, options: ServerOptions = {}): Promise<FixtureServer> {
  const server = createServer(scenarioServerOptions(scenario, options), (socket: TLSSocket) => {
    socket.on('error', () => undefined);
    socket.end('hello\n');
  });
  server.on('tlsClientError', () => undefined);
  const close = closeAll(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, server, close };
}

/** Runs `body` against a scenario server and closes the server afterwards, whether `body` passed or threw. */
export async function withScenarioServer<T>(
  scenario: Scenario,
  options: ServerOptions,
  body: (server: FixtureServer) => Promise<T>,
): Promise<T>;
export async function withScenarioServer<T>(
  scenario: Scenario,
  body: (server: FixtureServer) => Promise<T>,
): Promise<T>;
export async function withScenarioServer<T>(
  scenario: Scenario,
  ...rest: [ServerOptions, (server: FixtureServer) => Promise<T>] | [(server: FixtureServer) => Promise<T>]
): Promise<T> {
  const [options, body] = rest.length === 2 ? rest : [{}, rest[0]];
  return withServer(() => startScenarioServer(scenario, options), body);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment tests start from: nothing from this machine's CA or proxy variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TLSWITNESS_CERTS_DIR: mkdtempSync(join(tmpdir(), 'tlswitness-certs-')),
    TLSWITNESS_CACHE_DIR: mkdtempSync(join(tmpdir(), 'tlswitness-cache-')),
    SSL_CERT_FILE: '/nonexistent/ca-bundle.crt',
    // This machine's Python certifi is not asked: its verdict would differ from one machine to the next.
    TLSWITNESS_CERTIFI_BUNDLE: 'none',
  };
  return { ...env, ...extra };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 30_000, cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The first port of the kernel's ephemeral range, where listen(0) and outgoing connections take theirs. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 12_000) return low;
  } catch {
    // Not Linux: its usual range starts at 32768 or above.
  }
  return 32_768;
}

/**
 * A loopback port nothing listens on at the moment (bound, then released): for a program that binds it
 * next. It is picked below the ephemeral range, so no listen(0) of the tests running beside this one (the
 * kernel picks those at random among some 14,000 ports) and no outgoing connection can be given it
 * before then; only another freePort picking the same one of some 20,000 could. withFreePort tries
 * another port then. For a port that must refuse connections, closedPort.
 */
export async function freePort(): Promise<number> {
  const { createServer: createNet } = await import('node:net');
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (high - 10_000));
    const server = createNet();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
  throw new Error('no free loopback port below the ephemeral range after 50 tries');
}

/** Thrown (or rejected with) by withFreePort's `use` when its port was bound by someone else first. */
export class PortTaken extends Error {}

/**
 * Runs `use` with a released port (freePort), and again with another one when it throws PortTaken: the
 * port was bound by a test running beside this one before `use` bound it. Five tries at most.
 */
export async function withFreePort<T>(use: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await use(port);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 5) throw error;
    }
  }
}

let portOneRefuses: Promise<boolean> | undefined;

/**
 * A loopback port that refuses connections for the whole run: 1, below 1024 and so outside every
 * ephemeral range, where no listen(0) of the tests running beside this one can land. A released port
 * (freePort) could be taken meanwhile by one of their servers, which would then answer: about one use
 * in 2,000 with the handful of servers they keep open. Checked once; on a host where something listens
 * on port 1, a released port after all.
 */
export async function closedPort(): Promise<number> {
  portOneRefuses ??= import('node:net').then(
    ({ connect }) =>
      new Promise<boolean>((resolve) => {
        const socket = connect(1, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
      }),
  );
  return (await portOneRefuses) ? 1 : freePort();
}
