// How a TLS client handshake ended, in the probe's terms (ProbeResult['error']): the same words whether
// the probe's own connection or a traffic connection was watched, so both make the same record.

export interface HandshakeError {
  code: string;
  message: string;
  afterHandshake: boolean;
}

export function handshakeTimeout(timeoutMs: number): HandshakeError {
  return { code: 'ETIMEDOUT', message: `no TLS handshake within ${timeoutMs} ms`, afterHandshake: false };
}

export function socketError(error: NodeJS.ErrnoException, secure: boolean): HandshakeError {
  return { code: error.code ?? 'EPROTO', message: error.message, afterHandshake: secure };
}

/** Whether a socket error is a TLS alert from the peer (or a reset, a timeout). */
export function isAlert(error: NodeJS.ErrnoException): boolean {
  return /ALERT/i.test(error.code ?? '') || /alert/i.test(error.message);
}

/** The error for a connection the server closed; null when it had answered after the handshake. */
export function closedError(
  secure: boolean,
  answered: boolean,
  asking: { readonly request: string } | null,
): HandshakeError | null {
  if (!secure)
    return {
      code: 'ECONNRESET',
      message: 'the server closed the connection during the handshake',
      afterHandshake: false,
    };
  if (answered) return null;
  const what = asking ? `after ${asking.request} without answering` : 'right after the handshake';
  return { code: 'ECONNRESET', message: `the server closed the connection ${what}`, afterHandshake: true };
}
