#!/usr/bin/env node
// The tlswitness binary: registers the commands that work and maps errors to SPEC exit codes.
// The only place that calls process.exit.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { fileProblem, TlswitnessError } from '../errors.js';
import { EXIT_PROBLEM, EXIT_USAGE } from './exit-codes.js';
import { commandsFor, USAGE } from './command-index.js';
import { TOOL_VERSION } from '../version.js';
import { oneLine } from '../report/terminal-safe.js';
import { redactText } from '../redact/url.js';

function fail(message: string, code: number): never {
  // One line, always: yargs lists invalid choices over several, and a message can quote what a server,
  // a file or the user's own typing said: no terminal controls (shown as \xNN).
  process.stderr.write(`Error: ${oneLine(redactText(message).replace(/\s*[\r\n]+\s*/g, ' '))}\n`);
  process.exit(code);
}

/** Anything that is not a TlswitnessError: still one line, never a stack trace (TLSWITNESS_DEBUG=1 shows it). */
function unexpected(error: unknown): never {
  const errno = error as NodeJS.ErrnoException | undefined;
  // A file that could not be opened deep inside a library: the path and why, as a usage error.
  if (errno?.syscall && errno.path) fail(`${errno.path}: ${fileProblem(error)}`, EXIT_USAGE);
  if (process.env.TLSWITNESS_DEBUG) throw error;
  const text = error instanceof Error ? error.message : String(error);
  fail(
    `${text} (an unexpected failure inside tlswitness: please report it; TLSWITNESS_DEBUG=1 shows where)`,
    EXIT_PROBLEM,
  );
}

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  const cli = yargs(argv)
    .scriptName('tlswitness')
    .usage(USAGE)
    .command(await commandsFor(argv))
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
    unexpected(error);
  }
}

await main();
