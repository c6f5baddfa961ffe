// What the keys do, as pure transitions: selection sticks to a host, filter typing, quit and clear.
import test from 'ava';
import { effectiveSelection, handleKey, INITIAL_UI, type KeyPress, type UiState } from '../../src/tui/ui-state.js';

const rows = ['a:443', 'b:443', 'c:443'];
const ch = (c: string): KeyPress => ({ ch: c, name: /^[a-z]$/.test(c) ? c : undefined });
const named = (name: string, extra: Partial<KeyPress> = {}): KeyPress => ({ name, ...extra });

function press(state: UiState, keys: KeyPress[], visible = rows, evidence = false) {
  let result = { state, command: null as string | null };
  for (const key of keys) result = handleKey(result.state, key, visible, evidence);
  return result;
}

test('j/k and the arrows move and stop at the ends; the selection follows its host when rows reorder', (t) => {
  t.is(effectiveSelection(INITIAL_UI, rows), 'a:443', 'nothing chosen: the top row');
  t.is(press(INITIAL_UI, [ch('j'), named('down')]).state.selected, 'c:443');
  t.is(press(INITIAL_UI, [ch('j'), ch('j'), ch('j'), ch('j')]).state.selected, 'c:443');
  t.is(press(INITIAL_UI, [ch('j'), named('up'), ch('k')]).state.selected, 'a:443');
  const onB = press(INITIAL_UI, [ch('j')]).state;
  t.is(effectiveSelection(onB, ['c:443', 'b:443', 'a:443']), 'b:443');
  t.is(press(onB, [ch('j')], ['b:443', 'a:443', 'c:443']).state.selected, 'a:443', 'moves from where the host is now');
  t.is(effectiveSelection(onB, ['a:443', 'c:443']), 'a:443', 'filtered away: the top row');
  t.is(press(INITIAL_UI, [ch('G')]).state.selected, 'c:443');
  t.is(press(INITIAL_UI, [ch('G'), named('home')]).state.selected, 'a:443');
  t.is(press(INITIAL_UI, [ch('j')], []).state.selected, null, 'no rows, no selection');
});

test('Enter toggles the details and pins the host; PgDn scrolls them; Esc closes them, then clears the filter', (t) => {
  const open = press(INITIAL_UI, [ch('j'), named('enter')]).state;
  t.true(open.details);
  t.is(open.selected, 'b:443');
  t.is(press(open, [named('pagedown'), named('pagedown')]).state.detailsScroll, 20);
  t.is(press(open, [named('pagedown'), named('pageup'), named('pageup')]).state.detailsScroll, 0);
  t.false(press(open, [named('enter')]).state.details);
  t.false(press(open, [named('escape')]).state.details);
  // blessed reports '\r' as `enter` and then `return`: the second must not toggle back.
  t.true(press(INITIAL_UI, [named('enter'), named('return')]).state.details);
  const filtered = { ...INITIAL_UI, filter: 'x' };
  t.is(press(filtered, [named('escape')]).state.filter, '');
});

test('/ types a filter live: Enter keeps it, Esc restores the old one, keys are text meanwhile', (t) => {
  const typing = press(INITIAL_UI, [
    ch('/'),
    ch('e'),
    ch('x'),
    ch('q'),
    ch('p'),
    named('backspace'),
    named('backspace'),
  ]);
  t.is(typing.state.editing, 'ex');
  t.is(typing.command, null, 'q while typing is a letter, not quit');
  t.false(typing.state.problemsOnly);
  const kept = press(typing.state, [ch(' '), named('enter')]).state;
  t.is(kept.filter, 'ex');
  t.is(kept.editing, null);
  const cancelled = press(kept, [ch('/'), ch('z'), named('escape')]).state;
  t.is(cancelled.filter, 'ex');
  t.is(cancelled.editing, null);
  t.is(press(kept, [ch('/'), named('u', { ctrl: true })]).state.editing, '');
  t.is(
    press(kept, [ch('/'), named('tab', { ch: '\t' } as KeyPress)]).state.editing,
    'ex',
    'control characters are not text',
  );
});

test('q and Ctrl-C quit (Ctrl-C even while typing or in help); c clears; p and ? toggle', (t) => {
  t.is(press(INITIAL_UI, [ch('q')]).command, 'quit');
  t.is(press(INITIAL_UI, [ch('/'), named('c', { ctrl: true, ch: '\x03' })]).command, 'quit');
  t.is(press(INITIAL_UI, [ch('?'), named('c', { ctrl: true })]).command, 'quit');
  const cleared = press({ ...INITIAL_UI, selected: 'b:443', details: true }, [ch('c')]);
  t.is(cleared.command, 'clear');
  t.is(cleared.state.selected, null);
  t.false(cleared.state.details);
  t.true(press(INITIAL_UI, [ch('p')]).state.problemsOnly);
  t.false(press(INITIAL_UI, [ch('p'), ch('p')]).state.problemsOnly);
  const help = press(INITIAL_UI, [ch('?')]).state;
  t.true(help.help);
  const closed = press(help, [ch('q')]);
  t.false(closed.state.help);
  t.is(closed.command, null, 'in help, a key only closes it');
});

test('e asks for evidence only when the front end offers it and a host is selected', (t) => {
  t.is(press(INITIAL_UI, [ch('e')], rows, false).command, null);
  t.is(press(INITIAL_UI, [ch('e')], rows, true).command, 'evidence');
  t.is(press(INITIAL_UI, [ch('e')], [], true).command, null);
});
