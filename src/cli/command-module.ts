// Command modules typed by their builders: a command's argument type is what its chained `.option()` and
// `.positional()` calls declare, so a handler cannot read a flag the builder does not define.
import type { Argv, CommandModule } from 'yargs';

/** The arguments a builder declares: `(yargs) => Argv<A>` gives `A`. */
export type ArgsOf<B> = B extends (...args: never[]) => Argv<infer A> ? A : never;

/** A command (or subcommand, under a parent declaring `T`) whose builder is a function: examples and docs wrap it. */
export interface Command<T, U> extends CommandModule<T, U> {
  builder: (yargs: Argv<T>) => Argv<U>;
}

/**
 * A command list holds commands of different argument types, which have no common yargs type (the handler's
 * parameter is contravariant): the list erases them, here only, after each module was checked against its own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<object, any>;
