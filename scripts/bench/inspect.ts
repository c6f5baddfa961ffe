// Wall time of `tlswitness inspect` against the bench origin, beside the floor for any Node tool (a
// bare script that only does tls.connect, as an ES module, and the same script as CommonJS, which
// skips Node's ES module loader) and `openssl s_client`; the --ref-cli build's too.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../../test/helpers/fixtures.js';
import type { Setup } from './contenders.js';

export type InspectName = 'node' | 'node-cjs' | 'inspect' | 'ref' | 'openssl';
export const INSPECT_LABELS: Record<InspectName, string> = {
  node: 'bare Node tls.connect',
  'node-cjs': 'bare Node tls.connect, CommonJS',
  inspect: 'tlswitness inspect',
  ref: 'tlswitness inspect (--ref-cli)',
  openssl: 'openssl s_client',
};

export interface Timed {
  ms: number;
  code: number | null;
}

export interface InspectCommand {
  command: string;
  args: string[];
  /** Its own environment (the reference build's own cache and certs dir), else inspectEnv's. */
  env?: NodeJS.ProcessEnv;
}
export type InspectCommands = Partial<Record<InspectName, InspectCommand>> &
  Record<Exclude<InspectName, 'ref'>, InspectCommand>;

const HOST = 'inspect.bench.test';

export function inspectCommands(setup: Setup): InspectCommands {
  const target = `${HOST}:${setup.originPort}`;
  const bare = join(setup.dir, 'bare-connect.mjs');
  const bareCjs = join(setup.dir, 'bare-connect.cjs');
  const connect = `tls.connect({ host: '127.0.0.1', port: ${setup.originPort}, servername: '${HOST}', rejectUnauthorized: false }, () => s.destroy());\n`;
  writeFileSync(bare, `import tls from 'node:tls';\nconst s = ${connect}`);
  writeFileSync(bareCjs, `const tls = require('node:tls');\nconst s = ${connect}`);
  const inspectArgs = ['inspect', target, '--resolve', `${target}:127.0.0.1`, '--extra-ca', setup.rootFile];
  const refEnv = () => {
    const env = inspectEnv(setup, '-ref');
    return setup.refNodeOptions ? { ...env, NODE_OPTIONS: setup.refNodeOptions } : env;
  };
  return {
    node: { command: process.execPath, args: [bare] },
    'node-cjs': { command: process.execPath, args: [bareCjs] },
    inspect: { command: process.execPath, args: [CLI, ...inspectArgs] },
    ...(setup.refCli && { ref: { command: process.execPath, args: [setup.refCli, ...inspectArgs], env: refEnv() } }),
    openssl: {
      command: 'openssl',
      args: ['s_client', '-connect', `127.0.0.1:${setup.originPort}`, '-servername', HOST],
    },
  };
}

export function inspectEnv(setup: Setup, suffix = ''): NodeJS.ProcessEnv {
  const certs = join(setup.dir, `certs-inspect${suffix}`);
  mkdirSync(certs, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: join(setup.dir, 'home'),
    SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
    TLSWITNESS_CACHE_DIR: join(setup.dir, `cache${suffix}`),
    TLSWITNESS_CERTS_DIR: certs,
  };
}

/** Spawn to exit, in ms (async: a spawnSync would stall the origin serving the handshake in this process). */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end();
    child.once('error', reject);
    child.once('exit', (code) => resolve({ ms: performance.now() - started, code }));
  });
}
