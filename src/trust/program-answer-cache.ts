// What an installed program answered (python3: where certifi is; openssl: how it was built), kept in
// the cache dir and keyed by the program file itself (resolved path, size, mtime) and whatever else
// changes the answer, so later runs need not start it again. Best effort: any failure means "ask".
// The files are read synchronously: a few small reads, each far cheaper than a turn of a busy event loop
// (inspect reads them while it parses stores and handshakes).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { commandPath } from '../command-path.js';
import { readPrivateFile, writePrivateFile } from '../private-file.js';

/**
 * `command` as a PATH search finds it (commandPath), as `resolved-path size mtime`; null when it is
 * not on PATH.
 */
export async function programIdentity(
  command: string,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): Promise<string | null> {
  const path = commandPath(command, env);
  return path ? fileProgramIdentity(path, cwd) : null;
}

/**
 * The program at `path` (as commandPath found it), as `resolved-path size mtime`; null when it cannot
 * be read. A script (a pyenv or asdf shim) picks the real program by the current directory, so its
 * identity includes that directory.
 */
export async function fileProgramIdentity(path: string, cwd: string = process.cwd()): Promise<string | null> {
  try {
    const real = realpathSync(path);
    const info = statSync(real);
    const identity = `${real} ${info.size} ${info.mtimeMs}`;
    return startsWithShebang(real) ? `${identity} script in ${cwd}` : identity;
  } catch {
    return null;
  }
}

function startsWithShebang(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

function fileName(kind: string, key: string): string {
  return `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
}

/** Every file named as fileName names answers of `kind` (kinds are words and dashes: certifi, openssl-version). */
function namePattern(kind: string): RegExp {
  return new RegExp(`^${kind.replace(/[^\w-]/g, '\\$&')}-[0-9a-f]{32}\\.json$`);
}

/**
 * An answer (certifi's location names the bundle read as a trust store) is kept as the code cache is
 * (private-file.ts): read only when this user alone could have written it.
 */
export async function readAnswer<T>(kind: string, key: string, dir: string): Promise<T | null> {
  try {
    const file = readPrivateFile(dir, fileName(kind, key));
    const data = file && (JSON.parse(file.toString('utf8')) as { key?: string; answer?: T });
    return data && data.key === key && data.answer !== undefined ? data.answer : null;
  } catch {
    return null;
  }
}

/**
 * Best effort: a read-only home is fine, the next run asks again. Answers of the same kind for other keys (another
 * python3, environment or bundle) are kept to the newest few.
 */
export function writeAnswer(kind: string, key: string, answer: unknown, dir: string): void {
  writePrivateFile(dir, fileName(kind, key), () => Buffer.from(JSON.stringify({ key, answer })), [namePattern(kind)]);
}
