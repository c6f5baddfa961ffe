// The TUI's state: one row per upstream host:port, reduced from proxy events, most recent activity
// first, bounded (oldest rows and requests dropped) so a long, busy run keeps a fixed footprint; pure.
import type { ClientTlsErrorEvent, ProxyEvent, RequestEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord } from '../types.js';
import { verdictOf } from './verdict.js';

export interface RequestSummary {
  time: string;
  method: string;
  path: string;
  status: number | null;
  ms: number;
  /** "2" for an HTTP/2 exchange; absent for HTTP/1.x (and events from before the field). */
  httpVersion?: string;
  blocked?: string;
}

export interface HostRow {
  key: string;
  scheme: 'https' | 'http';
  /** The latest handshake record for this host:port; null for plain HTTP or before one arrives. */
  record: HandshakeRecord | null;
  /** The most recent requests, oldest first, at most `maxRequestsPerRow`. */
  requests: RequestSummary[];
  requestCount: number;
  /** The app's latest refusal of the proxy's CA, until one of its requests gets through. */
  rejection: ClientTlsErrorEvent | null;
  rejections: number;
  lastSeen: string;
}

export interface Counters {
  handshakes: number;
  requests: number;
  clientRejections: number;
  errors: number;
}

export interface TableLimits {
  maxRows: number;
  maxRequestsPerRow: number;
}

export const DEFAULT_LIMITS: TableLimits = { maxRows: 500, maxRequestsPerRow: 30 };

const DEFAULT_PORTS: Record<string, number> = { https: 443, wss: 443, http: 80, ws: 80 };

/** host:port, scheme and path of a request URL as the proxy reports it (userinfo dropped). */
export function splitRequestUrl(url: string): { key: string; scheme: 'https' | 'http'; path: string } | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!.slice(match[2]!.lastIndexOf('@') + 1);
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(authority);
  const parts = bracketed ?? plain;
  if (!parts) return null;
  const port = parts[2] ? Number(parts[2]) : DEFAULT_PORTS[scheme];
  if (port === undefined) return null;
  return {
    key: formatHostPort({ host: parts[1]!.toLowerCase(), port }),
    scheme: scheme === 'http' || scheme === 'ws' ? 'http' : 'https',
    path: match[3] || '/',
  };
}

export class HostTable {
  /** Insertion order is activity order: the oldest first, so eviction takes the first key. */
  private readonly rows = new Map<string, HostRow>();
  /** Records outlive `clear()`: the proxy re-records a host only after its TTL, its next request must not lose the verdict. */
  private readonly records = new Map<string, HandshakeRecord>();
  counters: Counters = { handshakes: 0, requests: 0, clientRejections: 0, errors: 0 };
  /** Rows dropped to stay within `maxRows` since the last clear. */
  dropped = 0;
  /** Bumped on every change, so a view can tell whether to draw. */
  version = 0;

  constructor(private readonly limits: TableLimits = DEFAULT_LIMITS) {}

  apply(event: ProxyEvent): void {
    this.version++;
    switch (event.type) {
      case 'handshake':
        return this.onHandshake(event);
      case 'request':
        return this.onRequest(event);
      case 'client-tls-error':
        return this.onRejection(event);
      case 'error':
        this.counters.errors++;
    }
  }

  private onHandshake(record: HandshakeRecord): void {
    this.counters.handshakes++;
    const key = formatHostPort({ host: record.target.host.toLowerCase(), port: record.target.port });
    this.records.delete(key);
    this.records.set(key, record);
    if (this.records.size > this.limits.maxRows) this.records.delete(this.records.keys().next().value!);
    const row = this.touch(key, 'https', record.time);
    row.record = record;
  }

  private onRequest(event: RequestEvent): void {
    this.counters.requests++;
    const where = splitRequestUrl(event.url);
    if (!where) return;
    const row = this.touch(where.key, where.scheme, event.time);
    row.requestCount++;
    row.requests.push({
      time: event.time,
      method: event.method,
      path: where.path,
      status: event.status,
      ms: event.timing.totalMs,
      ...(event.httpVersion === '2' ? { httpVersion: '2' } : {}),
      ...(event.blocked ? { blocked: event.blocked } : {}),
    });
    if (row.requests.length > this.limits.maxRequestsPerRow) row.requests.shift();
    // An exchange the proxy forwarded means the app trusted it this time.
    if (event.status !== null && !event.blocked) row.rejection = null;
  }

  private onRejection(event: ClientTlsErrorEvent): void {
    this.counters.clientRejections++;
    const row = this.touch(formatHostPort({ host: event.host.toLowerCase(), port: event.port }), 'https', event.time);
    row.rejection = event;
    row.rejections++;
  }

  /** The row for key, created when new, moved to the most recent end; evicts the oldest beyond the cap. */
  private touch(key: string, scheme: 'https' | 'http', time: string): HostRow {
    let row = this.rows.get(key);
    if (row) this.rows.delete(key);
    else
      row = {
        key,
        scheme,
        record: this.records.get(key) ?? null,
        requests: [],
        requestCount: 0,
        rejection: null,
        rejections: 0,
        lastSeen: time,
      };
    if (time > row.lastSeen) row.lastSeen = time;
    this.rows.set(key, row);
    while (this.rows.size > this.limits.maxRows) {
      this.rows.delete(this.rows.keys().next().value!);
      this.dropped++;
    }
    return row;
  }

  /** Forgets the rows and counters (not the records: see `records`). */
  clear(): void {
    this.rows.clear();
    this.counters = { handshakes: 0, requests: 0, clientRejections: 0, errors: 0 };
    this.dropped = 0;
    this.version++;
  }

  /** Most recent activity first. */
  list(): HostRow[] {
    return [...this.rows.values()].reverse();
  }

  get(key: string): HostRow | undefined {
    return this.rows.get(key);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Hosts whose verdict is a problem, and those with interception detected. */
  summary(): { hosts: number; problems: number; intercepted: number } {
    let problems = 0;
    let intercepted = 0;
    for (const row of this.rows.values()) {
      if (verdictOf(row).problem) problems++;
      if (row.record?.interception.detected) intercepted++;
    }
    return { hosts: this.rows.size, problems, intercepted };
  }
}

/** Rows whose host, verdict, issuer or TLS version contain `text` (any case); problems only when asked. */
export function filterRows(rows: HostRow[], text: string, problemsOnly: boolean): HostRow[] {
  const needle = text.trim().toLowerCase();
  return rows.filter((row) => {
    const verdict = verdictOf(row);
    if (problemsOnly && !verdict.problem) return false;
    if (!needle) return true;
    const leaf = row.record?.chain[0];
    return `${row.key} ${verdict.word} ${leaf?.issuer ?? ''} ${leaf?.subject ?? ''} ${row.record?.tls.protocol ?? ''}`
      .toLowerCase()
      .includes(needle);
  });
}
