// Escaping network-derived text for terminals, and JSON that keeps its data but not raw controls.
import test from 'ava';
import { displayCopy, oneLine, safeJson, safeLines, terminalText } from '../../src/report/terminal-safe.js';

// Title, clear screen, 8-bit CSI, bidi override, isolate and mark, DEL, CR, NUL.
const HOSTILE = 'a\x1b]0;pwned\x07\x1b[2J\u009b31m\u202etxt.exe\u2066\u200f\x7f\r\x00z';
const RAW = /[\x00-\x08\x0a-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('oneLine shows every control and bidi character as an ASCII escape', (t) => {
  t.is(oneLine(HOSTILE), 'a\\x1b]0;pwned\\x07\\x1b[2J\\u009b31m\\u202etxt.exe\\u2066\\u200f\\x7f\\x0d\\x00z');
  t.is(oneLine('two\nlines\tand tab'), 'two\\x0alines\\x09and tab', 'a line break in data cannot forge a line');
  t.is(oneLine(oneLine(HOSTILE)), oneLine(HOSTILE), 'idempotent');
  for (const c of ['\u0080', '\u009f', '\u061c', '\u200e', '\u202a', '\u202c', '\u202e', '\u2066', '\u2069'])
    t.false(RAW.test(oneLine(`x${c}y`)), `U+${c.charCodeAt(0).toString(16)}`);
});

test('ordinary text is left alone: non-Latin names, RFC 4514 escapes, the ellipsis', (t) => {
  for (const text of [
    'CN=Zürich Straße,O=Ünïcødé',
    'CN=例え.テスト',
    'CN=שלום',
    'O=Acme\\, Inc.',
    'a … b ✓ ✗ →',
    'DNS:*.example.com',
  ])
    t.is(oneLine(text), text);
});

test('terminalText keeps line breaks and tabs, escapes the rest', (t) => {
  t.is(terminalText('one\n\ttwo\x1b[2J\u009b\r'), 'one\n\ttwo\\x1b[2J\\u009b\\x0d');
  t.is(safeLines(['a\nb', 'c\x1b']), 'a\\x0ab\nc\\x1b');
});

test('safeJson writes C1, bidi and DEL as \\u escapes: same data, no raw bytes', (t) => {
  const value = { subject: HOSTILE, list: ['\u009b', '\u202e'], 'k\u009b': 1 };
  const json = safeJson(value, 2);
  t.deepEqual(JSON.parse(json), value, 'a JSON reader gets the exact data back');
  t.false(RAW.test(json.replace(/\n/g, '')));
  t.true(JSON.stringify(value).includes('\u009b'), 'JSON.stringify alone leaves U+009B raw');
  t.is(safeJson({ a: 'plain' }), '{"a":"plain"}');
});

test('displayCopy escapes every string of plain data but PEM text', (t) => {
  const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  const record = { subject: 'CN=\x1b[2J', chain: [{ san: ['DNS:\u009bx'], pem, keyBits: 2048, ok: true, none: null }] };
  const shown = displayCopy(record);
  t.deepEqual(shown, {
    subject: 'CN=\\x1b[2J',
    chain: [{ san: ['DNS:\\u009bx'], pem, keyBits: 2048, ok: true, none: null }],
  });
  t.is(record.subject, 'CN=\x1b[2J', 'the original is not changed');
});
