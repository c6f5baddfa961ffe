// Runs a CommonJS bundle with V8's code cache, saved after a run so that it holds every function the run compiled
// (a cache made before running holds only the top-level code): the next run parses and compiles none of them.
// Best effort: a cache that is missing, unreadable, damaged, for another bundle or Node, or rejected by V8 is made
// again at exit; one that cannot be written is not, and the run is the same either way.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { readPrivateFile, writePrivateFile } from '../private-file.js';
import { codeCacheKey, decodeCodeCache, encodeCodeCache, type CodeCache, type Runtime } from './code-cache-file.js';

export interface CachedScript<T> {
  exports: T;
  /**
   * Saves the cache at exit, after the run's output, unless the one used was good and complete. Call it once the
   * bundle has done its work: a cache made after a run that stopped short holds less.
   */
  saveAtExit(): void;
}

/** The code caches of every bundle (`code-inspect-fast.cjs.bin`): one left by a bundle renamed goes in time. */
const CODE_CACHE_FILES = /^code-[\w.-]+\.[cm]?js\.bin$/;

/** Node's own CommonJS wrapper: the bundle sees require, module and __filename as when required. */
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '\n})'] as const;

function readCache(dir: string, name: string, key: Buffer): CodeCache | undefined {
  const file = readPrivateFile(dir, name);
  return (file && decodeCodeCache(file, key)) || undefined;
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
        writePrivateFile(
          cacheDir,
          cacheFile,
          () => encodeCodeCache(key, { data: script.createCachedData(), complete }),
          [CODE_CACHE_FILES],
        );
      });
    },
  };
}
