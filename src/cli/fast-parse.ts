// One command line parsed with Node's util.parseArgs into exactly the arguments yargs would give the command's
// handler, or null wherever the two could differ (then yargs parses it, and its errors and help stay the only ones).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { FlagDeclaration, OptionTable } from './option-table.js';

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];
type Args = Record<string, unknown>;

/** yargs-parser's camel-case expansion of a kebab-case flag name (`extra-ca` → `extraCa`). */
export function camelCase(name: string): string {
  return name.replace(/-+([^-])/g, (_dash, letter: string) => letter.toUpperCase());
}

function parseArgsOptions(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, flag] of table.options)
    options[name] = { type: flag.type === 'boolean' ? 'boolean' : 'string', multiple: flag.array === true };
  return options;
}

/** The positional names of a command string such as `inspect <target>`, when every one is required. */
function requiredPositionals(command: string, table: OptionTable): string[] | null {
  const [, ...words] = command.trim().split(/\s+/);
  const names = words.map((word) => /^<([\w-]+)>$/.exec(word)?.[1]);
  if (names.some((name) => name === undefined || !table.positionals.has(name))) return null;
  return names as string[];
}

/**
 * Where yargs reads the same tokens differently: a flag given twice that is not an array (yargs makes it one),
 * an array flag followed by a positional (yargs's arrays are greedy) or given an empty value (yargs drops it),
 * a boolean followed by `true`/`false` (yargs takes it as the value), `-` (always a positional to yargs), a
 * value in quotes (yargs strips some), `help` as a positional (yargs shows help), and `--`.
 */
function ambiguous(tokens: readonly Token[], table: OptionTable): boolean {
  const seen = new Set<string>();
  return tokens.some((token, index) => {
    if (token.kind === 'option-terminator') return true;
    const { value } = token;
    if (value !== undefined && (value === '-' || /^["']/.test(value))) return true;
    if (token.kind === 'positional') return value === 'help';
    const flag = table.options.get(token.name)!;
    if (seen.has(token.name) && !flag.array) return true;
    seen.add(token.name);
    if (flag.array && value === '') return true;
    const next = tokens[index + 1];
    if (next?.kind !== 'positional') return false;
    return flag.array === true || (flag.type === 'boolean' && /^(true|false)$/.test(next.value));
  });
}

/** A value as yargs types it, or undefined when yargs would refuse it or read it another way. */
function typed(flag: FlagDeclaration, value: string | boolean): unknown {
  if (flag.choices && !flag.choices.includes(value)) return undefined;
  if (flag.type !== 'number') return value;
  // yargs-parser coerces a number flag with Number(); a value it would not take is yargs's to report.
  const number = Number(value);
  return Number.isFinite(number) && String(value).trim() !== '' ? number : undefined;
}

function withCamelCase(args: Args, name: string, value: unknown): void {
  args[name] = value;
  args[camelCase(name)] = value;
}

/** The flags' values, typed and defaulted as yargs does, or null when one is not certain. */
function flagValues(values: Record<string, unknown>, table: OptionTable): Args | null {
  const args: Args = {};
  for (const [name, flag] of table.options) {
    const given = values[name] as string | boolean | Array<string | boolean> | undefined;
    if (given === undefined) {
      if (flag.default !== undefined) withCamelCase(args, name, flag.default);
      continue;
    }
    if (flag.type === 'number' && flag.array) return null;
    const list = Array.isArray(given) ? given.map((value) => typed(flag, value)) : [typed(flag, given)];
    if (list.includes(undefined)) return null;
    withCamelCase(args, name, Array.isArray(given) ? list : list[0]);
  }
  return args;
}

/**
 * The arguments yargs would pass to the handler of `command` (its string, e.g. `inspect <target>`, and its flag
 * table) for `argv` (after the binary's name, starting with the command's name), or null when yargs must decide:
 * help, --version, an unknown or negated flag, a value yargs would read otherwise, a check that fails, a missing
 * or extra positional. `scriptName` is yargs's `$0`.
 */
export function fastParse(
  command: unknown,
  table: OptionTable,
  argv: readonly string[],
  scriptName: string,
): Args | null {
  if (typeof command !== 'string') return null;
  const name = command.trim().split(/\s+/)[0];
  const positionalNames = requiredPositionals(command, table);
  if (!positionalNames || argv[0] !== name) return null;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      options: parseArgsOptions(table),
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch {
    return null;
  }
  if (ambiguous(parsed.tokens!, table) || parsed.positionals.length !== positionalNames.length) return null;
  const flags = flagValues(parsed.values, table);
  if (!flags) return null;
  const args: Args = { _: [name], ...flags, $0: scriptName };
  for (const [index, positional] of positionalNames.entries()) {
    const value = typed(table.positionals.get(positional)!, parsed.positionals[index]!);
    if (value === undefined) return null;
    withCamelCase(args, positional, value);
  }
  for (const check of table.checks) {
    try {
      if (check(args) !== true) return null;
    } catch {
      return null;
    }
  }
  return args;
}
