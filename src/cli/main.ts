#!/usr/bin/env node
// The tlswitness binary: `inspect` with flags the fast parser is sure of runs without loading yargs
// (inspect-fast.ts, a bundle of its own, run with V8's code cache); every other command line goes through
// yargs (yargs-main.ts). Built as CommonJS (scripts/build.mjs): an ES module entry file costs every run the
// ES module loader's start (~6 ms of CPU measured for inspect), which only the commands through yargs need.
import { fileURLToPath } from 'node:url';
import { runCachedScript, type CachedScript } from './cached-script.js';
import type * as InspectFast from './inspect-fast.js';
import { cacheDir } from '../trust/cache-dir.js';

/** Runs inspect from its bundle when the fast parser is sure of `argv`; false when yargs must parse it. */
async function fastInspect(argv: string[]): Promise<boolean> {
  const bundle = inspectBundle();
  if (!bundle) return false;
  const ran = await bundle.exports.runFastInspect(argv);
  // Only a run that went to its end: its cache holds what the next inspect compiles.
  if (ran) bundle.saveAtExit();
  return ran;
}

/** inspect's own bundle, or null when an install lacks it: yargs then runs inspect from the main build. */
function inspectBundle(): CachedScript<typeof InspectFast> | null {
  try {
    return runCachedScript<typeof InspectFast>(
      fileURLToPath(new URL('./inspect-fast.cjs', import.meta.url)),
      cacheDir(),
      {
        version: process.version,
        arch: process.arch,
        flags: [...process.execArgv, process.env.NODE_OPTIONS ?? ''],
      },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const fast = argv[0] === 'inspect' && (await fastInspect(argv));
  if (!fast) await (await import('./yargs-main.js')).runWithYargs(argv);
}

// A rejection here is unexpected (yargs-main.ts and exit.ts map every error): Node reports it and exits 1,
// as it did for the top-level await this replaced.
void main(process.argv.slice(2));
