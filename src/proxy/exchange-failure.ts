// What went wrong in one forwarded exchange, from http-mitm-proxy's error kind and the error, and
// what the app gets: 504 when the upstream (or the upstream proxy) did not answer in time, 502 with
// the diagnosis when it could not be reached or broke the exchange, a cut connection when the
// response was already under way (never a cut-off body that looks complete), nothing when the app
// itself left. Pure.
import type { EventErrorCode } from '../errors.js';
import { ConnectError } from '../net/connector.js';
import { sameAcrossBundles } from '../cross-bundle.js';
import { InternalFault } from './internal-fault.js';
import { OriginHttpError } from './origin-http-error.js';

export type ExchangeFailureCode = Extract<
  EventErrorCode,
  | 'UPSTREAM_DNS'
  | 'UPSTREAM_REFUSED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_PROXY'
  | 'UPSTREAM_TLS'
  | 'UPSTREAM_HTTP'
  | 'UPSTREAM_RESET'
  | 'CLIENT_ABORTED'
  | 'LOOP'
  | 'PROXY_ERROR'
>;

export interface ExchangeFailure {
  code: ExchangeFailureCode;
  /** One line: what happened and, where there is one, what to do. */
  message: string;
  /** The answer when no response has started yet; null when the app has gone. */
  status: 502 | 504 | 508 | null;
}

/** Raised by the proxy's agents when an upstream stays silent past the response timeout. */
export class UpstreamTimeoutError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'UpstreamTimeoutError');
  }

  readonly code = 'ETIMEDOUT';

  constructor(target: string, ms: number) {
    super(`${target} accepted the connection but sent nothing for ${ms} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

/** Raised by the plain agent when a name turns out to resolve to the proxy itself (RFC 5842 7.2: 508). */
export class LoopError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'LoopError');
  }

  constructor(target: string, address: string) {
    super(`${target} resolves to ${address}, which is this proxy itself: refused, it would loop`);
    this.name = 'LoopError';
  }
}

const CLIENT_SIDE = new Set([
  'CLIENT_TO_PROXY_REQUEST_ERROR',
  'PROXY_TO_CLIENT_RESPONSE_ERROR',
  'CLIENT_TO_PROXY_SOCKET_ERROR',
]);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function exchangeFailure(kind: string, error: unknown, target: string): ExchangeFailure {
  const err = (error ?? {}) as NodeJS.ErrnoException;
  const text = String(err.message ?? error);
  if (CLIENT_SIDE.has(kind))
    return {
      code: 'CLIENT_ABORTED',
      message: `the app left the exchange with ${target} early (${err.code ?? text})`,
      status: null,
    };
  // A bug of the proxy's own: said as such, not passed off as the upstream's TLS (internal-fault.ts).
  if (error instanceof InternalFault)
    return { code: 'PROXY_ERROR', message: `${target}: ${text}; please report it`, status: 502 };
  if (error instanceof LoopError) return { code: 'LOOP', message: text, status: 508 };
  if (error instanceof UpstreamTimeoutError)
    return {
      code: 'UPSTREAM_TIMEOUT',
      message: `${text}: the server is overloaded or hung; try again, or ask its owner`,
      status: 504,
    };
  if (error instanceof ConnectError) {
    const { failure } = error;
    const timedOut = failure.code === 'ETIMEDOUT';
    if (failure.step === 'proxy')
      return { code: 'UPSTREAM_PROXY', message: failure.message, status: timedOut ? 504 : 502 };
    if (failure.step === 'dns')
      return {
        code: timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_DNS',
        message: failure.message,
        status: timedOut ? 504 : 502,
      };
    if (timedOut) return { code: 'UPSTREAM_TIMEOUT', message: failure.message, status: 504 };
    return {
      code: 'UPSTREAM_REFUSED',
      message: `${failure.message}: is the server running, and is ${target} the right port?`,
      status: 502,
    };
  }
  // An answer that is not HTTP the app's side can carry: the server's fault, not its TLS and not a reset.
  if (error instanceof OriginHttpError || /^HPE_/.test(String(err.code ?? '')))
    return {
      code: 'UPSTREAM_HTTP',
      message: `${target} answered with something that is not valid HTTP (${text}): a fault of the server's, to report to its owner`,
      status: 502,
    };
  if (kind === 'SERVER_TO_PROXY_RESPONSE_ERROR' || (err.code && RESET.has(err.code)) || /socket hang up/i.test(text)) {
    return {
      code: 'UPSTREAM_RESET',
      message: `${target} closed the connection in the middle of the exchange (${err.code ?? text}); the app's response was cut off`,
      status: 502,
    };
  }
  if (kind === 'PROXY_TO_SERVER_REQUEST_ERROR')
    return { code: 'UPSTREAM_TLS', message: `${target}: ${text}`, status: 502 };
  return { code: 'PROXY_ERROR', message: `${kind}: ${text}`, status: 502 };
}
