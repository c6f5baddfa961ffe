// The TUI's event log: errors, app refusals, notes and whatever libraries print while the screen is
// up, newest last, bounded; a line repeated back to back is counted, not stored again; pure.
import type { ProxyEvent } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { redactText } from '../redact/url.js';

export type LogLevel = 'error' | 'warning' | 'note';

export interface LogEntry {
  time: string;
  level: LogLevel;
  text: string;
  repeats: number;
}

export class EventLog {
  private entries: LogEntry[] = [];
  version = 0;

  constructor(private readonly max = 200) {}

  /** Library output and notes: they did not come through the event bus, so their URLs are redacted here. */
  add(level: LogLevel, text: string, time: string): void {
    this.push(level, redactText(text), time);
  }

  private push(level: LogLevel, text: string, time: string): void {
    this.version++;
    // Library output can be multi-line (stack traces): the first line says what happened.
    const line = text.split('\n').find((part) => part.trim()) ?? '';
    const last = this.entries[this.entries.length - 1];
    if (last && last.level === level && last.text === line) {
      last.repeats++;
      last.time = time;
      return;
    }
    this.entries.push({ time, level, text: line, repeats: 1 });
    if (this.entries.length > this.max) this.entries.shift();
  }

  /** The log lines an event deserves (handshakes and requests have the table); the bus redacted it already. */
  addEvent(event: ProxyEvent): void {
    if (event.type === 'error') this.push('error', `${event.code}: ${event.message}`, event.time);
    else if (event.type === 'evidence')
      this.push(
        'note',
        `evidence for ${formatHostPort(event)} (${event.problem}): written to ${event.path}`,
        event.time,
      );
    else if (event.type === 'client-tls-error')
      this.push(
        'warning',
        `app rejected the proxy CA for ${event.host}:${event.port} (${event.confidence}): ${event.reason}`,
        event.time,
      );
  }

  /** The newest `count` entries, oldest first. */
  last(count: number): LogEntry[] {
    return count > 0 ? this.entries.slice(-count) : [];
  }

  clear(): void {
    this.entries = [];
    this.version++;
  }
}
