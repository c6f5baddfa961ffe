// A command's flags as its yargs builder declares them, read without yargs: the builder runs against a
// recorder that keeps each `.option()`, `.positional()` and `.check()` call (one source of truth for both parsers).
import type { Argv } from 'yargs';

/** The parts of a yargs flag declaration the fast parser understands; any other key makes the table unusable. */
export interface FlagDeclaration {
  type?: 'string' | 'boolean' | 'number';
  array?: boolean;
  default?: unknown;
  choices?: readonly unknown[];
  demandOption?: boolean;
  describe?: string;
}

export type ArgsCheck = (args: Record<string, unknown>) => unknown;

export interface OptionTable {
  options: ReadonlyMap<string, FlagDeclaration>;
  positionals: ReadonlyMap<string, FlagDeclaration>;
  /** The builder's `.check()` functions, in order. */
  checks: readonly ArgsCheck[];
}

const UNDERSTOOD = new Set(['type', 'array', 'default', 'choices', 'demandOption', 'describe']);
const TYPES = new Set(['string', 'boolean', 'number']);

/** Thrown by the recorder at anything it cannot mirror exactly (an alias, a coerce function, another method). */
class NotMirrored extends Error {}

function declaration(name: unknown, flag: unknown): [string, FlagDeclaration] {
  if (typeof name !== 'string' || typeof flag !== 'object' || flag === null) throw new NotMirrored(String(name));
  const keys = Object.keys(flag);
  const { type } = flag as FlagDeclaration;
  if (keys.some((key) => !UNDERSTOOD.has(key)) || !TYPES.has(type as string)) throw new NotMirrored(name);
  return [name, flag as FlagDeclaration];
}

/**
 * Runs `builder` on a recorder instead of yargs and returns what it declared, or null when it calls anything
 * the recorder does not mirror (then only yargs can parse that command).
 */
export function optionTable<A>(builder: (yargs: Argv<object>) => Argv<A>): OptionTable | null {
  const options = new Map<string, FlagDeclaration>();
  const positionals = new Map<string, FlagDeclaration>();
  const checks: ArgsCheck[] = [];
  const recorder: object = new Proxy(
    {},
    {
      get: (_target, method) => (name: unknown, flag: unknown) => {
        if (method === 'option') options.set(...declaration(name, flag));
        else if (method === 'positional') positionals.set(...declaration(name, flag));
        else if (method === 'check' && typeof name === 'function' && flag === undefined) checks.push(name as ArgsCheck);
        else throw new NotMirrored(String(method));
        return recorder;
      },
    },
  );
  try {
    builder(recorder as Argv<object>);
  } catch (error) {
    if (error instanceof NotMirrored) return null;
    throw error;
  }
  return { options, positionals, checks };
}
