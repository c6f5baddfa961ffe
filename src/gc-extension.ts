// V8's `gc` extension, reached without a command-line flag: turned on at run time, V8 installs it in
// contexts created afterwards (as jest-leak-detector reaches it), so a new context is made to fetch it,
// and the flag is turned off again so that no other context gets a global `gc`. Used by the proxy's
// idle full collection (src/cli/full-gc.ts) and the relays' young-generation ones
// (src/proxy/young-collector.ts).
import { createRequire } from 'node:module';

export type GcExtension = (options?: { type: 'minor' | 'major' }) => void;

// node:v8 and node:vm are loaded with the lookup (~3 ms of start-up otherwise), synchronously.
const loadBuiltin = createRequire(import.meta.url);

/**
 * The extension's function, or null where this runtime offers none. Each call builds a V8 context (~0.5 MB), unless
 * the process was started with --expose-gc.
 */
export function lookUpGcExtension(): GcExtension | null {
  // Started with --expose-gc: the global one, and the flag is left as the user set it.
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as GcExtension;
  try {
    const { setFlagsFromString } = loadBuiltin('node:v8') as typeof import('node:v8');
    const { runInNewContext } = loadBuiltin('node:vm') as typeof import('node:vm');
    setFlagsFromString('--expose-gc');
    // Off again however the lookup ends: a failure must not leave `gc` in every later context.
    let gc: unknown;
    try {
      gc = runInNewContext('gc');
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
    return typeof gc === 'function' ? (gc as GcExtension) : null;
  } catch {
    return null;
  }
}
