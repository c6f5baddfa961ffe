// Event subscribers that write: buffered NDJSON (stdout or an appended --log file) and one readable
// line per event. Writes are batched per tick so a busy proxy does not pay one syscall per event.
import { createWriteStream, openSync } from 'node:fs';
import { TlswitnessError } from '../errors.js';
import type { Writable } from 'node:stream';
import type { ProxyEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { safeJson, safeLines } from './terminal-safe.js';

export interface Sink {
  write(event: ProxyEvent): void;
  /** Writes what is buffered and, for files, closes. */
  close(): Promise<void>;
}

class BufferedLines implements Sink {
  private buffer: string[] = [];
  private scheduled = false;

  constructor(
    private readonly stream: Writable,
    private readonly format: (event: ProxyEvent) => string,
    private readonly ownsStream: boolean,
  ) {}

  write(event: ProxyEvent): void {
    this.buffer.push(this.format(event));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.buffer.length) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.stream.write(text);
  }

  close(): Promise<void> {
    this.flush();
    if (!this.ownsStream)
      return new Promise((resolve) =>
        this.stream.writableLength ? this.stream.once('drain', () => resolve()) : resolve(),
      );
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

export const ndjson = (event: ProxyEvent): string => `${safeJson(event)}\n`;

export function ndjsonSink(stream: Writable): Sink {
  return new BufferedLines(stream, ndjson, false);
}

/** Appends NDJSON to a file, opened now so a bad path is an error before the proxy starts. */
export function ndjsonFileSink(path: string, onError: (error: Error) => void): Sink {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw new TlswitnessError(
      'unreadable-file',
      `--log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: pass a writable file`,
    );
  }
  const stream = createWriteStream(path, { fd, flags: 'a' });
  // A disk that fills up mid-run loses log lines, not the proxy.
  stream.on('error', onError);
  return new BufferedLines(stream, ndjson, true);
}

/** One readable line per event (a second and third, indented, for a problem's summary and action), for a terminal without the TUI. */
export function eventLine(event: ProxyEvent): string {
  // Names, URLs and messages come from the network: each line is escaped so none can drive the terminal or forge a line.
  return `${safeLines(eventLines(event))}\n`;
}

function eventLines(event: ProxyEvent): string[] {
  const time = ('time' in event ? event.time : new Date().toISOString()).slice(11, 19);
  const more = '         ';
  switch (event.type) {
    case 'handshake': {
      const verdict = event.diagnosis.problem === 'ok' ? 'OK' : event.diagnosis.problem.toUpperCase();
      const issuer = event.chain[0]?.issuer ?? event.failure?.message ?? '';
      const head = `${time} TLS   ${formatHostPort(event.target)}  ${verdict}  ${event.tls.protocol ?? '-'}  ${issuer}`;
      return event.diagnosis.problem === 'ok'
        ? [head]
        : [head, `${more}${event.diagnosis.summary}`, `${more}Action: ${event.diagnosis.action}`];
    }
    case 'request':
      return [
        `${time} ${event.method.padEnd(5)} ${event.url}  ${event.status ?? '-'}${event.blocked ? ` BLOCKED (${event.blocked})` : ''}  ${event.bytes.response} B  ${event.timing.totalMs} ms`,
      ];
    case 'client-tls-error':
      return [
        `${time} APP REJECTED CA  ${event.host}:${event.port}  ${event.reason}`,
        `${more}Action: ${event.action}`,
      ];
    case 'error':
      return [`${time} ERROR ${event.code}: ${event.message}`];
    case 'evidence':
      return [`${time} EVIDENCE ${event.host}:${event.port}  ${event.problem.toUpperCase()}  written to ${event.path}`];
  }
}

export function lineSink(stream: Writable): Sink {
  return new BufferedLines(stream, eventLine, false);
}
