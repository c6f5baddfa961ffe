// A full garbage collection for the proxy to run when it goes quiet (src/proxy/idle-collector.ts),
// through V8's `gc` extension (src/gc-extension.ts).
import { lookUpGcExtension } from '../gc-extension.js';

function lookUpGc(): (() => void) | null {
  const gc = lookUpGcExtension();
  return gc && (() => gc());
}

/**
 * The collection; where this runtime offers none, calling it does nothing. The lookup waits for the
 * first call: it builds a V8 context (~0.5 MB, a few ms) that a proxy nobody uses never needs.
 */
export function fullGc(): () => void {
  let gc: (() => void) | null | undefined;
  return () => (gc === undefined ? (gc = lookUpGc()) : gc)?.();
}
