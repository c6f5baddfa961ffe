// Records each upstream host:port (and the name the app asked for, when it differs) at most once per
// host:port:name within the TTL, from what the first traffic connection showed of its handshake
// (upstream-agent.ts) or, for tunnelled hosts and re-recordings, with a probe on a side connection;
// concurrent CONNECTs to one host share one recording.
import { formatHostPort } from '../host-port.js';
import type { Sighting } from '../tls/observe-target.js';
import type { HandshakeRecord, HostPort } from '../types.js';

/**
 * Records one upstream. `servername` is the SNI to send and the name to check when the app asked
 * for another name than the CONNECT host (undefined: the host's default, none for an IP address).
 * With `seen` (a traffic connection's handshake) it judges that; without, it probes.
 */
export type Observe = (target: HostPort, servername?: string, seen?: Sighting) => Promise<HandshakeRecord>;

/** The cache key: host:port, plus the name when it is not the host's own. */
function keyOf(target: HostPort, servername?: string): string {
  const key = formatHostPort(target);
  return servername === undefined ? key : `${key}#${servername}`;
}

export class HostRecorder {
  private readonly records = new Map<string, { record: HandshakeRecord; at: number }>();
  private readonly pending = new Map<string, Promise<HandshakeRecord>>();

  constructor(
    private readonly observe: Observe,
    private readonly onRecord: (record: HandshakeRecord) => void,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
    /** A failed recording (timeout, reset) is kept only briefly: one hiccup must not block a host for long. */
    private readonly failureTtlMs = 2_000,
    private readonly maxEntries = 2_000,
  ) {}

  private fresh(
    entry: { record: HandshakeRecord; at: number } | undefined,
  ): entry is { record: HandshakeRecord; at: number } {
    if (!entry) return false;
    const ttl = entry.record.failure ? this.failureTtlMs : this.ttlMs;
    return this.now() - entry.at < ttl;
  }

  /** The current record for a target, probing it when there is none or it is stale. */
  record(target: HostPort, servername?: string): Promise<HandshakeRecord> {
    const cached = this.records.get(keyOf(target, servername));
    if (this.fresh(cached)) return Promise.resolve(cached.record);
    return this.refresh(target, servername);
  }

  /** Whether there is a fresh record for the target, or a recording under way. */
  knows(target: HostPort, servername?: string): boolean {
    const key = keyOf(target, servername);
    return this.pending.has(key) || this.fresh(this.records.get(key));
  }

  /**
   * Records again (for instance when the traffic connection shows another certificate): from what
   * `seen` resolves to, a traffic connection's handshake, or with a probe when there is none (null).
   */
  refresh(target: HostPort, servername?: string, seen?: Promise<Sighting | null>): Promise<HandshakeRecord> {
    const key = keyOf(target, servername);
    let probing = this.pending.get(key);
    if (!probing) {
      const probe = () => (servername === undefined ? this.observe(target) : this.observe(target, servername));
      const observing = seen
        ? seen.then((sighting) => (sighting ? this.observe(target, servername, sighting) : probe()))
        : probe();
      probing = observing.then(
        (record) => {
          this.pending.delete(key);
          this.records.delete(key);
          this.records.set(key, { record, at: this.now() });
          this.sweep();
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

  /** Drops stale entries, then the oldest, so a long run over many hosts stays bounded. */
  private sweep(): void {
    if (this.records.size <= this.maxEntries) return;
    for (const [key, entry] of this.records) if (!this.fresh(entry)) this.records.delete(key);
    while (this.records.size > this.maxEntries) this.records.delete(this.records.keys().next().value!);
  }

  get size(): number {
    return this.records.size;
  }

  /**
   * The record while it is fresh (30 s, a failure 2 s), else nothing: a verdict on a leaf recorded long
   * ago (since revoked, expired, or re-issued under the same key) must not speak for a new connection.
   */
  cached(target: HostPort, servername?: string): HandshakeRecord | undefined {
    const entry = this.records.get(keyOf(target, servername));
    return this.fresh(entry) ? entry.record : undefined;
  }

  /**
   * Replaces a record that a later verdict amended (OpenSSL refused what it said was fine), keeping
   * its age, so the next CONNECT is answered from the cache; the amended record is published as a
   * follow-up. A record already replaced by a newer probe stays.
   */
  amend(target: HostPort, servername: string | undefined, original: HandshakeRecord, amended: HandshakeRecord): void {
    const entry = this.records.get(keyOf(target, servername));
    if (entry?.record === original) entry.record = amended;
    this.onRecord(amended);
  }
}
