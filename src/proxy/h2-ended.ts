// Whether nghttp2 has ended an app's h2 session on its own. It answers most malformed frames (a bad frame
// size, a broken HPACK block, a flood) with a GOAWAY naming the error and then stops reading and writing,
// without telling node:http2's JavaScript: no 'error', no 'close'. A PING it will never send shows it.
import type { Http2Session } from 'node:http2';

/** How long a live session has to answer the probe's PING (on loopback the app answers in well under 1 ms). */
const PROBE_MS = 100;

/** Resolves true when the session no longer sends: the probe's PING stays in nghttp2's outbound queue. */
export function endedByNghttp2(session: Http2Session): Promise<boolean> {
  if (session.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(!session.destroyed && (session.state.outboundQueueSize ?? 0) > 0), PROBE_MS);
    const answered = (error: Error | null) => {
      if (error) return;
      clearTimeout(timer);
      resolve(false);
    };
    try {
      // Throws when too many PINGs are outstanding: the session is not answering, the timer decides.
      session.ping(answered);
    } catch {
      return;
    }
  });
}
