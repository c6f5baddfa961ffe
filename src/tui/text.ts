// Screen text as styled segments, cut and padded to a width before it becomes blessed tags, so
// layout is plain string arithmetic and tag syntax in data (a `{` in a DN) is escaped; pure.
import { oneLine } from '../report/terminal-safe.js';
import type { Tone } from './verdict.js';

export type Style = Tone | 'title' | 'dim' | 'key';

export interface Segment {
  text: string;
  style?: Style;
}

export interface Line {
  segments: Segment[];
  /** The title bar and the selected row are shown in reverse video across the whole width. */
  inverse?: boolean;
}

const ELLIPSIS = '…';

export const line = (...segments: (Segment | string)[]): Line => ({
  segments: segments.map((s) => (typeof s === 'string' ? { text: s } : s)),
});
export const styled = (text: string, style?: Style): Segment => (style ? { text, style } : { text });

/** `text` cut to `width` (with an ellipsis when cut) and padded with spaces, or right-aligned. Controls are escaped first, so columns hold. */
export function cell(raw: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const text = oneLine(raw);
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}${ELLIPSIS}`.slice(0, width) : text;
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width);
}

/**
 * The line cut to exactly `width` columns. Control characters and bidi controls in data are shown
 * escaped (`\x1b`, `\u009b`), as in every text output, so data can neither restyle the screen nor reach
 * the terminal as a control.
 */
export function fit(input: Line, width: number): Line {
  const segments: Segment[] = [];
  let left = width;
  const escaped = input.segments.map((s) => oneLine(s.text));
  const total = escaped.reduce((sum, text) => sum + text.length, 0);
  for (const [i, segment] of input.segments.entries()) {
    if (left <= 0) break;
    let text = escaped[i]!;
    // The segment that reaches the edge of a line too long for it carries the ellipsis.
    if (total > width && text.length >= left) text = `${text.slice(0, left - 1)}${ELLIPSIS}`;
    segments.push({ ...segment, text });
    left -= text.length;
  }
  if (left > 0) segments.push({ text: ' '.repeat(left) });
  return { ...input, segments };
}

const OPEN: Record<Style, string> = {
  ok: '{green-fg}',
  warn: '{yellow-fg}',
  bad: '{red-fg}',
  intercepted: '{magenta-fg}',
  neutral: '',
  title: '{bold}',
  dim: '{gray-fg}',
  key: '{bold}',
};

function closeTag(open: string): string {
  return open ? open.replace('{', '{/') : '';
}

export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

export function toTags(input: Line): string {
  const body = input.segments.map((s) => {
    const open = s.style ? OPEN[s.style] : '';
    return `${open}${escapeTags(s.text)}${closeTag(open)}`;
  });
  return input.inverse ? `{inverse}${body.join('')}{/inverse}` : body.join('');
}

const ASCII: Record<string, string> = { '…': '~', '↑': '^', '↓': 'v', '█': '_' };

/** The line for a terminal without UTF-8 (blessed would print `?`): one ASCII character for each glyph. */
export function asciiOnly(input: Line): Line {
  return {
    ...input,
    segments: input.segments.map((s) => ({ ...s, text: s.text.replace(/[^\x00-\x7e]/g, (c) => ASCII[c] ?? '?') })),
  };
}

/** Plain text of a line, for tests and for measuring. */
export function plain(input: Line): string {
  return input.segments.map((s) => s.text).join('');
}

/**
 * Word wrap to `width`, keeping the text's leading spaces; continuation lines start with `indent`.
 * A word longer than a line (a fingerprint) fills the line and is cut after a `:` where it can be.
 */
export function wrap(raw: string, width: number, indent = ''): string[] {
  // Measured as it will be drawn: escapes are longer than the controls they stand for.
  const text = oneLine(raw);
  const lead = /^ */.exec(text)![0];
  if (width <= Math.max(lead.length, indent.length) + 8) return [text.slice(0, Math.max(0, width))];
  const out: string[] = [];
  let current = lead;
  let fresh = true;
  const push = () => {
    out.push(current);
    current = indent;
    fresh = true;
  };
  for (const word of text.slice(lead.length).split(' ')) {
    const gap = fresh ? '' : ' ';
    if (current.length + gap.length + word.length <= width) {
      current += gap + word;
      fresh = false;
      continue;
    }
    if (word.length <= width - indent.length) {
      push();
      current += word;
      fresh = false;
      continue;
    }
    let rest = word;
    current += gap;
    while (current.length + rest.length > width) {
      const room = width - current.length;
      const colon = rest.lastIndexOf(':', room - 1);
      const cut = colon >= room / 2 ? colon + 1 : room;
      current += rest.slice(0, cut);
      rest = rest.slice(cut);
      push();
    }
    current += rest;
    fresh = false;
  }
  if (!fresh || !out.length) out.push(current);
  return out;
}
