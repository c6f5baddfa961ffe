// Young-generation garbage collections paced by the bytes the forwarder relays.
//
// Why: Node's TLS socket hands JavaScript each 16 KiB record of plaintext in a buffer of its own,
// outside V8's heap. V8 frees those buffers when it collects the young generation, and counts them as
// external memory until then. A download makes a few hundred bytes of heap garbage per 16 KiB buffer,
// so with the young generation V8 grows to (16 MiB semi-spaces on 64-bit Node 20) the external count
// reaches V8's limit long before the young generation fills, and V8 answers with full collections of
// the whole heap (measured through the MITM, 256 MiB downloads: 52 mark-compacts per 800 MiB, one per
// ~16 MB; with a 1 MiB young generation 1, and 0.64x the CPU per MB). `--max-semi-space-size` is read
// only at start-up (docs/benchmarks.md), so the forwarder collects the young generation itself every
// few MiB relayed: a scavenge of a small live set (0.1-1 ms) frees the buffers before V8 reaches for a
// full collection.
import { lookUpGcExtension } from '../gc-extension.js';
import { oncePerProcess } from '../cross-bundle.js';

/** Bytes relayed between two young-generation collections (below V8's ~16 MB between full ones). */
export const YOUNG_GC_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * V8's young-generation collection (run once to try it), or null where this runtime offers none
 * (src/gc-extension.ts).
 */
export function lookUpMinorGc(): (() => void) | null {
  const gc = lookUpGcExtension();
  if (!gc) return null;
  const minor = () => gc({ type: 'minor' });
  try {
    // Run once here, where a runtime that refuses the options is caught, not in a relay's 'data' handler.
    minor();
    return minor;
  } catch {
    return null;
  }
}

/** Counts relayed bytes and collects the young generation every `everyBytes`. */
export class YoungCollector {
  private since = 0;
  /** undefined until the first collection is due (the lookup builds a V8 context, ~0.5 MB). */
  private collect: (() => void) | null | undefined;

  constructor(
    private readonly lookUp: () => (() => void) | null = lookUpMinorGc,
    private readonly everyBytes = YOUNG_GC_EVERY_BYTES,
  ) {}

  /** Bytes counted since the last collection. */
  get pending(): number {
    return this.since;
  }

  relayed(bytes: number): void {
    this.since += bytes;
    if (this.since < this.everyBytes) return;
    this.since = 0;
    if (this.collect === undefined) this.collect = this.lookUp();
    this.collect?.();
  }
}

/**
 * One per process: V8's heap is, and so is the count of buffers waiting for a collection. The proxy's run and
 * its HTTP/2 front are two files of the built binary, each with a copy of this module: a collector of each
 * copy's own would let each count up to everyBytes, twice the buffers between collections.
 */
export const relayCollector: YoungCollector = oncePerProcess('relayCollector', () => new YoungCollector());
