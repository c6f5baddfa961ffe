// Every command line through yargs: the commands it names are loaded, parsed, checked and run.
import { commandsFor } from './command-index.js';
import { EXIT_USAGE } from './exit-codes.js';
import { fail, finish } from './exit.js';
import { cliParser } from './parser.js';

export async function runWithYargs(argv: readonly string[]): Promise<void> {
  const cli = cliParser(argv, await commandsFor(argv)).fail((message, error) => {
    if (error) throw error;
    fail(`${message} (see tlswitness --help)`, EXIT_USAGE);
  });
  await finish(() => cli.parseAsync());
}
