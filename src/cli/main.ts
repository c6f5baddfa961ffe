#!/usr/bin/env node
// The tlswitness binary: registers the commands that work and maps errors to SPEC exit codes.
// The only place that calls process.exit.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { stripUrlAuth, ToolError } from '../errors.js';
import { EXIT_USAGE } from './exit-codes.js';
import { caCommand } from './ca.js';
import { inspectCommand } from './inspect.js';

function fail(message: string, code: number): never {
  process.stderr.write(`Error: ${stripUrlAuth(message)}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  const cli = yargs(argv)
    .scriptName('tlswitness')
    .usage('$0 <command> [options]\n\nRecords TLS handshakes and certificate chains exactly as servers send them, and says what is wrong.')
    .command(inspectCommand)
    .command(caCommand)
    .demandCommand(1, 'Name a command; see tlswitness --help.')
    .strict()
    .recommendCommands()
    .wrap(process.stdout.isTTY ? Math.min(100, process.stdout.columns) : null)
    .fail((message, error) => {
      if (error) throw error;
      fail(`${message} (see tlswitness --help)`, EXIT_USAGE);
    });
  if (argv.length === 0) {
    // Until the proxy is the default command, a bare `tlswitness` shows what there is.
    cli.showHelp((text) => process.stdout.write(`${text}\n`));
    return;
  }
  try {
    await cli.parseAsync();
  } catch (error) {
    if (error instanceof ToolError) fail(error.message, error.exitCode);
    throw error;
  }
}

await main();
