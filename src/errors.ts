// The one error vocabulary: every code a thrown error or an `error` event carries, and the one error class.
import { sameAcrossBundles } from './cross-bundle.js';

/**
 * The `code` of the proxy's `error` events (docs/record.md#error, docs/schema/events.schema.json). A published
 * contract: codes are added, never renamed. The proxy answers a request it could not serve with the same code in
 * its X-Tlswitness-Error header.
 */
export const EVENT_ERROR_CODES = [
  'BAD_REQUEST',
  'BAD_CONNECT',
  'HEADERS_TOO_LARGE',
  'HEADER_TIMEOUT',
  'BODY_TIMEOUT',
  'LOOP',
  'BAD_SNI',
  'CLIENT_TLS_MALFORMED',
  'CLIENT_TLS_ABORTED',
  'CLIENT_TLS_TIMEOUT',
  'CLIENT_TLS_INCOMPATIBLE',
  'CLIENT_TLS_ALERT',
  'CLIENT_ABORTED',
  'UPSTREAM_DNS',
  'UPSTREAM_REFUSED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RESET',
  'UPSTREAM_PROXY',
  'UPSTREAM_TLS',
  'UPSTREAM_HTTP',
  'CONNECT_FAILED',
  'TUNNEL_FAILED',
  'RECORD_FAILED',
  'MINT_FAILED',
  'VERIFIER_DISAGREEMENT',
  'EVIDENCE_FAILED',
  'PROXY_ERROR',
  'HTTP2_PROTOCOL',
] as const;

export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

/** What stops a command before it can do its work: bad usage or unusable input (SPEC: exit 2). */
export const USAGE_ERROR_CODES = [
  'bad-usage',
  'bad-target',
  'bad-resolve',
  'unreadable-file',
  'not-certificates',
  'bad-proxy-url',
] as const;

export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

/**
 * `failure.code` of a handshake record whose upstream proxy answered CONNECT with something other than a tunnel,
 * in the errno style of the other failure codes (Node's ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ...), none of which
 * names these. Published as they are; their `error` event is UPSTREAM_PROXY (proxy/exchange-failure.ts).
 * EPROXYAUTH: 407; EPROXY<status>: another status; EPROXYPROTO: not HTTP; EPROXYHEAD: an answer head over 64 KiB;
 * EPROXYREQUEST: the CONNECT request could not be sent (node:http refused it and gave no code of its own).
 */
export type ProxyFailureCode = 'EPROXYAUTH' | `EPROXY${number}` | 'EPROXYPROTO' | 'EPROXYHEAD' | 'EPROXYREQUEST';

/** Every code tlswitness gives an error: events are SCREAMING_SNAKE (as published), usage errors kebab-case. */
export type ErrorCode = EventErrorCode | UsageErrorCode;

// SPEC exit codes for an error that ends a command: 2 bad usage or input, 3 could not connect, 1 anything else.
const EXIT_FOR: Record<ErrorCode, number> = {
  'bad-usage': 2,
  'bad-target': 2,
  'bad-resolve': 2,
  'unreadable-file': 2,
  'not-certificates': 2,
  'bad-proxy-url': 2,
  BAD_REQUEST: 1,
  BAD_CONNECT: 1,
  HEADERS_TOO_LARGE: 1,
  HEADER_TIMEOUT: 1,
  BODY_TIMEOUT: 1,
  LOOP: 1,
  BAD_SNI: 1,
  CLIENT_TLS_MALFORMED: 1,
  CLIENT_TLS_ABORTED: 1,
  CLIENT_TLS_TIMEOUT: 1,
  CLIENT_TLS_INCOMPATIBLE: 1,
  CLIENT_TLS_ALERT: 1,
  CLIENT_ABORTED: 1,
  UPSTREAM_DNS: 3,
  UPSTREAM_REFUSED: 3,
  UPSTREAM_TIMEOUT: 3,
  UPSTREAM_RESET: 1,
  UPSTREAM_PROXY: 3,
  UPSTREAM_TLS: 1,
  UPSTREAM_HTTP: 1,
  CONNECT_FAILED: 3,
  TUNNEL_FAILED: 1,
  RECORD_FAILED: 1,
  MINT_FAILED: 1,
  VERIFIER_DISAGREEMENT: 1,
  EVIDENCE_FAILED: 1,
  PROXY_ERROR: 1,
  HTTP2_PROTOCOL: 1,
};

/** The one error class: a stable code, a one-line message for the user, the cause kept beside it. */
export class TlswitnessError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'TlswitnessError');
  }

  readonly code: ErrorCode;
  /** The SPEC exit code when this error ends a command (exit.ts). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlswitnessError';
    this.code = code;
    this.exitCode = EXIT_FOR[code];
  }
}

/** A file error in the user's words: what is wrong with the path, not the errno. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
