// The proxy's --evidence-dir: a bundle per problem host (once per host and problem) while the
// session runs, and a HAR of the session's exchanges, kept current on disk (session-har.ts). A
// subscriber: it never slows the request path (writes are queued one at a time) and a failed write
// is reported, not thrown.
import { formatHostPort } from '../host-port.js';
import type { Exchange } from '../events.js';
import type { HandshakeRecord } from '../types.js';
import { writeEvidenceBundle } from './evidence-bundle.js';
import { freshDirectory } from './evidence-writer.js';
import { safeFileName } from './file-names.js';
import { SessionHar, type HarSchedule } from './session-har.js';

export const PROXY_COMPARISON_NOTE =
  "Written by the proxy: the sanity host and this machine's own clients were not checked. For them, run `tlswitness evidence HOST:PORT -o PATH`.";

export class SessionEvidence {
  private readonly written = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly har: SessionHar;

  constructor(
    private readonly dir: string,
    private readonly onWritten: (record: HandshakeRecord, path: string) => void,
    private readonly onError: (message: string) => void,
    harSchedule?: HarSchedule,
  ) {
    this.har = new SessionHar(dir, new Date(), (message) => onError(`--evidence-dir ${dir}: ${message}`), harSchedule);
  }

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
        this.onError(
          `--evidence-dir ${this.dir}: could not write the bundle for ${formatHostPort(record.target)} (${(error as Error).message})`,
        );
        return null;
      }
    });
    this.queue = job;
    return job;
  }

  exchange(exchange: Exchange): void {
    this.har.add(exchange);
  }

  /** Writes the HAR as it is now (on a stop signal, before the grace period); resolves to its path. */
  flushHar(): Promise<string | null> {
    return this.har.flush();
  }

  /** The same, synchronously: the process is about to exit. */
  flushHarSync(): string | null {
    return this.har.flushSync();
  }

  /** Waits for queued bundles and writes the session's HAR a last time; resolves to its path. */
  async close(): Promise<string | null> {
    await this.queue;
    return this.har.close();
  }
}
