// `~` in a path, expanded as pip expands it in config files and PIP_* variables (pypa/pip#980, pip 20.0); pure.

export function expandHome(value: string, home: string | undefined): string {
  if (!home || !(value === '~' || value.startsWith('~/') || value.startsWith('~\\'))) return value;
  return home + value.slice(1);
}
