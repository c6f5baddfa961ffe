// Where a proxy run's events go (SPEC "Proxy output"): the TUI on a terminal unless --no-tui or --json;
// else NDJSON with --json or when stdout is not a terminal, one line per event with --no-tui; plus
// --log and the evidence bundles. Notes and warnings go to stderr, or to the TUI's log while it is up.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { TlswitnessError } from '../errors.js';
import { errorEvent, EventBus } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { lineSink, ndjsonFileSink, ndjsonSink, type Sink } from '../report/event-sinks.js';
import type { SessionEvidence } from '../report/session-evidence.js';
import { oneLine } from '../report/terminal-safe.js';
import type { Tui, TuiOptions } from '../tui/screen.js';
import type { HandshakeRecord } from '../types.js';
import type { ProxyArgs } from './proxy.js';

export interface ProxyOutput {
  events: EventBus;
  /** Evidence bundles written for every handshake (--evidence-dir); null without it. */
  evidence: SessionEvidence | null;
  /** Whether the TUI will own the terminal (then no banner goes to stderr). */
  tui: boolean;
  notify(level: 'warning' | 'note', text: string): void;
  /** Puts the TUI up (when `tui`): it shows what the banner would. */
  startTui(info: TuiOptions['info'], onQuit: () => void): void;
  /** Takes the TUI down: the user sees the shell again. */
  closeTui(): Promise<void>;
  /** Writes what the sinks buffer and closes the log. */
  close(): Promise<void>;
}

export async function openProxyOutput(args: ProxyArgs): Promise<ProxyOutput> {
  const events = new EventBus();
  // Loaded only when it runs.
  const tuiModule = args.tui && !args.json && process.stdout.isTTY ? await import('../tui/screen.js') : null;
  let tui: Tui | null = null;
  const notify = (level: 'warning' | 'note', text: string) => {
    if (tui) tui.note(level, text);
    else process.stderr.write(`${level === 'warning' ? 'Warning' : 'Note'}: ${oneLine(text)}\n`);
  };
  const sinks: Sink[] = [];
  if (!tuiModule)
    sinks.push(args.json || !process.stdout.isTTY ? ndjsonSink(process.stdout) : lineSink(process.stdout));
  let logFailed = false;
  if (args.log) {
    sinks.push(
      ndjsonFileSink(args.log, (error) => {
        if (!logFailed)
          notify(
            'warning',
            `writing ${args.log} failed (${error.message}); events still go to ${tui ? 'the screen' : 'stdout'}`,
          );
        logFailed = true;
      }),
    );
  }
  for (const sink of sinks) events.subscribe((event) => sink.write(event));
  const evidence = args['evidence-dir'] ? await startSessionEvidence(args['evidence-dir'], events, true) : null;
  let lazyEvidence: Promise<SessionEvidence> | null = null;
  const onEvidence = tuiModule
    ? evidenceKey(events, () =>
        evidence
          ? Promise.resolve(evidence)
          : (lazyEvidence ??= startSessionEvidence(resolvePath('tlswitness-evidence'), events, false)),
      )
    : undefined;
  return {
    events,
    evidence,
    tui: !!tuiModule,
    notify,
    startTui(info, onQuit) {
      if (!tuiModule) return;
      const screen = (tui = tuiModule.startTui({ info, onQuit, onEvidence }));
      events.subscribe((event) => screen.write(event));
    },
    async closeTui() {
      await tui?.close();
      tui = null;
    },
    async close() {
      await Promise.all(sinks.map((sink) => sink.close()));
    },
  };
}

/** Where bundles go: --evidence-dir, checked writable before the proxy listens (TUI's `e` without it: ./tlswitness-evidence). */
async function startSessionEvidence(dir: string, events: EventBus, automatic: boolean): Promise<SessionEvidence> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new TlswitnessError(
      'unreadable-file',
      `--evidence-dir ${dir}: not a writable directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const { SessionEvidence } = await import('../report/session-evidence.js');
  const evidence = new SessionEvidence(
    dir,
    (record, path) =>
      events.publish({
        type: 'evidence',
        time: new Date().toISOString(),
        host: record.target.host,
        port: record.target.port,
        problem: record.diagnosis.problem,
        path,
      }),
    (message) => events.publish(errorEvent('EVIDENCE_FAILED', message)),
  );
  if (automatic) {
    events.subscribe((event) => {
      if (event.type === 'handshake') evidence.record(event);
    });
  }
  return evidence;
}

/** The TUI's `e`: a bundle for the selected host's latest record, written where --evidence-dir says. */
function evidenceKey(
  events: EventBus,
  sessionEvidence: () => Promise<SessionEvidence>,
): (hostKey: string) => Promise<void> {
  const latest = new Map<string, HandshakeRecord>();
  events.subscribe((event) => {
    if (event.type !== 'handshake') return;
    const key = formatHostPort({ host: event.target.host.toLowerCase(), port: event.target.port });
    latest.delete(key);
    latest.set(key, event);
    // Bounded like the TUI's rows: the oldest hosts go first.
    if (latest.size > 2000) latest.delete(latest.keys().next().value!);
  });
  return async (hostKey) => {
    const record = latest.get(hostKey);
    if (!record) throw new Error(`no TLS handshake recorded for ${hostKey} (plain HTTP has no certificate to show)`);
    // Its path is announced by the `evidence` event the bundle publishes.
    const path = await (await sessionEvidence()).bundle(record);
    if (!path) throw new Error('see the error above');
  };
}
