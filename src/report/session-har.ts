// The proxy session's HAR file, kept current while the session runs: a HAR is one JSON document, so
// it is rewritten whole, into a temporary file renamed over the old one, and a reader (or a crash, or
// a kill) only ever meets a complete file: the previous version or the new one.
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { safeJson } from './terminal-safe.js';
import { join } from 'node:path';
import type { Exchange } from '../events.js';
import { TOOL_VERSION } from '../version.js';
import { harLog } from './har.js';

/** Oldest exchanges are dropped past this, so a long session's memory stays bounded. */
const MAX_EXCHANGES = 10_000;

export interface HarSchedule {
  /** The shortest time between two rewrites while exchanges come in. */
  intervalMs: number;
  /**
   * And at least this many times the last rewrite's duration: a session of thousands of exchanges
   * spends at most ~1/costFactor of its time rewriting the file.
   */
  costFactor: number;
}

const DEFAULT_SCHEDULE: HarSchedule = { intervalMs: 2_000, costFactor: 20 };

export class SessionHar {
  readonly path: string;
  private readonly exchanges: Exchange[] = [];
  private dropped = 0;
  /** Exchanges came in since the file was last written (or it was never written). */
  private dirty = true;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Writes run one at a time, in order. */
  private writing: Promise<unknown> = Promise.resolve();
  private lastWriteMs = 0;
  private failing = false;

  constructor(
    dir: string,
    started: Date,
    private readonly onError: (message: string) => void,
    private readonly schedule: HarSchedule = DEFAULT_SCHEDULE,
  ) {
    const stamp = started.toISOString().replace(/[:.]/g, '-');
    this.path = join(dir, `tlswitness-session-${stamp}.har`);
  }

  add(exchange: Exchange): void {
    this.exchanges.push(exchange);
    if (this.exchanges.length > MAX_EXCHANGES) {
      this.exchanges.shift();
      this.dropped++;
    }
    this.dirty = true;
    if (this.timer || this.closed) return;
    const delay = Math.max(this.schedule.intervalMs, this.schedule.costFactor * this.lastWriteMs);
    // Unref'd: a pending rewrite never keeps the process alive (close() writes the last one).
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay).unref();
  }

  /** Rewrites the file now when anything changed; resolves to its path (null when writing failed). */
  flush(): Promise<string | null> {
    const job = this.writing.then(() => (this.dirty ? this.write() : this.path));
    this.writing = job;
    return job;
  }

  /** The last rewrite, after which nothing is scheduled; resolves to the path (null when writing failed). */
  close(): Promise<string | null> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.flush();
  }

  /**
   * The file as it is now, synchronously: for a process about to exit at once (a second signal),
   * where an asynchronous write would never finish.
   */
  flushSync(): string | null {
    // A name of its own: an asynchronous rewrite may be half-way through the usual one.
    const { text, temp } = this.snapshot('sync.tmp');
    try {
      writeFileSync(temp, text, { mode: 0o600 });
      renameSync(temp, this.path);
      return this.path;
    } catch (error) {
      this.dirty = true;
      this.report(error);
      try {
        unlinkSync(temp);
      } catch {
        // Never written.
      }
      return null;
    }
  }

  private snapshot(suffix = 'tmp'): { text: string; temp: string } {
    this.dirty = false;
    const comment = this.dropped
      ? `the oldest ${this.dropped} exchanges were dropped (at most ${MAX_EXCHANGES} are kept)`
      : undefined;
    // A temporary name of this process's own, in the same directory, so the rename is atomic.
    return {
      text: `${safeJson(harLog(this.exchanges, TOOL_VERSION, comment), 2)}\n`,
      temp: `${this.path}.${process.pid}.${suffix}`,
    };
  }

  private async write(): Promise<string | null> {
    const started = performance.now();
    const { text, temp } = this.snapshot();
    try {
      // 0600: headers and URLs of the user's traffic.
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, this.path);
      this.lastWriteMs = performance.now() - started;
      this.failing = false;
      return this.path;
    } catch (error) {
      this.dirty = true;
      this.report(error);
      await unlink(temp).catch(() => undefined);
      return null;
    }
  }

  /** One message per run of failures, not one per rewrite. */
  private report(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.onError(
      `could not write the HAR ${this.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
