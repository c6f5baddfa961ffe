#!/usr/bin/env node
// The tlswitness binary: registers the commands that work and maps errors to SPEC exit codes.
// The only place that calls process.exit.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { stripUrlAuth, TlswitnessError } from '../errors.js';
import { EXIT_USAGE } from './exit-codes.js';
import { COMMANDS, USAGE } from './commands.js';
import { TOOL_VERSION } from '../version.js';
import { oneLine } from '../report/terminal-safe.js';

function fail(message: string, code: number): never {
  // Messages can quote what a server or a file said: one line, no terminal controls.
  process.stderr.write(`Error: ${oneLine(stripUrlAuth(message))}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  const cli = yargs(argv)
    .scriptName('tlswitness')
    .usage(USAGE)
    .command([...COMMANDS])
    .version(TOOL_VERSION)
    .strict()
    .recommendCommands()
    .wrap(process.stdout.isTTY ? Math.min(100, process.stdout.columns) : null)
    .fail((message, error) => {
      if (error) throw error;
      fail(`${message} (see tlswitness --help)`, EXIT_USAGE);
    });
  try {
    await cli.parseAsync();
    // After a proxy shutdown, a keep-alive socket somewhere must not hold the process open.
    setTimeout(() => process.exit(), 2000).unref();
  } catch (error) {
    if (error instanceof TlswitnessError) fail(error.message, error.exitCode);
    throw error;
  }
}

await main();
