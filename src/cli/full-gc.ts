// A full garbage collection for the proxy to run when it goes quiet (src/proxy/idle-collector.ts).
// V8 offers one only through its `gc` extension; turned on at run time, it is installed in contexts
// created afterwards (as jest-leak-detector reaches it without a command-line flag), then turned off
// again so that no other context gets a global `gc`.
import { createRequire } from 'node:module';

// node:v8 and node:vm are loaded with the lookup (~3 ms of start-up otherwise), synchronously.
const loadBuiltin = createRequire(import.meta.url);

function lookUpGc(): (() => void) | null {
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
    return typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    return null;
  }
}

/**
 * The collection; where this runtime offers none, calling it does nothing. The lookup waits for the
 * first call: it builds a V8 context (~0.5 MB, a few ms) that a proxy nobody uses never needs.
 */
export function fullGc(): () => void {
  let gc: (() => void) | null | undefined;
  return () => (gc === undefined ? (gc = lookUpGc()) : gc)?.();
}
