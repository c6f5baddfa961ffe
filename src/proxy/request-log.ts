// `request` events: one per exchange, URL secrets redacted, no header values (SPEC). When a HAR is
// being kept (--evidence-dir), the exchange's headers go to it too, redacted by family (redact/).
import { performance } from 'node:perf_hooks';
import type { EventBus, ExchangeListener, RequestEvent } from '../events.js';
import { redactHeaders } from '../redact/headers.js';
import { redactUrl } from '../redact/url.js';
import { SCHEMA_VERSION } from '../schema-version.js';

export interface ResponseFacts {
  /** Raw header pairs of the response as the app received it. */
  rawHeaders?: string[];
  blocked?: string;
}

/** What the log reads of a request: an HTTP/1.1 IncomingMessage, or an HTTP/2 stream's head (h2-front.ts). */
export interface LoggedRequest {
  method?: string;
  /** "1.1", "1.0" or "2". */
  httpVersion: string;
  rawHeaders: string[];
  /** The HTTP/2 stream the exchange ran on. */
  streamId?: number;
}

export class RequestLog {
  private count = 0;

  constructor(
    private readonly events: EventBus,
    private readonly exchanges?: ExchangeListener,
  ) {}

  /** Times one exchange from now; call the result when the response has been sent. */
  start(
    req: LoggedRequest,
    url: string,
    handshakeId: string | null,
  ): (status: number | null, bytes: number, response?: ResponseFacts) => void {
    const started = performance.now();
    const startedDateTime = this.exchanges ? new Date().toISOString() : '';
    return (status, bytes, response = {}) => {
      const event: RequestEvent = {
        type: 'request',
        schemaVersion: SCHEMA_VERSION,
        id: `r-${++this.count}`,
        handshakeId,
        time: new Date().toISOString(),
        method: req.method ?? 'GET',
        url: redactUrl(url),
        status,
        bytes: { response: bytes },
        timing: { totalMs: Math.round((performance.now() - started) * 100) / 100 },
        httpVersion: req.httpVersion,
      };
      // Set after the literal, in this order, rather than spread into it: a spread made V8 define each
      // key of the literal through its runtime, on every exchange.
      if (req.streamId !== undefined) event.streamId = req.streamId;
      if (response.blocked) event.blocked = response.blocked;
      this.events.publish(event);
      this.exchanges?.({
        event,
        startedDateTime,
        httpVersion: `HTTP/${req.httpVersion}`,
        requestHeaders: redactHeaders(req.rawHeaders),
        responseHeaders: redactHeaders(response.rawHeaders ?? []),
      });
    };
  }

  /** Counts response body bytes as they go by, without changing the stream. */
  static countBytes(response: NodeJS.ReadableStream | undefined, into: { bytes: number }): void {
    response?.on('data', (chunk: Buffer) => (into.bytes += chunk.length));
  }
}
