// While the screen is up nothing may write to the terminal behind blessed's back: console.*
// (http-mitm-proxy logs there), direct process.stderr writes and process warnings are routed to
// the event log instead, and put back as they were when the screen goes.
import { format } from 'node:util';

export type CapturedLevel = 'error' | 'warning' | 'note';

export interface Capture {
  /** While muted, captured output is dropped (blessed's own terminfo noise while the screen is built). */
  muted: boolean;
  restore(): void;
}

const METHODS = ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const;

export function captureOutput(onLine: (level: CapturedLevel, text: string) => void): Capture {
  const saved = Object.fromEntries(METHODS.map((name) => [name, console[name]])) as Record<
    (typeof METHODS)[number],
    (...args: unknown[]) => void
  >;
  const savedWrite = process.stderr.write;
  const savedWarningListeners = process.listeners('warning');
  const capture: Capture = {
    muted: false,
    restore() {
      for (const name of METHODS) console[name] = saved[name];
      process.stderr.write = savedWrite;
      process.removeListener('warning', onWarning);
      for (const listener of savedWarningListeners) process.on('warning', listener);
    },
  };
  const emit = (level: CapturedLevel, text: string) => {
    if (!capture.muted && text.trim()) onLine(level, text);
  };
  for (const name of METHODS) {
    const level: CapturedLevel = name === 'error' || name === 'trace' ? 'error' : name === 'warn' ? 'warning' : 'note';
    console[name] = (...args: unknown[]) => emit(level, format(...args));
  }
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    emit('warning', typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stderr.write;
  // Node prints warnings (deprecations, MaxListeners) from its own 'warning' listener.
  process.removeAllListeners('warning');
  function onWarning(warning: Error): void {
    emit('warning', `${warning.name}: ${warning.message}`);
  }
  process.on('warning', onWarning);
  return capture;
}
