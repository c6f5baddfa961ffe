// The built proxy as a child process, as a user starts it: its port read from the banner on stderr.
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
