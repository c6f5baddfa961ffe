// Milliseconds on a monotonic clock, for durations. Not performance.now(): the first use of node:perf_hooks
// (the global `performance` loads it too) costs ~1 ms of module loading, at inspect's start-up.
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
