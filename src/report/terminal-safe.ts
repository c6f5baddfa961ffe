// Network- and file-derived text made safe to print: control characters and bidi overrides shown as
// visible escapes, so a certificate subject, header or URL cannot drive the terminal; pure.
//
// Why each class:
// - C0 (U+0000–U+001F) and DEL: ESC starts every terminal control sequence (ECMA-48 5.3): `ESC ] 0 ;
//   title BEL` sets the window title, `ESC [ 2 J` clears the screen, others remap keys or write files
//   on some terminals. CR and BS overwrite what was printed; LF forges whole lines.
// - C1 (U+0080–U+009F): the 8-bit forms of the same introducers (U+009B is CSI, U+009D is OSC);
//   xterm and others act on them even when they arrive UTF-8 encoded (bytes C2 80–C2 9F).
// - Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the bidi marks
//   (U+200E, U+200F, U+061C) reorder what the user sees without changing the bytes: a name shown as
//   `example.com` can be `moc.elpmaxe` (Unicode TR #9; CVE-2021-42574, "Trojan Source").
//
// Escapes are ASCII (`\x1b`, `\u009b`), so the result is idempotent and every character stays
// visible. A backslash is left as it is: RFC 4514 names already use `\,` and `\+`, and doubling it
// would make every DN differ from what openssl prints; a literal `\x1b` in data reads the same as an
// escaped ESC, which is harmless to the terminal.

const C0_DEL = '\\x00-\\x1f\\x7f';
const C1 = '\\u0080-\\u009f';
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';

const ONE_LINE = new RegExp(`[${C0_DEL}${C1}${BIDI}]`, 'g');
// Everything ONE_LINE escapes but LF and TAB: text whose line breaks are ours to keep.
const MULTI_LINE = new RegExp(`[\\x00-\\x08\\x0b-\\x1f\\x7f${C1}${BIDI}]`, 'g');
// What JSON.stringify leaves raw (it escapes C0 itself): DEL, C1, bidi controls.
const JSON_RAW = new RegExp(`[\\x7f${C1}${BIDI}]`, 'g');

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');
const visible = (c: string) => (c.charCodeAt(0) < 0x80 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/** One field on one line: every control character (LF, CR and TAB too) and bidi control made visible. */
export function oneLine(text: string): string {
  return text.replace(ONE_LINE, visible);
}

/** Text of several lines: as `oneLine`, but LF and TAB stay. */
export function terminalText(text: string): string {
  return text.replace(MULTI_LINE, visible);
}

/** Lines joined into printable text, each one escaped so data cannot break or add a line. */
export function safeLines(lines: readonly string[]): string {
  return lines.map(oneLine).join('\n');
}

/**
 * JSON for stdout and files: JSON.stringify, with DEL, C1 and bidi controls written as `\u` escapes.
 * Those only occur inside strings, where the escape parses back to the same character: the data stays
 * exact for programs, and `cat`/`tail -f` of the output cannot drive a terminal.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_RAW, (c) => `\\u${hex(c, 4)}`);
}

/**
 * A deep copy of plain data (records, findings) with every string made one-line safe, for renderers
 * whose text is built from many fields and sentences derived from them. Keys in `keep` (PEM text)
 * are copied as they are.
 */
export function displayCopy<T>(value: T, keep: ReadonlySet<string> = new Set(['pem'])): T {
  if (typeof value === 'string') return oneLine(value) as T;
  if (Array.isArray(value)) return value.map((item) => displayCopy(item, keep)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = keep.has(key) ? item : displayCopy(item, keep);
    return out as T;
  }
  return value;
}
