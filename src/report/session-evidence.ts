// The proxy's --evidence-dir: a bundle per problem host (once per host and problem) while the
// session runs, and a HAR of the session's exchanges when it ends. A subscriber: it never slows the
// request path (writes are queued one at a time) and a failed write is reported, not thrown.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatHostPort } from '../net/target.js';
import type { Exchange } from '../events.js';
import type { HandshakeRecord } from '../types.js';
import { TOOL_VERSION } from '../version.js';
import { writeEvidenceBundle } from './evidence-bundle.js';
import { freshDirectory } from './evidence-writer.js';
import { safeFileName } from './file-names.js';
import { harLog } from './har.js';
import { safeJson } from './terminal-safe.js';

/** Oldest exchanges are dropped past this, so a long session's memory stays bounded. */
const MAX_EXCHANGES = 10_000;

export const PROXY_COMPARISON_NOTE = 'Written by the proxy: the sanity host and this machine\'s own clients were not checked. For them, run `tlswitness evidence HOST:PORT -o PATH`.';

export class SessionEvidence {
  private readonly written = new Set<string>();
  private readonly exchanges: Exchange[] = [];
  private dropped = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly started = new Date();

  constructor(private readonly dir: string, private readonly onWritten: (record: HandshakeRecord, path: string) => void, private readonly onError: (message: string) => void) {}

  /** Handshake records: a bundle for each host whose chain has a problem or is intercepted. */
  record(record: HandshakeRecord): void {
    if (record.diagnosis.problem === 'ok' && !record.interception.detected) return;
    const key = `${formatHostPort(record.target)} ${record.diagnosis.problem}`;
    if (this.written.has(key)) return;
    this.written.add(key);
    void this.bundle(record);
  }

  /** Writes a bundle for this record now (the TUI's `e`); resolves to its path. */
  bundle(record: HandshakeRecord): Promise<string | null> {
    const job = this.queue.then(async () => {
      try {
        const path = await freshDirectory(this.dir, safeFileName(`${record.target.host}_${record.target.port}`));
        await writeEvidenceBundle({ path, record, comparisonNote: PROXY_COMPARISON_NOTE });
        this.onWritten(record, path);
        return path;
      } catch (error) {
        this.onError(`--evidence-dir ${this.dir}: could not write the bundle for ${formatHostPort(record.target)} (${(error as Error).message})`);
        return null;
      }
    });
    this.queue = job;
    return job;
  }

  exchange(exchange: Exchange): void {
    this.exchanges.push(exchange);
    if (this.exchanges.length > MAX_EXCHANGES) {
      this.exchanges.shift();
      this.dropped++;
    }
  }

  /** Waits for queued bundles and writes the session's HAR; resolves to its path. */
  async close(): Promise<string | null> {
    await this.queue;
    const stamp = this.started.toISOString().replace(/[:.]/g, '-');
    const path = join(this.dir, `tlswitness-session-${stamp}.har`);
    const comment = this.dropped ? `the oldest ${this.dropped} exchanges were dropped (at most ${MAX_EXCHANGES} are kept)` : undefined;
    try {
      // Owner-only, like --log: URLs and headers are redacted, but the traffic is still the user's.
      await writeFile(path, `${safeJson(harLog(this.exchanges, TOOL_VERSION, comment), 2)}\n`, { mode: 0o600 });
      return path;
    } catch (error) {
      this.onError(`--evidence-dir ${this.dir}: could not write the HAR (${(error as Error).message})`);
      return null;
    }
  }
}
