// Backpressure for forwarded responses: the upstream is paused while the app's side is full.
import type { Readable, Writable } from 'node:stream';

/**
 * http-mitm-proxy pipes the upstream response into a filter whose write() always returns true
 * (ProxyFinalResponseFilter), so a fast upstream and a slow app buffer the whole body in the proxy.
 * This pauses `upstream` once a write to `toApp` has returned false (writableNeedDrain) and resumes
 * it on 'drain', as pipe() would. Checked on each chunk before the library writes it, so at most one
 * chunk more than the high-water mark is held. Buffers that die young also keep the GC cheap: bulk
 * CPU per MB fell with it (docs/benchmarks.md).
 */
export function holdWhileFull(upstream: Readable, toApp: Writable): void {
  const resume = () => upstream.resume();
  upstream.on('data', () => {
    if (!toApp.writableNeedDrain || upstream.isPaused() || toApp.destroyed) return;
    upstream.pause();
    toApp.once('drain', resume);
  });
}
