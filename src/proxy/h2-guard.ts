// The limits of an app's HTTP/2 session with the proxy: the SETTINGS it is held to, a deadline for its
// first request and for idleness, a bound on streams it resets (the "rapid reset" flood,
// CVE-2023-44487), and an `error` event with GOAWAY for a session that breaks the protocol.
import { constants, type ServerHttp2Session, type ServerSessionOptions } from 'node:http2';
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
    maxHeaderListPairs: 128,
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

/** Watches one app session; returns what the front calls for each stream it opens and each the app resets. */
export function guardSession(
  session: ServerHttp2Session,
  { limits, headerTimeoutMs, label, report }: GuardOptions,
): { opened(): void; closed(resetByApp: boolean): void } {
  let open = 0;
  let requests = 0;
  let resets = 0;
  let windowStart = Date.now();
  let tripped = false;
  const goaway = (code: number) => {
    if (tripped || session.destroyed) return;
    tripped = true;
    // GOAWAY, then a graceful close: destroying at once would drop the GOAWAY still queued on the app's
    // socket (its writes pass through the TLS layer asynchronously). Streams still open get GOAWAY_GRACE_MS.
    session.goaway(code);
    session.close();
    setTimeout(() => session.destroy(), GOAWAY_GRACE_MS).unref();
  };
  // The first request is due within the header deadline of the handshake, however its frames trickle in.
  const first = setTimeout(() => {
    report('HEADER_TIMEOUT', `${label}: no HTTP/2 request within ${headerTimeoutMs} ms of the handshake; closed`);
    goaway(constants.NGHTTP2_NO_ERROR);
  }, headerTimeoutMs);
  first.unref();
  // Idle (no frame for the deadline) with no stream open: closed, as an idle HTTP/1.1 keep-alive connection.
  session.setTimeout(headerTimeoutMs, () => {
    if (open === 0 && requests > 0) session.close();
  });
  session.on('error', (error: NodeJS.ErrnoException) => {
    report('HTTP2_PROTOCOL', `${label}: the app's HTTP/2 broke the protocol (${error.code ?? error.message}); closed`);
    goaway(constants.NGHTTP2_PROTOCOL_ERROR);
  });
  // nghttp2 answers most malformed frames itself (a GOAWAY naming the error) without telling node:http2's
  // JavaScript; the app then closes, or the deadlines above close the session. Only what node:http2 surfaces
  // (a bad connection preface, too many invalid frames or refused streams, a fatal error) is an event.
  session.once('close', () => clearTimeout(first));
  return {
    opened() {
      clearTimeout(first);
      open++;
      requests++;
    },
    closed(resetByApp) {
      open--;
      if (!resetByApp) return;
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        resets = 0;
      }
      if (++resets > limits.maxResetsPerSecond && !tripped) {
        report(
          'HTTP2_PROTOCOL',
          `${label}: the app reset more than ${limits.maxResetsPerSecond} streams in a second (the "rapid reset" flood, CVE-2023-44487); GOAWAY, closed`,
        );
        goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      }
    },
  };
}
