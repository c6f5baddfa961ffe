// One screenful: header, host table (scrolled to keep the selection in view), details or help,
// the event log and the key line, each cut to the terminal's width and height; pure.
import { detailLines } from './details-view.js';
import type { EventLog } from './event-log.js';
import { filterRows, type HostTable } from './host-table.js';
import { columnHeader, columns, headerLines, rowLine, type ProxyInfo } from './table-view.js';
import { asciiOnly, cell, fit, line, styled, wrap, type Line, type Segment } from './text.js';
import { effectiveSelection, type UiState } from './ui-state.js';

export interface FrameInput {
  info: ProxyInfo;
  table: HostTable;
  log: EventLog;
  ui: UiState;
  width: number;
  height: number;
  now: Date;
  /** The first table row shown in the previous frame, so the table scrolls only when it must. */
  offset: number;
  /** `e` writes an evidence bundle. */
  evidence: boolean;
  /** false: the terminal cannot show UTF-8, glyphs become ASCII. */
  unicode?: boolean;
}

export interface Frame {
  lines: Line[];
  /** Row keys after the filter, top first: what the selection keys move over. */
  visible: string[];
  selected: string | null;
  offset: number;
  /** The details pane's scroll, clamped to its content. */
  detailsScroll: number;
}

const KEY_HELP: [string, string][] = [
  ['↑/↓ j/k', 'select a host (g/G first/last, PgUp/PgDn a page)'],
  ['Enter', 'details of the selected host, on/off (PgUp/PgDn scroll them)'],
  ['/', 'filter on host, verdict, issuer, TLS (Enter keeps, Esc cancels)'],
  ['Esc', 'close the details, or clear the filter'],
  ['p', 'problems only, on/off'],
  ['c', 'clear the table, the counters and the log'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit: the proxy stops, the log is flushed'],
];

const VERDICT_HELP = [
  'OK, EXPIRED, NOT YET VALID, INCOMPLETE CHAIN, UNKNOWN CA, SELF-SIGNED, HOSTNAME MISMATCH, WRONG ORDER, CLIENT CERT REQUIRED, HANDSHAKE FAILED, UNREACHABLE: the upstream as a careful client sees it; the app gets a 502 for a failing one.',
  'INTERCEPTED: <product>: TLS inspection signed the chain.',
  "CLIENT REJECTED CA: the app refused the proxy's certificate: trust the CA (see the header).",
  'PLAIN HTTP: no TLS to judge.',
];

function helpLines(width: number, evidence: boolean): Line[] {
  const keys = evidence
    ? [
        ...KEY_HELP.slice(0, 6),
        ['e', 'write an evidence bundle for the selected host'] as [string, string],
        ...KEY_HELP.slice(6),
      ]
    : KEY_HELP;
  const out: Line[] = [line(styled('Keys', 'title'))];
  for (const [key, text] of keys) {
    const [first = '', ...rest] = wrap(text, Math.max(10, width - 14), '');
    out.push(line(styled(`  ${key.padEnd(11)} `, 'key'), first));
    for (const more of rest) out.push(line(`${' '.repeat(14)}${more}`));
  }
  out.push(line(styled('Verdicts', 'title')));
  for (const text of VERDICT_HELP) for (const part of wrap(text, width - 2, '    ')) out.push(line(`  ${part}`));
  return out;
}

type Hint = [key: string, text: string];

const hintsWidth = (hints: Hint[]) =>
  hints.reduce((sum, [key, text]) => sum + key.length + 1 + text.length, 0) + 2 * Math.max(0, hints.length - 1);

const hintSegments = (hints: Hint[]): Segment[] =>
  hints.flatMap(([key, text], i) => [styled(key, 'key'), styled(` ${text}${i < hints.length - 1 ? '  ' : ''}`)]);

/**
 * The hints that fit in `width`, dropping whole hints in `dropOrder` until they do, so no hint is
 * ever cut in half; `?` and `q` are never in it (help lists every key, and quitting must be findable).
 */
export function fitHints(hints: Hint[], width: number, dropOrder: string[]): Hint[] {
  let shown = hints;
  for (const key of dropOrder) {
    if (hintsWidth(shown) <= width) break;
    shown = shown.filter(([k]) => k !== key);
  }
  return shown;
}

function footer(input: FrameInput, shown: number): Line {
  const { ui, table, evidence, width } = input;
  if (ui.editing !== null) {
    const hint = '   Enter keeps the filter, Esc cancels';
    // A long filter shows its end (where the typing is), and the hint stays whole.
    const room = Math.max(1, width - 2 - hint.length);
    const typed = ui.editing.length > room ? `…${ui.editing.slice(-(room - 1))}` : ui.editing;
    return line(styled('/', 'key'), typed, styled('█', 'dim'), styled(hint, 'dim'));
  }
  if (ui.filter || ui.problemsOnly) {
    const hints = fitHints(
      [
        ['/', 'edit'],
        ['p', ui.problemsOnly ? 'all hosts' : 'problems'],
        ['Esc', 'clear'],
        ['?', 'help'],
        ['q', 'quit'],
      ],
      width,
      ['/', 'Esc'],
    );
    const status = [ui.filter ? `filter "${ui.filter}"` : '', ui.problemsOnly ? 'problems only' : '']
      .filter(Boolean)
      .join(', ');
    // The status gives way to the keys: a long filter is cut, the hints stay whole.
    const room = Math.max(0, width - hintsWidth(hints) - 2);
    return line(
      styled(`${cell(`${status}: ${shown} of ${table.size} hosts`, room).trimEnd()}  `, 'warn'),
      ...hintSegments(hints),
    );
  }
  const all: Hint[] = [
    ['↑↓', 'select'],
    ['Enter', 'details'],
    ['/', 'filter'],
    ['p', 'problems'],
    ['c', 'clear'],
    ...(evidence ? [['e', 'evidence'] as Hint] : []),
    ['?', 'help'],
    ['q', 'quit'],
  ];
  return line(...hintSegments(fitHints(all, width, ['c', '↑↓', '/', 'Enter', 'p', 'e'])));
}

/** The newest log entries, wrapped rather than cut (an evidence bundle's path is the point of its line), newest at the bottom. */
function logLines(input: FrameInput, count: number): Line[] {
  const out: Line[] = [];
  for (const entry of input.log.last(count)) {
    const tone = entry.level === 'error' ? 'bad' : entry.level === 'warning' ? 'warn' : 'dim';
    const text = `${entry.text}${entry.repeats > 1 ? ` (x${entry.repeats})` : ''}`;
    wrap(text, Math.max(10, input.width - 9), '  ').forEach((part, i) =>
      out.push(line(styled(i ? ' '.repeat(9) : `${entry.time.slice(11, 19)} `, 'dim'), styled(part, tone))),
    );
  }
  while (out.length < count) out.unshift(line(''));
  return out.slice(-count);
}

/** Why the table is empty, and only the keys that change it. */
function emptyTableText(input: FrameInput): string {
  const { ui, table, info } = input;
  if (!table.size) return `waiting for traffic: point an app at ${info.address} (the lines above)`;
  const filter = ui.editing ?? ui.filter;
  const what = ui.problemsOnly
    ? filter
      ? `no problem host matches "${filter}"`
      : `no problems among ${table.size} hosts`
    : `no host matches "${filter}"`;
  const keys = [
    filter && ui.editing === null ? 'Esc clears the filter' : '',
    ui.problemsOnly ? 'p shows all hosts' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return keys ? `${what} (${keys})` : what;
}

function rule(text: string, width: number): Line {
  // ASCII: blessed maps box-drawing characters to the terminal's alternate character set, and they
  // came out as letters (qqq) in tmux with TERM=xterm-256color.
  return line(styled(`-- ${text} ${'-'.repeat(Math.max(0, width - text.length - 4))}`, 'dim'));
}

export function renderFrame(input: FrameInput): Frame {
  const { width, height, ui, now } = input;
  const rows = filterRows(input.table.list(), ui.editing ?? ui.filter, ui.problemsOnly);
  const visible = rows.map((row) => row.key);
  const selected = effectiveSelection(ui, visible);
  // Help takes the whole screen but the title bar and the key line.
  const header = ui.help
    ? headerLines(input.info, input.table, height, width).slice(0, 1)
    : headerLines(input.info, input.table, height, width);
  const logCount = ui.help ? 0 : height >= 30 ? 3 : height >= 16 ? 2 : 1;
  const body = Math.max(2, height - header.length - logCount - 1);
  const selectedRow = selected === null ? undefined : input.table.get(selected);
  const showDetails = ui.details && !ui.help && !!selectedRow;
  const tableHeight = ui.help
    ? 0
    : showDetails
      ? Math.max(3, Math.min(rows.length + 1, Math.floor(body * 0.35)))
      : body;
  const lines: Line[] = [...header];
  let offset = input.offset;
  let detailsScroll = ui.detailsScroll;

  if (tableHeight > 0) {
    const slots = tableHeight - 1;
    const index = selected === null ? 0 : Math.max(0, visible.indexOf(selected));
    offset = Math.min(Math.max(0, offset, index - slots + 1), index, Math.max(0, rows.length - slots));
    // Sized for every host in the table, not only the filtered ones, so columns do not jump while typing.
    const w = columns(width, Math.max(0, ...input.table.list().map((row) => row.key.length)));
    lines.push(columnHeader(w));
    const window = rows.slice(offset, offset + slots);
    for (const row of window) lines.push(rowLine(row, w, row.key === selected, now));
    if (!rows.length) lines.push(line(styled(`  ${emptyTableText(input)}`, 'dim')));
    while (lines.length < header.length + tableHeight) lines.push(line(''));
  }
  const paneHeight = body - tableHeight;
  if (ui.help) {
    lines.push(...helpLines(width, input.evidence).slice(0, paneHeight));
  } else if (showDetails && selectedRow) {
    const content = detailLines(selectedRow, width, now);
    const room = paneHeight - 1;
    detailsScroll = Math.max(0, Math.min(detailsScroll, content.length - room));
    const more =
      content.length > room
        ? ` ${detailsScroll + 1}-${Math.min(content.length, detailsScroll + room)} of ${content.length}, PgUp/PgDn scroll`
        : '';
    lines.push(rule(`details${more}; Enter closes`, width));
    lines.push(...content.slice(detailsScroll, detailsScroll + room));
  }
  while (lines.length < header.length + body) lines.push(line(''));
  lines.push(...logLines(input, logCount), footer(input, rows.length));
  const shown = lines.slice(0, height).map((l) => fit(l, width));
  return { lines: input.unicode === false ? shown.map(asciiOnly) : shown, visible, selected, offset, detailsScroll };
}
