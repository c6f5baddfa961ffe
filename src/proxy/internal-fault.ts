// A bug in the proxy's own code met while serving an exchange (a TypeError in the upstream dial, a throw
// in a promise callback), named by the code path it came from: the app gets a 502 and one PROXY_ERROR
// event saying where, instead of a request that never ends or a process that crashes.
import { sameAcrossBundles } from '../cross-bundle.js';

export class InternalFault extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'InternalFault');
  }

  constructor(
    /** The code path that threw, in words ("the upstream dial"). */
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`internal error in ${path} (${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)})`);
    this.name = 'InternalFault';
  }
}

/**
 * Whether an error is a programming error rather than what the network or a peer did: the errors
 * JavaScript itself raises for a bug (TypeError, RangeError, ReferenceError, SyntaxError) or a thrown
 * non-Error. Node's socket and TLS errors are plain Errors with a code and pass through as they are.
 */
export function isProgrammingError(error: unknown): boolean {
  return (
    !(error instanceof Error) ||
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError
  );
}

/** The error as the exchange reports it: a programming error wrapped as an InternalFault of `path`, any other as it is. */
export function asFault(path: string, error: unknown): Error {
  if (error instanceof InternalFault || !isProgrammingError(error)) return error as Error;
  return new InternalFault(path, error);
}
