// The one error class: a stable code, a user-facing one-line message and the exit code it maps to.

export type ToolErrorCode =
  | 'bad-usage'
  | 'bad-target'
  | 'bad-resolve'
  | 'unreadable-file'
  | 'not-certificates'
  | 'bad-proxy-url';

const EXIT_FOR: Record<ToolErrorCode, number> = {
  'bad-usage': 2,
  'bad-target': 2,
  'bad-resolve': 2,
  'unreadable-file': 2,
  'not-certificates': 2,
  'bad-proxy-url': 2,
};

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly exitCode: number;

  constructor(code: ToolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.code = code;
    this.exitCode = EXIT_FOR[code];
  }
}

/**
 * No secret of a URL reaches a message or a record: user:pass@ and secret query values of every URL in
 * the text (redact/url.ts). The name is older than the query rule.
 */
export { redactText as stripUrlAuth } from './redact/url.js';
