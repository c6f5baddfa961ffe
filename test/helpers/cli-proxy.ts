// The built proxy as a child process, as a user starts it: its port read from the banner on stderr.
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, cleanEnv } from './fixtures.js';

export interface CliProxy {
  child: ChildProcess;
  port: Promise<number>;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** Resolves once stdout matches `pattern` (rejects after `timeoutMs`): events reach it on their own pipe. */
  stdoutMatching(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function startCliProxy(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): CliProxy {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  const port = new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`proxy exited early: ${stderr}`)));
  });
  port.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stdoutMatching = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(stdout)) return resolve();
      const check = () => {
        if (!pattern.test(stdout)) return;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      };
      const timer = setTimeout(() => {
        child.stdout!.off('data', check);
        reject(new Error(`no ${pattern} on the proxy's stdout within ${timeoutMs} ms`));
      }, timeoutMs);
      // After the listener above that appends to stdout.
      child.stdout!.on('data', check);
    });
  return { child, port, exited, output: () => ({ stdout, stderr }), stdoutMatching };
}

/**
 * Starts the built proxy with `args`, waits for it to listen, then stops it with SIGTERM and checks it exits 0:
 * for tests that look at what a proxy nobody used had loaded (through NODE_OPTIONS in `env`).
 */
export async function startAndStopIdleProxy(
  t: ExecutionContext,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const proxy = startCliProxy(args, env);
  try {
    t.true((await proxy.port) > 0);
    proxy.child.kill('SIGTERM');
    t.is(await proxy.exited, 0);
  } finally {
    proxy.child.kill('SIGKILL');
  }
}
