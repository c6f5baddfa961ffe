// Records each upstream host:port with the handshake core on a side connection (so bulk traffic
// never runs through the recording tap), at most once per host:port within the TTL; concurrent
// CONNECTs to one host share one probe.
import type { HostPort } from '../net/target.js';
import { formatHostPort } from '../net/target.js';
import type { HandshakeRecord } from '../types.js';

export type Observe = (target: HostPort) => Promise<HandshakeRecord>;

export class HostRecorder {
  private readonly records = new Map<string, { record: HandshakeRecord; at: number }>();
  private readonly pending = new Map<string, Promise<HandshakeRecord>>();

  constructor(
    private readonly observe: Observe,
    private readonly onRecord: (record: HandshakeRecord) => void,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current record for a target, probing it when there is none or it is stale. */
  record(target: HostPort): Promise<HandshakeRecord> {
    const key = formatHostPort(target);
    const cached = this.records.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return Promise.resolve(cached.record);
    return this.refresh(target);
  }

  /** Probes again (for instance when the traffic connection shows another certificate). */
  refresh(target: HostPort): Promise<HandshakeRecord> {
    const key = formatHostPort(target);
    let probing = this.pending.get(key);
    if (!probing) {
      probing = this.observe(target).then(
        (record) => {
          this.pending.delete(key);
          this.records.set(key, { record, at: this.now() });
          this.onRecord(record);
          return record;
        },
        (error: unknown) => {
          this.pending.delete(key);
          throw error;
        },
      );
      this.pending.set(key, probing);
    }
    return probing;
  }

  cached(target: HostPort): HandshakeRecord | undefined {
    return this.records.get(formatHostPort(target))?.record;
  }
}
