// Screen text: cutting and padding to a width, tag escaping, wrapping.
import test from 'ava';
import { asciiOnly, cell, escapeTags, fit, line, plain, styled, toTags, wrap } from '../../src/tui/text.js';

test('cell and fit cut to the width with an ellipsis and pad the rest', (t) => {
  t.is(cell('abcdef', 4), 'abc…');
  t.is(cell('ab', 4), 'ab  ');
  t.is(cell('7', 3, 'right'), '  7');
  t.is(cell('x', 0), '');
  t.is(plain(fit(line('ab', styled('cd', 'ok')), 6)), 'abcd  ');
  t.is(plain(fit(line('abc', styled('defgh', 'bad'), 'ij'), 6)), 'abcde…');
  t.is(plain(fit(line('abc', 'def'), 6)), 'abcdef', 'an exact fit is not cut');
  t.is(plain(fit(line('abc', 'def', 'g'), 6)), 'abcde…');
  t.is(plain(fit(line('a\x1b[2Jb'), 9)), 'a\\x1b[2Jb', 'control characters from data cannot reach the terminal');
  t.is(plain(fit(line('a\u009b2J\u202eb'), 16)), 'a\\u009b2J\\u202eb', 'nor C1 controls nor bidi overrides');
  t.is(plain(fit(line('x', 'a\x1b[2Jb'), 6)), 'xa\\x1…', 'the width counts the escapes');
  t.is(cell('a\x07b', 6), 'a\\x07b', 'a table cell escapes before it measures');
});

test('tags: styles open and close, braces in data are escaped, the selected line is reversed', (t) => {
  t.is(escapeTags('CN={x}'), 'CN={open}x{close}');
  t.is(
    toTags(line('a ', styled('OK', 'ok'), styled('{b}', 'bad'))),
    'a {green-fg}OK{/green-fg}{red-fg}{open}b{close}{/red-fg}',
  );
  t.is(toTags({ ...line('x'), inverse: true }), '{inverse}x{/inverse}');
});

test('wrap keeps the leading indent, indents continuations and cuts long fingerprints after a colon', (t) => {
  t.deepEqual(wrap('   i: CN=Fixture Public CA 1,O=Fixture', 20, '      '), [
    '   i: CN=Fixture',
    '      Public CA',
    '      1,O=Fixture',
  ]);
  const fingerprint = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF';
  t.deepEqual(wrap(`   SHA-256: ${fingerprint}`, 30, '            '), [
    '   SHA-256: AB:CD:EF:01:23:45:',
    '            67:89:AB:CD:EF',
  ]);
  t.deepEqual(wrap('short', 20), ['short']);
  t.deepEqual(wrap('', 20), ['']);
  for (const part of wrap('word '.repeat(50), 23, '  ')) t.true(part.length <= 23);
});

test('without UTF-8 each glyph becomes one ASCII character, so columns stay aligned', (t) => {
  const text = plain(asciiOnly(line('↑↓ select ', styled('abc…', 'ok'), ' /x█ é')));
  t.is(text, '^v select abc~ /x_ ?');
  t.is(text.length, '↑↓ select abc… /x█ é'.length);
});
