// Gives memory back when the proxy goes quiet: one full garbage collection once neither a new
// connection nor a request has come for a while after some traffic.
//
// Why: every connection leaves garbage (sockets, TLS sessions, parsers) whose native memory is freed
// only when V8 collects it. V8 does not count that memory, and its own heap of a few MiB of live
// objects grows to 50-90 MiB of garbage before a full collection; an idle process allocates nothing,
// so nothing ever triggers one. Measured on the long malformed-traffic run: 116 MiB held for as long as
// the proxy stayed idle, 77 MiB after one full collection (which takes tens of ms on such a heap).

export class IdleCollector {
  private activity = 0;
  /** `activity` at the previous look, and at the last collection. */
  private seen = 0;
  private collected = 0;
  private timer: NodeJS.Timeout | null = null;

  /** `quietMs`: a look every quietMs, so a collection comes between one and two of them after the last activity. */
  constructor(
    private readonly collect: () => void,
    private readonly quietMs = 5_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.look(), this.quietMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A new connection, a request, a connection closing: the proxy is not quiet. */
  touch(): void {
    this.activity++;
  }

  /** Collects when nothing happened since the previous look but something did since the last collection. */
  look(): boolean {
    const quiet = this.activity === this.seen;
    this.seen = this.activity;
    if (!quiet || this.activity === this.collected) return false;
    this.collected = this.activity;
    this.collect();
    return true;
  }
}
