#!/usr/bin/env node
// The tlswitness binary: registers the commands that work and maps errors to SPEC exit codes.
// The only place that calls process.exit.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { fileProblem, stripUrlAuth, ToolError } from '../errors.js';
import { EXIT_PROBLEM, EXIT_USAGE } from './exit-codes.js';
import { caCommand } from './ca.js';
import { bundleCommand } from './bundle.js';
import { certCommand } from './cert.js';
import { convertCommand } from './convert.js';
import { detectCommand } from './detect.js';
import { doctorCommand } from './doctor.js';
import { evidenceCommand } from './evidence.js';
import { explainCommand } from './explain.js';
import { inspectCommand } from './inspect.js';
import { proxyCommand } from './proxy.js';
import { verifyCommand } from './verify.js';
import { TOOL_VERSION } from '../version.js';

function fail(message: string, code: number): never {
  // One line, always: yargs lists invalid choices over several, and a path may hold a newline. Other
  // control characters (a host name or path the user typed, ESC included) are shown, not sent to the terminal.
  const line = stripUrlAuth(message)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  process.stderr.write(`Error: ${line}\n`);
  process.exit(code);
}

/** Anything that is not a ToolError: still one line, never a stack trace (TLSWITNESS_DEBUG=1 shows it). */
function unexpected(error: unknown): never {
  const errno = error as NodeJS.ErrnoException | undefined;
  // A file that could not be opened deep inside a library: the path and why, as a usage error.
  if (errno?.syscall && errno.path) fail(`${errno.path}: ${fileProblem(error)}`, EXIT_USAGE);
  if (process.env.TLSWITNESS_DEBUG) throw error;
  const text = error instanceof Error ? error.message : String(error);
  fail(`${text} (an unexpected failure inside tlswitness: please report it; TLSWITNESS_DEBUG=1 shows where)`, EXIT_PROBLEM);
}

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  const cli = yargs(argv)
    .scriptName('tlswitness')
    .usage('$0 <command> [options]\n\nRecords TLS handshakes and certificate chains exactly as servers send them, and says what is wrong.')
    .command(proxyCommand)
    .command(inspectCommand)
    .command(detectCommand)
    .command(evidenceCommand)
    .command(explainCommand)
    .command(verifyCommand)
    .command(certCommand)
    .command(convertCommand)
    .command(bundleCommand)
    .command(caCommand)
    .command(doctorCommand)
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
    if (error instanceof ToolError) fail(error.message, error.exitCode);
    unexpected(error);
  }
}

await main();
