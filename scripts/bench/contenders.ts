// The contenders: the origin reached directly, tlswitness in both modes, and Debian's tinyproxy and
// mitmproxy (mitmdump) when installed. Each proxy is a child process, so /proc can tell its CPU
// time and memory apart from the load generator's and the origin's.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { CLI } from '../../test/helpers/fixtures.js';
import { mitmdumpCommand } from '../../test/helpers/mitmdump.js';

export type ContenderName = 'direct' | 'tunnel' | 'mitm' | 'mitm-ref' | 'tinyproxy' | 'mitmproxy';
export const CONTENDERS: readonly ContenderName[] = ['direct', 'tunnel', 'mitm', 'mitm-ref', 'tinyproxy', 'mitmproxy'];

export const LABELS: Record<ContenderName, string> = {
  direct: 'direct',
  tunnel: 'tlswitness --mode tunnel',
  mitm: 'tlswitness (MITM)',
  'mitm-ref': 'tlswitness (MITM, --ref-cli)',
  tinyproxy: 'tinyproxy',
  mitmproxy: 'mitmdump',
};

export interface Setup {
  /** A scratch directory for this run: certs dirs, configs, the hosts file. */
  dir: string;
  rootFile: string;
  originPort: number;
  /** node --cpu-prof output for the tlswitness processes (--profile), or null. */
  profileDir: string | null;
  /** Another build of tlswitness (--ref-cli), run in MITM mode beside this one for an A/B comparison in one run. */
  refCli: string | null;
  /** NODE_OPTIONS for the reference build's process (--ref-node-options), e.g. a V8 heap flag to compare. */
  refNodeOptions: string | null;
}

/** A bench name and where it lives: the origin on 127.0.0.1, or the delay relay in front of it. */
export interface BenchHost {
  name: string;
  address: string;
  port: number;
}

export interface Instance {
  pid: number;
  port: number;
  /** From spawn to the port accepting connections, in ms. */
  startMs: number;
  stop(): Promise<void>;
}

export interface Contender {
  name: ContenderName;
  /** Starts the proxy on a free port, knowing these names (null for `direct`: nothing to start). */
  start(port: number, hosts: BenchHost[]): Promise<Instance> | null;
  /** The proxy's CA the client must trust (a MITM), once it has started. */
  clientCa(): string | null;
}

export interface Unavailable {
  name: ContenderName;
  note: string;
}

export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Polls the port until it accepts a connection; fails when the child exits first or after 30 s. */
async function listening(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (exited) throw new Error(`exited before listening on ${port}: ${output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`not listening on ${port} after 30 s: ${output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function launch(command: string, args: string[], env: NodeJS.ProcessEnv, port: number): Promise<Instance> {
  const started = performance.now();
  // Output is drained, not kept: a proxy's per-request log lines are part of what it costs.
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await listening(child, port, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${command}: ${(error as Error).message}`);
  }
  const startMs = performance.now() - started;
  return {
    pid: child.pid!,
    port,
    startMs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The environment a user's shell would give: the system CA bundle, nothing from this machine's proxies. */
function baseEnv(setup: Setup, cache = 'cache'): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: join(setup.dir, 'home'),
    SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
    TLSWITNESS_CACHE_DIR: join(setup.dir, cache),
  };
}

function tlswitness(
  setup: Setup,
  mode: 'mitm' | 'tunnel',
  cli = CLI,
  name: ContenderName = mode,
  nodeOptions: string | null = null,
): Contender {
  const certsDir = join(setup.dir, `certs-${name}`);
  return {
    name,
    start(port, hosts) {
      const resolve = hosts.flatMap((host) => ['--resolve', `${host.name}:${host.port}:${host.address}`]);
      const profile = setup.profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(setup.profileDir, name)] : [];
      const args = [
        ...profile,
        cli,
        'proxy',
        '--port',
        String(port),
        '--mode',
        mode,
        '--json',
        '--certs-dir',
        certsDir,
        '--extra-ca',
        setup.rootFile,
        ...resolve,
      ];
      // The reference keeps its own cache: another build may write the trust stores' index differently.
      const own = baseEnv(setup, name === 'mitm-ref' ? 'cache-ref' : 'cache');
      const env = nodeOptions ? { ...own, NODE_OPTIONS: nodeOptions } : own;
      return launch(process.execPath, args, env, port);
    },
    clientCa: () =>
      mode === 'mitm' && existsSync(join(certsDir, 'ca', 'certs', 'ca.pem'))
        ? readFileSync(join(certsDir, 'ca', 'certs', 'ca.pem'), 'utf8')
        : null,
  };
}

/** Runs a command in a private mount namespace whose /etc/hosts maps the bench names to their addresses (the real file is never touched). */
function withHosts(setup: Setup, names: BenchHost[], command: string[]): string[] {
  const hosts = join(setup.dir, `hosts-${names.length}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    hosts,
    ['127.0.0.1 localhost', '::1 localhost', ...names.map((host) => `${host.address} ${host.name}`), ''].join('\n'),
  );
  return ['unshare', '-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hosts, ...command];
}

function tinyproxy(setup: Setup): Contender {
  return {
    name: 'tinyproxy',
    start(port, hosts) {
      const config = join(setup.dir, `tinyproxy-${port}.conf`);
      // No ConnectPort line: CONNECT to any port (the origin's is random). Debian's default log level.
      writeFileSync(
        config,
        [
          `Port ${port}`,
          'Listen 127.0.0.1',
          'Timeout 600',
          'MaxClients 4096',
          'LogLevel Info',
          `LogFile "${join(setup.dir, `tinyproxy-${port}.log`)}"`,
          '',
        ].join('\n'),
      );
      const [command, ...args] = withHosts(setup, hosts, ['tinyproxy', '-d', '-c', config]);
      return launch(command!, args, baseEnv(setup), port);
    },
    clientCa: () => null,
  };
}

function mitmproxy(setup: Setup): Contender {
  const confdir = join(setup.dir, 'mitmproxy');
  return {
    name: 'mitmproxy',
    start(port, hosts) {
      // Regular mode; upstream verified against the bench root, as tlswitness does (not ssl_insecure).
      const mitmdump = mitmdumpCommand({
        port,
        confdir,
        upstreamRoots: setup.rootFile,
        sets: ['stream_large_bodies=1m'],
      });
      const [command, ...args] = withHosts(setup, hosts, mitmdump);
      return launch(command!, args, baseEnv(setup), port);
    },
    clientCa: () =>
      existsSync(join(confdir, 'mitmproxy-ca-cert.pem'))
        ? readFileSync(join(confdir, 'mitmproxy-ca-cert.pem'), 'utf8')
        : null,
  };
}

/** Whether `unshare -m` can give a process its own /etc/hosts here (root, or a permissive kernel). */
function canUnshare(setup: Setup): Promise<boolean> {
  if (!onPath('unshare')) return Promise.resolve(false);
  const [command, ...args] = withHosts(setup, [], ['true']);
  return new Promise((resolve) => {
    const child = spawn(command!, args, { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

export async function contenders(
  setup: Setup,
  wanted: readonly ContenderName[],
): Promise<{ ready: Contender[]; skipped: Unavailable[] }> {
  const ready: Contender[] = [];
  const skipped: Unavailable[] = [];
  const unshare = wanted.some((name) => name === 'tinyproxy' || name === 'mitmproxy') ? await canUnshare(setup) : false;
  const noHosts = 'needs `unshare -m` (root) to give it a private /etc/hosts for the bench names; not available here';
  for (const name of wanted) {
    if (name === 'direct') ready.push({ name, start: () => null, clientCa: () => null });
    else if (name === 'mitm' || name === 'tunnel') ready.push(tlswitness(setup, name));
    else if (name === 'mitm-ref') {
      if (setup.refCli) ready.push(tlswitness(setup, 'mitm', setup.refCli, name, setup.refNodeOptions));
      else skipped.push({ name, note: 'needs --ref-cli PATH (another build of dist/tlswitness.cjs)' });
    } else if (name === 'tinyproxy') {
      if (!onPath('tinyproxy'))
        skipped.push({ name, note: 'not installed: `apt-get install -y tinyproxy` (Debian) to include it' });
      else if (!unshare) skipped.push({ name, note: noHosts });
      else ready.push(tinyproxy(setup));
    } else if (name === 'mitmproxy') {
      if (!onPath('mitmdump'))
        skipped.push({ name, note: 'not installed: `apt-get install -y mitmproxy` (Debian) to include it' });
      else if (!unshare) skipped.push({ name, note: noHosts });
      else ready.push(mitmproxy(setup));
    }
  }
  return { ready, skipped };
}
