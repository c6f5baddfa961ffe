// Records each upstream host:port (and the name the app asked for, when it differs) at most once per
// host:port:name within the TTL, from what the first traffic connection showed of its handshake
// (upstream-agent.ts) or, for tunnelled hosts and re-recordings, with a probe on a side connection;
// concurrent CONNECTs to one host share one recording. A host whose traffic connection passes the
// blocking checks is let through at once, and its record is made once a response went out.
import { formatHostPort } from '../host-port.js';
import type { Sighting } from '../tls/observe-target.js';
import type { HandshakeRecord, HostPort } from '../types.js';

/**
 * Records one upstream. `servername` is the SNI to send and the name to check when the app asked
 * for another name than the CONNECT host (undefined: the host's default, none for an IP address).
 * With `seen` (a traffic connection's handshake) it judges that; without, it probes. `id`: the
 * record's id, when prejudge reserved it.
 */
export type Observe = (target: HostPort, servername?: string, seen?: Sighting, id?: string) => Promise<HandshakeRecord>;

export interface Observer {
  observe: Observe;
  /**
   * The checks that block a host alone, on what a traffic connection showed (record/observe.ts
   * passesOnSight): the id its record is to have when they pass, null when only the record can tell.
   */
  prejudge(target: HostPort, servername: string | undefined, seen: Sighting): string | null;
}

/** The record, or (a host that passed the blocking checks) its id now and the record to come. */
export type Verdict = { record: HandshakeRecord } | { passed: string; record: Promise<HandshakeRecord> };

/**
 * How long the record of a host that passed waits for a response to go out (spareTime) before it is
 * made anyway: the app's handshake with the proxy and its first request, ~5 ms on loopback.
 */
const DEFER_MS = 20;

/** The cache key: host:port, plus the name when it is not the host's own. */
function keyOf(target: HostPort, servername?: string): string {
  const key = formatHostPort(target);
  return servername === undefined ? key : `${key}#${servername}`;
}

export class HostRecorder {
  private readonly records = new Map<string, { record: HandshakeRecord; at: number }>();
  private readonly pending = new Map<string, Promise<HandshakeRecord>>();
  /** Whether a recording under way passed the blocking checks (its record's id) or not (null). */
  private readonly passes = new Map<string, Promise<string | null>>();
  /** Records of hosts that passed, waiting for spare time, with their cache keys. */
  private readonly deferred = new Map<() => void, string>();
  /** The keys of the deferred records not made yet: waiting, or being made (a flush awaits both). */
  private readonly unmade = new Set<string>();
  private readonly observe: Observe;
  private readonly prejudge: Observer['prejudge'] | null;

  constructor(
    observer: Observe | Observer,
    private readonly onRecord: (record: HandshakeRecord) => void,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
    /** A failed recording (timeout, reset) is kept only briefly: one hiccup must not block a host for long. */
    private readonly failureTtlMs = 2_000,
    private readonly maxEntries = 2_000,
  ) {
    this.observe = typeof observer === 'function' ? observer : observer.observe;
    this.prejudge = typeof observer === 'function' ? null : observer.prejudge;
  }

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
   * The record when it is ready or none is under way; for a recording from a traffic connection whose
   * handshake passed the blocking checks, the record's id as soon as they did, with the record to come.
   */
  verdict(target: HostPort, servername?: string): Promise<Verdict> {
    const recording = this.record(target, servername);
    const passing = this.passes.get(keyOf(target, servername));
    const whole = (): Promise<Verdict> => recording.then((record) => ({ record }));
    if (!passing) return whole();
    return passing.then((id): Verdict | Promise<Verdict> =>
      id === null ? whole() : { passed: id, record: recording },
    );
  }

  /**
   * What a connection that does not record the host is gated with: the record, or none while a host
   * that passed the blocking checks is still being recorded (OpenSSL then decides alone, as for a leaf
   * not recorded yet), so that an app's second connection to a new host does not wait for the first's
   * response. Undefined also when the recording failed.
   */
  judging(target: HostPort, servername?: string): Promise<HandshakeRecord | undefined> {
    return this.verdict(target, servername).then(
      (verdict) => ('passed' in verdict ? undefined : verdict.record),
      () => undefined,
    );
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
      let passed: (id: string | null) => void = () => undefined;
      if (seen) this.passes.set(key, new Promise((resolve) => (passed = resolve)));
      const observing = seen
        ? seen.then((sighting) => {
            const id = sighting && this.prejudge ? this.prejudge(target, servername, sighting) : null;
            passed(id);
            if (!sighting) return probe();
            // Passed: its record (every store's verdict, the diagnosis, the event) waits for spare time.
            if (id !== null) return this.later(key, () => this.observe(target, servername, sighting, id));
            // Judged at once, but after the records deferred before it: a run's memory (an issuer
            // re-signing unrelated hosts) sees the hosts in the order their handshakes came.
            this.runDeferred();
            return this.observe(target, servername, sighting);
          })
        : probe();
      const settled = () => {
        this.pending.delete(key);
        this.passes.delete(key);
        passed(null);
      };
      probing = observing.then(
        (record) => {
          settled();
          this.records.delete(key);
          this.records.set(key, { record, at: this.now() });
          this.sweep();
          this.onRecord(record);
          return record;
        },
        (error: unknown) => {
          settled();
          throw error;
        },
      );
      this.pending.set(key, probing);
    }
    return probing;
  }

  /** `work` once a response went out (spareTime), or after DEFER_MS when none does. */
  private later<T>(key: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        if (!this.deferred.delete(run)) return;
        clearTimeout(timer);
        work().then(resolve, reject);
      };
      const timer = setTimeout(run, DEFER_MS);
      this.deferred.set(run, key);
      this.unmade.add(key);
    }).finally(() => this.unmade.delete(key));
  }

  /**
   * A response has just gone out to an app: the records of hosts that passed are made now, on the
   * next turn, rather than on the path of their first request.
   */
  spareTime(): void {
    if (this.deferred.size === 0) return;
    setImmediate(() => this.runDeferred());
  }

  private runDeferred(): void {
    for (const run of [...this.deferred.keys()]) run();
  }

  /** The deferred records made now, and published: the proxy is closing, its output with it. */
  async flush(): Promise<void> {
    // A record already being made (spareTime ran it) is awaited too: it is published when made.
    const keys = [...this.unmade];
    this.runDeferred();
    await Promise.allSettled(keys.map((key) => this.pending.get(key)));
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
