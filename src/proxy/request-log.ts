// `request` events: one per exchange, URL secrets redacted, no header values (SPEC).
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { EventBus } from '../events.js';
import { redactUrl } from '../report/redact.js';

export class RequestLog {
  private count = 0;

  constructor(private readonly events: EventBus) {}

  /** Times one exchange from now; call the result when the response has been sent. */
  start(req: IncomingMessage, url: string, handshakeId: string | null): (status: number | null, bytes: number, blocked?: string) => void {
    const started = performance.now();
    return (status, bytes, blocked) => {
      this.events.publish({
        type: 'request',
        id: `r-${++this.count}`,
        handshakeId,
        time: new Date().toISOString(),
        method: req.method ?? 'GET',
        url: redactUrl(url),
        status,
        bytes: { response: bytes },
        timing: { totalMs: Math.round((performance.now() - started) * 100) / 100 },
        ...(blocked ? { blocked } : {}),
      });
    };
  }

  /** Counts response body bytes as they go by, without changing the stream. */
  static countBytes(response: NodeJS.ReadableStream | undefined, into: { bytes: number }): void {
    response?.on('data', (chunk: Buffer) => (into.bytes += chunk.length));
  }
}

