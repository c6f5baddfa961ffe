// `tlswitness inspect` without loading yargs: its flags parsed by util.parseArgs from the table its yargs
// builder declares. A start-up optimisation only: whatever the fast parser is not sure of goes to yargs.
import { fastParse } from './fast-parse.js';
import { finish } from './exit.js';
import { inspectCommand } from './inspect.js';
import { optionTable } from './option-table.js';
import { TOOL_NAME } from '../version.js';

/** The arguments yargs would give inspect's handler for `argv` (from the command's name on), or null. */
export function fastInspectArgs(argv: readonly string[]): Parameters<typeof inspectCommand.handler>[0] | null {
  const table = optionTable(inspectCommand.builder);
  const args = table && fastParse(inspectCommand.command, table, argv, TOOL_NAME);
  // fastParse gives only the declared flags, each typed and checked as the builder declares it.
  return args as Parameters<typeof inspectCommand.handler>[0] | null;
}

/** Runs inspect when the fast parser is sure of `argv`; false when yargs must parse it. */
export async function runFastInspect(argv: readonly string[]): Promise<boolean> {
  const args = fastInspectArgs(argv);
  if (!args) return false;
  await finish(() => inspectCommand.handler(args));
  return true;
}
