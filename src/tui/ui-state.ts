// What the keys do: selection (sticky to a host:port, not a row index, since rows reorder under
// traffic), details, the `/` filter being typed, problems only, help; pure transitions.

export interface UiState {
  /** host:port of the selected row; null selects the first visible row. */
  selected: string | null;
  details: boolean;
  detailsScroll: number;
  filter: string;
  /** The filter while it is being typed (applied live); null when not typing. */
  editing: string | null;
  problemsOnly: boolean;
  help: boolean;
}

export const INITIAL_UI: UiState = {
  selected: null,
  details: false,
  detailsScroll: 0,
  filter: '',
  editing: null,
  problemsOnly: false,
  help: false,
};

/** A key as blessed reports it. */
export interface KeyPress {
  name?: string;
  ch?: string;
  ctrl?: boolean;
  meta?: boolean;
}

export type Command = 'quit' | 'clear' | 'evidence' | null;

export interface KeyResult {
  state: UiState;
  command: Command;
}

const PAGE = 10;

/** The selection to show: the chosen row while it is visible, else the first. */
export function effectiveSelection(state: UiState, visible: readonly string[]): string | null {
  return state.selected !== null && visible.includes(state.selected) ? state.selected : (visible[0] ?? null);
}

function move(state: UiState, visible: readonly string[], delta: number): UiState {
  if (!visible.length) return state;
  const current = effectiveSelection(state, visible);
  const index = current === null ? 0 : visible.indexOf(current);
  const next = Math.max(0, Math.min(visible.length - 1, index + delta));
  return { ...state, selected: visible[next]!, detailsScroll: next === index ? state.detailsScroll : 0 };
}

function editFilter(state: UiState, key: KeyPress, draft: string): UiState {
  switch (key.name) {
    case 'enter':
      return { ...state, filter: draft.trim(), editing: null };
    case 'escape':
      return { ...state, editing: null };
    case 'backspace':
      return { ...state, editing: draft.slice(0, -1) };
  }
  if (key.ctrl && key.name === 'u') return { ...state, editing: '' };
  if (key.ctrl || key.meta || !key.ch || key.ch.length !== 1 || key.ch < ' ' || key.ch === '\x7f') return state;
  return { ...state, editing: draft + key.ch };
}

/** `visible` is the list of row keys as shown (filter applied), top first. */
export function handleKey(state: UiState, key: KeyPress, visible: readonly string[], evidence: boolean): KeyResult {
  // Raw mode: Ctrl-C arrives as a key, not SIGINT; it quits from anywhere.
  if (key.ctrl && key.name === 'c') return { state, command: 'quit' };
  // A '\r' is reported as both `enter` and `return`: act on one.
  if (key.name === 'return') return { state, command: null };
  if (state.editing !== null) return { state: editFilter(state, key, state.editing), command: null };
  if (state.help) return { state: { ...state, help: false }, command: null };
  const ch = key.ctrl || key.meta ? undefined : key.ch;
  if (ch === 'q') return { state, command: 'quit' };
  if (ch === 'c') return { state: { ...state, selected: null, details: false, detailsScroll: 0 }, command: 'clear' };
  if (ch === 'e' && evidence) return { state, command: effectiveSelection(state, visible) ? 'evidence' : null };
  if (ch === '/') return { state: { ...state, editing: state.filter }, command: null };
  if (ch === 'p') return { state: { ...state, problemsOnly: !state.problemsOnly }, command: null };
  if (ch === '?') return { state: { ...state, help: true }, command: null };
  if (ch === 'k' || key.name === 'up') return { state: move(state, visible, -1), command: null };
  if (ch === 'j' || key.name === 'down') return { state: move(state, visible, 1), command: null };
  if (ch === 'g' || key.name === 'home') return { state: move(state, visible, -visible.length), command: null };
  if (ch === 'G' || key.name === 'end') return { state: move(state, visible, visible.length), command: null };
  if (key.name === 'pageup')
    return {
      state: state.details
        ? { ...state, detailsScroll: Math.max(0, state.detailsScroll - PAGE) }
        : move(state, visible, -PAGE),
      command: null,
    };
  if (key.name === 'pagedown')
    return {
      state: state.details ? { ...state, detailsScroll: state.detailsScroll + PAGE } : move(state, visible, PAGE),
      command: null,
    };
  if (key.name === 'enter')
    return {
      state: { ...state, details: !state.details, detailsScroll: 0, selected: effectiveSelection(state, visible) },
      command: null,
    };
  if (key.name === 'escape')
    return { state: state.details ? { ...state, details: false } : { ...state, filter: '' }, command: null };
  return { state, command: null };
}
