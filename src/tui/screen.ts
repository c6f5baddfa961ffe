// The blessed layer: one full-screen box whose content is the pure frame, drawn at most every
// FRAME_MS however fast events come, keys mapped through ui-state. It owns the terminal while up:
// library output goes to the event log, and the terminal is restored on quit and on a crash.
import blessed from 'blessed';
import type { ProxyEvent } from '../events.js';
import { oneLine } from '../report/terminal-safe.js';
import { captureOutput } from './console-capture.js';
import { EventLog, type LogLevel } from './event-log.js';
import { renderFrame, type Frame } from './frame.js';
import { HostTable, type TableLimits } from './host-table.js';
import type { ProxyInfo } from './table-view.js';
import { escapeTags, toTags } from './text.js';
import { frameThrottle } from './frame-throttle.js';
import { handleKey, INITIAL_UI, type KeyPress, type UiState } from './ui-state.js';

/** About 10 frames a second at most: enough to feel live, cheap under thousands of events a second. */
const FRAME_MS = 100;

export interface TuiOptions {
  info: ProxyInfo;
  /** `q` or Ctrl-C (raw mode delivers it as a key, not SIGINT). */
  onQuit: () => void;
  /** Writes an evidence bundle for a host:port; its answer (a path) goes to the event log. The `e` key exists only with it. */
  onEvidence?: (hostKey: string) => Promise<string | void> | string | void;
  limits?: TableLimits;
}

export interface Tui {
  /** An event subscriber. */
  write(event: ProxyEvent): void;
  /** A line for the event log (notes and warnings that would otherwise go to stderr). */
  note(level: LogLevel, text: string): void;
  /** Destroys the screen: the terminal is as it was, console and stderr write there again. */
  close(): Promise<void>;
}

interface ScreenStatics {
  _sigintHandler?: () => void;
  _sigtermHandler?: () => void;
  _exceptionHandler?: (error: Error) => void;
}

/** The blessed screen, its construction noise muted and its signal handlers handed back to the CLI. */
function openScreen(capture: ReturnType<typeof captureOutput>): blessed.Widgets.Screen {
  // blessed 0.1.81 prints its failure to compile newer terminfo entries (xterm-256color's Setulc) with
  // console.error, then falls back to its own xterm description: that noise is dropped.
  capture.muted = true;
  let screen: blessed.Widgets.Screen;
  try {
    screen = blessed.screen({
      smartCSR: true,
      title: 'tlswitness',
      warnings: false,
      autoPadding: false,
      fullUnicode: false,
    });
  } catch (error) {
    capture.restore();
    throw error;
  } finally {
    capture.muted = false;
  }
  // The CLI owns SIGINT/SIGTERM (a clean stop flushes the log); blessed's handlers would exit
  // the process as soon as the CLI's one-shot listener had run. Its exit handler stays: it
  // restores the terminal on any exit.
  const statics = blessed.screen as unknown as ScreenStatics;
  if (statics._sigintHandler) process.removeListener('SIGINT', statics._sigintHandler);
  if (statics._sigtermHandler) process.removeListener('SIGTERM', statics._sigtermHandler);
  if (statics._exceptionHandler) process.removeListener('uncaughtException', statics._exceptionHandler);
  return screen;
}

/** As blessed decides (the locale, or the terminfo U8 flag): otherwise it prints `?` for non-ASCII. */
function canDrawUnicode(screen: blessed.Widgets.Screen): boolean {
  const tput = (screen as unknown as { tput: { unicode: boolean; numbers: Record<string, number> } }).tput;
  return tput.unicode || tput.numbers.U8 === 1;
}

/** Runs the `e` key's evidence writer for `key`, its answer or failure going to the event log. */
function writeEvidence(
  onEvidence: NonNullable<TuiOptions['onEvidence']>,
  key: string,
  log: EventLog,
  redraw: () => void,
): void {
  const nowIso = () => new Date().toISOString();
  log.add('note', `writing an evidence bundle for ${key}...`, nowIso());
  Promise.resolve()
    .then(() => onEvidence(key))
    .then(
      // Without an answer, the bundle's own `evidence` event has already logged where it went.
      (result) => {
        if (result) log.add('note', `evidence for ${key}: ${result}`, nowIso());
      },
      (error: Error) => log.add('error', `evidence for ${key} failed: ${error.message}`, nowIso()),
    )
    .finally(redraw);
}

/** What a key press or a frame changes: the view state, the table's scroll offset, and the last frame drawn. */
interface ViewState {
  ui: UiState;
  offset: number;
  frame: Frame | null;
}

interface Parts {
  options: TuiOptions;
  table: HostTable;
  log: EventLog;
  unicode: boolean;
}

/** Renders the pure frame into the box at the screen's size. A bug in a view must not take the proxy down with it. */
function paint(screen: blessed.Widgets.Screen, box: blessed.Widgets.BoxElement, view: ViewState, parts: Parts): void {
  try {
    view.frame = renderFrame({
      info: parts.options.info,
      table: parts.table,
      log: parts.log,
      ui: view.ui,
      width: screen.cols,
      height: screen.rows,
      now: new Date(),
      offset: view.offset,
      evidence: !!parts.options.onEvidence,
      unicode: parts.unicode,
    });
    view.offset = view.frame.offset;
    view.ui = { ...view.ui, detailsScroll: view.frame.detailsScroll };
    box.setContent(view.frame.lines.map(toTags).join('\n'));
  } catch (error) {
    box.setContent(
      `tlswitness: the screen cannot be drawn (${escapeTags(oneLine((error as Error).message))}); the proxy keeps running; q quits`,
    );
  }
  screen.render();
}

/** A key press through ui-state, then the command it names: quit, clear, or an evidence bundle for the selected host. */
function onKey(press: KeyPress, view: ViewState, parts: Parts, redraw: () => void): void {
  const { options, table, log } = parts;
  const result = handleKey(view.ui, press, view.frame?.visible ?? [], !!options.onEvidence);
  view.ui = result.state;
  if (result.command === 'quit') options.onQuit();
  else if (result.command === 'clear') {
    table.clear();
    log.clear();
    view.offset = 0;
  } else if (result.command === 'evidence' && view.frame?.selected)
    writeEvidence(options.onEvidence!, view.frame.selected, log, redraw);
}

export function startTui(options: TuiOptions): Tui {
  const table = new HostTable(options.limits);
  const log = new EventLog();
  const view: ViewState = { ui: INITIAL_UI, offset: 0, frame: null };
  let closed = false;
  const nowIso = () => new Date().toISOString();
  // Drawing reads the screen, box and parts made below: a draw asked for while they are made runs from a timer, after.
  const frames = frameThrottle(() => paint(screen, box, view, parts), FRAME_MS);

  const capture = captureOutput((level, text) => {
    log.add(level, text, nowIso());
    frames.schedule();
  });
  const screen = openScreen(capture);
  // A crash restores the terminal before Node prints the stack.
  const onCrash = () => destroy();
  process.on('uncaughtExceptionMonitor', onCrash);
  const parts: Parts = { options, table, log, unicode: canDrawUnicode(screen) };
  const box = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', tags: true, wrap: false });

  screen.on('keypress', (ch: string | undefined, key: KeyPress | undefined) => {
    onKey({ ...key, ch }, view, parts, frames.schedule);
    frames.now();
  });
  screen.on('resize', frames.now);
  const ticker = setInterval(frames.schedule, 1000).unref();
  frames.now();

  function destroy(): void {
    if (closed) return;
    closed = true;
    frames.stop();
    clearInterval(ticker);
    process.removeListener('uncaughtExceptionMonitor', onCrash);
    screen.destroy();
    capture.restore();
  }

  return {
    write(event) {
      table.apply(event);
      log.addEvent(event);
      frames.schedule();
    },
    note(level, text) {
      log.add(level, text, nowIso());
      frames.schedule();
    },
    close() {
      destroy();
      return Promise.resolve();
    },
  };
}
