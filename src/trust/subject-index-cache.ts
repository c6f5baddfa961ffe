// On-disk cache of a large bundle's subject index, keyed by what identifies its content (path,
// size and mtime; Node's version for the bundled roots). Best effort: any failure means "no cache".
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const MIN_SIZE_TO_CACHE = 32;

export function cacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TLSWITNESS_CACHE_DIR) return env.TLSWITNESS_CACHE_DIR;
  const home = env.HOME || homedir() || tmpdir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'tlswitness', 'cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tlswitness');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'tlswitness');
}

function fileFor(identity: string, dir: string): string {
  return join(dir, `subjects-${createHash('sha256').update(identity).digest('hex').slice(0, 32)}.json`);
}

export function readSubjectIndex(identity: string, count: number, dir: string = cacheDir()): string[] | null {
  if (count < MIN_SIZE_TO_CACHE) return null;
  try {
    const data = JSON.parse(readFileSync(fileFor(identity, dir), 'utf8')) as { identity?: string; keys?: unknown };
    if (data.identity !== identity || !Array.isArray(data.keys) || data.keys.length !== count) return null;
    return data.keys.every((k) => typeof k === 'string') ? (data.keys as string[]) : null;
  } catch {
    return null;
  }
}

export function writeSubjectIndex(identity: string, keys: string[], dir: string = cacheDir()): void {
  if (keys.length < MIN_SIZE_TO_CACHE) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const target = fileFor(identity, dir);
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ identity, keys }));
    renameSync(temp, target);
  } catch {
    // a read-only home is fine: the next run parses again
  }
}
