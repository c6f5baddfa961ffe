// Runs a CommonJS bundle with V8's code cache, saved after a run so that it holds every function the run compiled
// (a cache made before running holds only the top-level code): the next run parses and compiles none of them.
// Best effort: a cache that is missing, unreadable, damaged, for another bundle or Node, or rejected by V8 is made
// again at exit; one that cannot be written is not, and the run is the same either way.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { privateDir } from './private-dir.js';
import { codeCacheKey, decodeCodeCache, encodeCodeCache, type CodeCache, type Runtime } from './code-cache-file.js';

export interface CachedScript<T> {
  exports: T;
  /**
   * Saves the cache at exit, after the run's output, unless the one used was good and complete. Call it once the
   * bundle has done its work: a cache made after a run that stopped short holds less.
   */
  saveAtExit(): void;
}

/** Node's own CommonJS wrapper: the bundle sees require, module and __filename as when required. */
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '\n})'] as const;

/**
 * A regular file of this user's, writable by no one else. The cache is code that runs as this user, and neither
 * the key nor the checksum stops whoever can write it: V8 takes data compiled from any source of the same length
 * (so the file is read only in a directory that is this user's alone, privateDir).
 */
function trusted(stats: Stats): boolean {
  return stats.isFile() && stats.uid === process.getuid?.() && (stats.mode & 0o022) === 0;
}

function readCache(dir: string, name: string, key: Buffer): CodeCache | undefined {
  const real = privateDir(dir);
  if (real === null) return undefined;
  let fd: number | undefined;
  try {
    // Not through a link: one to a file of this user's could hold anyone's bytes.
    fd = openSync(join(real, name), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    return (trusted(fstatSync(fd)) && decodeCodeCache(readFileSync(fd), key)) || undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Atomically (a new file renamed over the old), 0600, in a directory that is this user's alone. */
function writeCache(dir: string, name: string, contents: () => Buffer): void {
  let temp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = privateDir(dir);
    if (real === null) return;
    const path = join(real, name);
    temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, contents(), { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch {
    // A read-only or full disk: the next run compiles as if there were no cache.
    try {
      if (temp !== undefined) unlinkSync(temp);
    } catch {
      // never created
    }
  }
}

// node:vm is loaded only when inspect's bundle runs: every other command (and an idle proxy) goes without it.
const loadBuiltin = createRequire(import.meta.url);

/** Runs the CommonJS file `filename` with the code cache kept in `cacheDir` for this bundle and runtime. */
export function runCachedScript<T>(filename: string, cacheDir: string, runtime: Runtime): CachedScript<T> {
  const source = readFileSync(filename);
  const key = codeCacheKey(source, runtime);
  const cacheFile = `code-${basename(filename)}.bin`;
  const cached = readCache(cacheDir, cacheFile, key);
  const { Script } = loadBuiltin('node:vm') as typeof import('node:vm');
  const script = new Script(`${WRAPPER[0]}${source.toString()}${WRAPPER[1]}`, { filename, cachedData: cached?.data });
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(filename),
    module,
    filename,
    dirname(filename),
  );
  return {
    exports: module.exports,
    saveAtExit() {
      process.once('exit', (code) => {
        const complete = code === 0;
        if (cached && !script.cachedDataRejected && (cached.complete || !complete)) return;
        writeCache(cacheDir, cacheFile, () => encodeCodeCache(key, { data: script.createCachedData(), complete }));
      });
    },
  };
}
