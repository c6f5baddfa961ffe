// Whether a request body still arriving is coming fast enough to keep waiting for; pure.
//
// Two rules, both as servers apply them:
// - Stall: no new byte for the deadline. nginx's client_body_timeout is "a period between two
//   successive read operations, not for the transmission of the whole request body" (408 when it runs out).
//   The proxy sees progress when it looks (every deadline at most), so a stall is cut between one and
//   two deadlines after its last byte.
// - Rate: after the deadline, the body must keep an average of MIN_BODY_RATE bytes per second, as
//   Apache's mod_reqtimeout does by default (`body=20,MinRate=500`: "1 second for every 500 bytes
//   received"). Without it, a sender of one byte just inside every stall deadline would hold the
//   request, and the upstream connection under it, for ever.

/** Bytes per second a body must average once its first deadline has passed (Apache's default MinRate). */
export const MIN_BODY_RATE = 500;

export interface BodyCheck {
  /** Since the request head was complete (ms); time the proxy itself held the body back is not counted. */
  elapsedMs: number;
  /** Body bytes received in that time. */
  received: number;
  /** Since a byte was last seen arriving (ms). */
  idleMs: number;
}

export type BodyVerdict = { cut: 'stalled' | 'too-slow' } | { checkAgainInMs: number };

export function judgeBody(check: BodyCheck, deadlineMs: number, minRate = MIN_BODY_RATE): BodyVerdict {
  if (check.idleMs >= deadlineMs) return { cut: 'stalled' };
  const allowedMs = deadlineMs + (check.received / minRate) * 1000;
  if (check.elapsedMs >= allowedMs) return { cut: 'too-slow' };
  return { checkAgainInMs: Math.max(1, Math.min(deadlineMs - check.idleMs, allowedMs - check.elapsedMs)) };
}
