// The answer to a request the HTTP parser rejected (RFC 9110 15.5): 431 for an oversized head, 408
// for one that never completed, 413 for chunk extensions past the limit, 400 for the rest; none
// when the app has gone. Pure.

import type { EventErrorCode } from '../errors.js';

export interface ClientErrorAnswer {
  status: 400 | 408 | 413 | 431;
  reason: string;
  /** The `error` event's code. */
  code: Extract<EventErrorCode, 'BAD_REQUEST' | 'HEADERS_TOO_LARGE' | 'HEADER_TIMEOUT'>;
}

const GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

export function clientErrorAnswer(error: NodeJS.ErrnoException): ClientErrorAnswer | null {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'HEADERS_TOO_LARGE' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'HEADER_TIMEOUT' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'Content Too Large', code: 'BAD_REQUEST' };
    default:
      return error.code && GONE.has(error.code) ? null : { status: 400, reason: 'Bad Request', code: 'BAD_REQUEST' };
  }
}

/** The whole answer on the wire: the status, why, and Connection: close. */
export function clientErrorResponse(answer: Pick<ClientErrorAnswer, 'status' | 'reason'>, why: string): string {
  const body = `tlswitness: ${why}\n`;
  return `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
