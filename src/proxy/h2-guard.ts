// The limits of an app's HTTP/2 session with the proxy: the SETTINGS it is held to, a deadline for each
// request's headers and for idleness, a bound on streams it resets (the "rapid reset" flood,
// CVE-2023-44487), and an `error` event with GOAWAY for a session that breaks the protocol.
import { constants, type ServerHttp2Session, type ServerSessionOptions } from 'node:http2';
import type { EventErrorCode } from '../errors.js';
import { endedByNghttp2 } from './h2-ended.js';
import type { Report } from './request-heads.js';

/** What an app's h2 session may do; defaults in H2_LIMITS. */
export interface H2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS: node:http2's default is 2^32-1, i.e. no bound at all. */
  maxConcurrentStreams: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 6.5.2: names, values and 32 bytes per field). */
  maxHeaderListSize: number;
  /** Streams the app may reset within one second before its session is closed. */
  maxResetsPerSecond: number;
}

export const H2_LIMITS: H2Limits = {
  // 100: the value RFC 9113 6.5.2 recommends as the least a peer should allow, and nginx's default.
  maxConcurrentStreams: 100,
  // The HTTP/1.1 head limit (16 KiB) plus the 32 bytes per field h2 counts, for 64 fields.
  maxHeaderListSize: 16 * 1024 + 64 * 32,
  // Twice a full set of concurrent streams a second: a real client cancelling its page loads stays far under it.
  maxResetsPerSecond: 200,
};

/** Header fields in one request (node:http2's default is also 128). */
const MAX_HEADER_PAIRS = 128;

/** How long streams still open after the proxy's GOAWAY may take before the session is cut. */
const GOAWAY_GRACE_MS = 1_000;

/** node:http2 options for the app's session. */
export function sessionOptions(limits: H2Limits): ServerSessionOptions {
  return {
    settings: {
      maxConcurrentStreams: limits.maxConcurrentStreams,
      maxHeaderListSize: limits.maxHeaderListSize,
      enablePush: false,
    },
    maxHeaderListPairs: MAX_HEADER_PAIRS,
    // Frames node:http2 rejects, and streams it refuses, before it closes the session (defaults 1000 and 100).
    maxSessionInvalidFrames: 100,
    maxSessionRejectedStreams: 100,
  };
}

export interface GuardOptions {
  limits: H2Limits;
  /** From the handshake to the first request, and between requests when no stream is open. */
  headerTimeoutMs: number;
  /** "MITM host:port", for messages. */
  label: string;
  report: Report;
}

interface SessionCloser {
  /** An event was published for this session, or the proxy sent its GOAWAY: one of each at most. */
  readonly tripped: boolean;
  fail(code: EventErrorCode, message: string, goawayCode: number): void;
}

// One event, then GOAWAY and a graceful close: destroying at once would drop the GOAWAY still queued on
// the app's socket (its writes pass through the TLS layer asynchronously), and a graceful close reads and
// discards what the app still sends instead of resetting the connection. Open streams get GOAWAY_GRACE_MS.
function sessionCloser(session: ServerHttp2Session, label: string, report: Report): SessionCloser {
  let tripped = false;
  return {
    get tripped() {
      return tripped;
    },
    fail(code, message, goawayCode) {
      if (tripped) return;
      tripped = true;
      report(code, `${label}: ${message}; closed`);
      // node:http2 emits 'error' from its own destroy: nothing left to close.
      if (session.destroyed) return;
      session.goaway(goawayCode);
      session.close();
      setTimeout(() => session.destroy(), GOAWAY_GRACE_MS).unref();
    },
  };
}

/** Watches one app session; returns what the front calls for each stream it opens and each the app resets. */
export function guardSession(
  session: ServerHttp2Session,
  { limits, headerTimeoutMs, label, report }: GuardOptions,
): { opened(id: number): void; closed(resetByApp: boolean): void } {
  let open = 0;
  let requests = 0;
  const overResetBound = resetCounter(limits.maxResetsPerSecond);
  /** The id the app's next stream should have (RFC 9113 5.1.1: odd, increasing); a larger one skipped refused streams. */
  let nextId = 1;
  const refused = refusalReporter(label, limits, report);
  const closer = sessionCloser(session, label, report);
  const fail = closer.fail;
  const endedByNode = async (): Promise<boolean> => {
    if (!(await endedByNghttp2(session))) return false;
    // nghttp2's GOAWAY names the error for the app; node:http2 does not pass its code on.
    fail('HTTP2_PROTOCOL', ENDED_BY_NGHTTP2, constants.NGHTTP2_PROTOCOL_ERROR);
    return true;
  };
  // Each request is due within the header deadline: from the handshake, and from the moment no stream is
  // open, however its frames trickle in. Past it: a malformed frame nghttp2 answered on its own, a header
  // block left unfinished, no request at all, or (after a request) an idle session, closed without an event.
  let deadline: NodeJS.Timeout | undefined;
  const expire = async () => {
    if (closer.tripped || session.destroyed || (await endedByNode()) || open > 0 || session.destroyed) return;
    const pending = session.state.lastProcStreamID ?? 0;
    if (pending >= nextId)
      fail(
        'HEADER_TIMEOUT',
        `the header block of stream ${pending} was not complete within ${headerTimeoutMs} ms (or node:http2 refused that stream)`,
        constants.NGHTTP2_NO_ERROR,
      );
    else if (requests === 0)
      fail(
        'HEADER_TIMEOUT',
        `no HTTP/2 request within ${headerTimeoutMs} ms of the handshake`,
        constants.NGHTTP2_NO_ERROR,
      );
    else session.close();
  };
  const arm = () => {
    clearTimeout(deadline);
    deadline = setTimeout(() => void expire(), headerTimeoutMs);
    deadline.unref();
  };
  arm();
  // A session with streams open that sends nothing for the deadline: nghttp2 may have ended it mid-stream.
  session.setTimeout(headerTimeoutMs, () => {
    if (open > 0 && !closer.tripped) void endedByNode();
  });
  session.on('error', (error: NodeJS.ErrnoException) =>
    fail(
      'HTTP2_PROTOCOL',
      `the app's HTTP/2 broke the protocol (${error.code ?? error.message})`,
      constants.NGHTTP2_PROTOCOL_ERROR,
    ),
  );
  session.once('close', () => clearTimeout(deadline));
  return {
    opened(id) {
      clearTimeout(deadline);
      if (id > nextId && !closer.tripped) refused(nextId, id);
      nextId = Math.max(nextId, id + 2);
      open++;
      requests++;
    },
    closed(resetByApp) {
      if (--open === 0) arm();
      if (!resetByApp) return;
      if (overResetBound(Date.now()))
        fail(
          'HTTP2_PROTOCOL',
          `the app reset more than ${limits.maxResetsPerSecond} streams in a second (the "rapid reset" flood, CVE-2023-44487); GOAWAY`,
          constants.NGHTTP2_ENHANCE_YOUR_CALM,
        );
    },
  };
}

/** Streams node:http2 refused before they reached the proxy show as a gap in the app's stream ids: one event per session. */
function refusalReporter(label: string, limits: H2Limits, report: Report): (expected: number, id: number) => void {
  let reported = false;
  return (expected, id) => {
    if (reported) return;
    reported = true;
    const ids = id - 2 === expected ? `stream ${expected}` : `streams ${expected} to ${id - 2}`;
    report(
      'HTTP2_PROTOCOL',
      `${label}: node:http2 refused ${ids} before a request reached the proxy (a header list over ${limits.maxHeaderListSize} bytes or ${MAX_HEADER_PAIRS} fields, more than ${limits.maxConcurrentStreams} streams at once, or a malformed header block); the session goes on`,
    );
  };
}

/** Counts the streams the app resets; true once more than `limit` fell within one second. */
function resetCounter(limit: number): (now: number) => boolean {
  let resets = 0;
  let windowStart = -Infinity;
  return (now) => {
    if (now - windowStart >= 1000) {
      windowStart = now;
      resets = 0;
    }
    return ++resets > limit;
  };
}

const ENDED_BY_NGHTTP2 =
  "the app's HTTP/2 broke the protocol: node:http2 answered a malformed frame or a flood with GOAWAY (a connection error, RFC 9113 5.4.1)";
