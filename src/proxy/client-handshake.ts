// Why an app's TLS handshake with the proxy ended before it completed; pure. Only an app that had
// the proxy's certificate in hand can have rejected it: an alert about a certificate says so
// (high), a silent close after the proxy's flight suggests it (medium, as Node and Go clients
// close without an alert). Bytes OpenSSL cannot parse, other alerts, a close before the proxy
// spoke and a stall are the app's malformed or broken TLS, reported as errors.

import type { EventErrorCode } from '../errors.js';

export interface HandshakeEnd {
  /** OpenSSL's message when the handshake failed with an error; null for a plain close. */
  error: string | null;
  /** The proxy had sent its first flight (ServerHello, certificate) before the end. */
  flightSent: boolean;
  /** The handshake deadline cut it. */
  timedOut: boolean;
}

export type HandshakeVerdict =
  | { kind: 'rejection'; confidence: 'high' | 'medium'; reason: string }
  | { kind: 'error'; code: Extract<EventErrorCode, `CLIENT_TLS_${string}`>; reason: string };

// RFC 8446 6.2: the alerts a client sends about the server's certificate.
const CERTIFICATE_ALERT =
  /alert (unknown ca|bad certificate|certificate unknown|certificate revoked|certificate expired|unsupported certificate|access denied)/i;
// OpenSSL's server-side reasons for a well-formed offer it cannot meet.
const INCOMPATIBLE =
  /no shared cipher|unsupported protocol|version too low|no suitable signature algorithm|no shared signature algorithms|no protocols available/i;

export function classifyHandshakeEnd(end: HandshakeEnd, timeoutMs: number): HandshakeVerdict {
  if (end.timedOut)
    return {
      kind: 'error',
      code: 'CLIENT_TLS_TIMEOUT',
      reason: `the app started a TLS handshake and did not finish it within ${timeoutMs} ms; connection closed`,
    };
  if (end.error) {
    const message = end.error
      .split('\n')[0]!
      .replace(/^.*?:error:[0-9A-F]+:SSL routines:[^:]*:/, '')
      .replace(/:\.\.\/deps\/.*$/, '');
    if (CERTIFICATE_ALERT.test(end.error))
      return {
        kind: 'rejection',
        confidence: 'high',
        reason: `the app ended the TLS handshake with the proxy: ${message}`,
      };
    if (INCOMPATIBLE.test(end.error))
      return {
        kind: 'error',
        code: 'CLIENT_TLS_INCOMPATIBLE',
        reason: `the app's TLS offer has nothing in common with the proxy's (${message}): is the app limited to an old protocol or cipher?`,
      };
    if (/alert/i.test(end.error))
      return {
        kind: 'error',
        code: 'CLIENT_TLS_ALERT',
        reason: `the app ended the TLS handshake with an alert that is not about the certificate (${message})`,
      };
    return {
      kind: 'error',
      code: 'CLIENT_TLS_MALFORMED',
      reason: `the app sent bytes that are not valid TLS (${message}); connection closed`,
    };
  }
  if (end.flightSent)
    return {
      kind: 'rejection',
      confidence: 'medium',
      reason: 'the app closed the connection during the TLS handshake with the proxy, without an alert',
    };
  return {
    kind: 'error',
    code: 'CLIENT_TLS_ABORTED',
    reason: 'the app closed the connection before its ClientHello was complete',
  };
}
