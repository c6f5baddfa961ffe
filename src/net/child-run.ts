// One client run as a child process, as the client checks need it: input on stdin (credentials never
// on a command line), the proxy's own credentials kept out of its environment, a hard timeout, its output kept.
import { spawn } from 'node:child_process';
import { childEnv } from '../child-env.js';

export interface RunResult {
  spawned: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with `input` on stdin, killed after timeoutMs; never rejects (spawned: false when it could not start). */
export function runChild(
  command: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => undefined);
    child.on('error', () => {
      clearTimeout(timer);
      resolve({ spawned: false, exitCode: null, stdout, stderr });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ spawned: true, exitCode: code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** The first non-empty line of a client's output: its message. */
export function firstLine(text: string): string | null {
  return (
    text
      .split(/\r?\n/)
      .find((line) => line.trim())
      ?.trim()
      .slice(0, 300) ?? null
  );
}
