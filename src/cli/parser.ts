// The binary's yargs parser over the commands a command line needs (command-index.ts): the CLI itself.
import yargs, { type Argv } from 'yargs';
import type { AnyCommand } from './command-module.js';
import { USAGE } from './command-index.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** Everything but the failure handler, which the binary (exit.ts) and the tests choose. */
export function cliParser(argv: readonly string[], commands: AnyCommand[]): Argv<object> {
  return yargs([...argv])
    .scriptName(TOOL_NAME)
    .usage(USAGE)
    .command(commands)
    .version(TOOL_VERSION)
    .strict()
    .recommendCommands()
    .wrap(process.stdout.isTTY ? Math.min(100, process.stdout.columns) : null);
}
