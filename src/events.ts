// The typed event union the proxy publishes and every front end (NDJSON, lines, TUI) subscribes to;
// every event is redacted once more on its way out (redact/event.ts).
import type { EventErrorCode } from './errors.js';
import { redactEvent } from './redact/event.js';
import { SCHEMA_VERSION } from './schema-version.js';
import type { HandshakeRecord } from './types.js';

export interface RequestEvent {
  type: 'request';
  schemaVersion: string;
  id: string;
  handshakeId: string | null;
  time: string;
  method: string;
  /** Absolute URL with secret-looking query values redacted. */
  url: string;
  status: number | null;
  bytes: { response: number };
  timing: { totalMs: number };
  /** The app's HTTP version: "1.1", "1.0" or "2". */
  httpVersion?: string;
  /** The HTTP/2 stream the exchange ran on (HTTP/2 only). */
  streamId?: number;
  /** Why the proxy answered itself (blocked upstream), when it did. */
  blocked?: string;
}

export interface ClientTlsErrorEvent {
  type: 'client-tls-error';
  schemaVersion: string;
  time: string;
  host: string;
  port: number;
  confidence: 'high' | 'medium' | 'low';
  reason: string;
  action: string;
}

export interface ErrorEvent {
  type: 'error';
  schemaVersion: string;
  time: string;
  /** One of the published codes (errors.ts, docs/record.md#error). */
  code: EventErrorCode;
  message: string;
  host?: string;
}

/** An error event, stamped now; the bus adds `schemaVersion`, and `host` is left out when not known. */
export function errorEvent(code: EventErrorCode, message: string, host?: string): Omit<ErrorEvent, 'schemaVersion'> {
  return { type: 'error', time: new Date().toISOString(), code, message, ...(host === undefined ? {} : { host }) };
}

/** An evidence bundle written by the proxy (--evidence-dir, or the TUI's `e`). */
export interface EvidenceEvent {
  type: 'evidence';
  schemaVersion: string;
  time: string;
  host: string;
  port: number;
  problem: string;
  path: string;
}

/** One exchange with its headers (secret values redacted), for a HAR; not on the event stream. */
export interface Exchange {
  event: RequestEvent;
  startedDateTime: string;
  httpVersion: string;
  requestHeaders: Array<{ name: string; value: string }>;
  responseHeaders: Array<{ name: string; value: string }>;
}

export type ExchangeListener = (exchange: Exchange) => void;

export type ProxyEvent = HandshakeRecord | RequestEvent | ClientTlsErrorEvent | ErrorEvent | EvidenceEvent;

/** An event as a publisher makes it: the bus stamps `schemaVersion` on those that lack it. */
export type NewEvent = ProxyEvent extends infer E
  ? E extends ProxyEvent
    ? Omit<E, 'schemaVersion'> & { schemaVersion?: string }
    : never
  : never;

export type Subscriber = (event: ProxyEvent) => void;

function stampVersion({ type, ...rest }: NewEvent): object {
  return { type, schemaVersion: SCHEMA_VERSION, ...rest };
}

export class EventBus {
  private readonly subscribers = new Set<Subscriber>();

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  publish(event: NewEvent): void {
    // A record keeps its identity (it already carries the version); `type` stays the first key.
    const stamped = (event.schemaVersion ? event : stampVersion(event)) as ProxyEvent;
    const safe = redactEvent(stamped);
    for (const subscriber of this.subscribers) {
      try {
        subscriber(safe);
      } catch {
        // one broken front end must not stop the proxy or the others
      }
    }
  }
}
