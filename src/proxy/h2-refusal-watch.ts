// The client-certificate watch (client-cert-refusals.ts) on an app's h2 stream forwarded to an h2 origin:
// a refusal status, or the origin's stream reset, GOAWAY or close before any response headers (HTTP/2's
// "close before any answer"). Only attached in sessions whose record is watched.
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { HttpAnswer } from '../types.js';
import type { ClientCertRefusals } from './client-cert-refusals.js';
import { UpstreamTimeoutError } from './exchange-failure.js';
import { rawPairs } from './h2-translate.js';
import type { MitmConnection } from './mitm-session.js';

/** RFC 9113 section 7 error codes, by value, for the summary. */
const H2_ERRORS = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/**
 * Codes that say something else than "no": REFUSED_STREAM (7) means the request was not processed and may
 * be retried (RFC 9113 8.7, a server at its stream limit), ENHANCE_YOUR_CALM (11) is a rate limit, and
 * HTTP_1_1_REQUIRED (13) asks for HTTP/1.1 (what IIS sends when it would renegotiate for a certificate).
 */
const NOT_A_REFUSAL = new Set([7, 11, 13]);

/**
 * How an h2 stream that closed before any response headers ended, as a refusal would, from its close
 * code and error; null when that says nothing of a refusal. node:http2 reports an RST_STREAM as
 * ERR_HTTP2_STREAM_ERROR (none for NO_ERROR and CANCEL), a GOAWAY with an error as ERR_HTTP2_SESSION_ERROR,
 * and a session or connection that closed as code NO_ERROR or CANCEL with no error; pure.
 */
export function h2Unanswered(
  rstCode: number | undefined,
  error: { code?: string; message: string } | null,
  /** The stream's session ended with it (a GOAWAY, the connection's close), rather than the stream alone. */
  sessionEnded: boolean,
): { end: HttpAnswer['end']; detail: string } | null {
  if (error && /alert/i.test(`${error.code ?? ''} ${error.message}`)) return { end: 'alert', detail: error.message };
  const code = rstCode ?? 0;
  if (NOT_A_REFUSAL.has(code)) return null;
  const named = H2_ERRORS[code] ?? String(code);
  if (error?.code === 'ERR_HTTP2_STREAM_ERROR') return { end: 'reset', detail: `HTTP/2 RST_STREAM ${named}` };
  if (error?.code === 'ERR_HTTP2_SESSION_ERROR') return { end: 'closed', detail: `HTTP/2 GOAWAY ${named}` };
  if (error) return /ECONNRESET|EPIPE/.test(`${error.code ?? ''}`) ? { end: 'reset', detail: error.message } : null;
  return sessionEnded
    ? { end: 'closed', detail: 'its HTTP/2 session ended' }
    : { end: 'reset', detail: `HTTP/2 RST_STREAM ${named}` };
}

/**
 * Origin sessions that have answered a stream. One of them that ends with a stream unanswered is as a pooled
 * HTTP/1.1 connection the origin closed while idle, met by the next request (ClientCertRefusals.failed's
 * reusedSocket): it says nothing of a refusal.
 */
const answeredOn = new WeakSet<ClientHttp2Session>();

/**
 * Watches one forwarded stream: `up` towards the origin on `session`, `app` the app's. A stream the app reset, or that
 * the proxy ended (its silence limit), is not the origin's answer.
 */
export function watchH2Refusal(
  refusals: ClientCertRefusals,
  connection: MitmConnection,
  method: string,
  app: ServerHttp2Stream,
  up: ClientHttp2Stream,
  session: ClientHttp2Session,
): void {
  let answered = false;
  let appLeft = false;
  let closed = false;
  let error: (Error & { code?: string }) | null = null;
  // The app's stream closing first means it left (its close reaches `up` as CANCEL, on a later turn).
  app.once('close', () => (appLeft = !closed));
  up.once('error', (failure: Error) => (error = failure));
  up.once('response', (headers: IncomingHttpHeaders) => {
    answered = true;
    answeredOn.add(session);
    refusals.status(connection, method, Number(headers[':status']), rawPairs(headers), up);
  });
  up.once('close', () => {
    closed = true;
    if (answered || appLeft || error instanceof UpstreamTimeoutError) return;
    // A closed stream no longer names its session: the one it was opened on is asked.
    const sessionEnded = session.destroyed || session.closed;
    if (sessionEnded && answeredOn.has(session)) return;
    const how = h2Unanswered(up.rstCode, error, sessionEnded);
    if (how) refusals.unanswered(connection, method, how.end, how.detail);
  });
}
