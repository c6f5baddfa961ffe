// How a command line ends: a TlswitnessError's SPEC exit code and one line on stderr, never a stack trace.
// The only place that calls process.exit.
import { fileProblem, TlswitnessError } from '../errors.js';
import { EXIT_PROBLEM, EXIT_USAGE } from './exit-codes.js';
import { oneLine } from '../report/terminal-safe.js';
import { redactText } from '../redact/url.js';

export function fail(message: string, code: number): never {
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

/**
 * Runs a command line to its end: its error as an exit code, or a bounded wait for the event loop. `run` is
 * called inside, so an error it throws before returning a promise (yargs's failed checks do) is mapped too.
 */
export async function finish(run: () => unknown): Promise<void> {
  try {
    await run();
    // After a proxy shutdown, a keep-alive socket somewhere must not hold the process open.
    setTimeout(() => process.exit(), 2000).unref();
  } catch (error) {
    if (error instanceof TlswitnessError) fail(error.message, error.exitCode);
    unexpected(error);
  }
}
