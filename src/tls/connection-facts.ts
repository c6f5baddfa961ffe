// What a finished TLS client connection shows of OpenSSL's own verification, read off the socket
// once: inspect's probe and the proxy's upstream connections both judge it with opensslVerdict.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { nodeIdentityCheck } from '../trust/identity-check.js';
import type { ConnectionFacts } from '../trust/openssl-verdict.js';

/** OpenSSL's text for the verify error (authorizationError keeps only Node's code, UNSPECIFIED for many). */
function verifyMessage(socket: TLSSocket): string | null {
  try {
    return (
      (socket as unknown as { _handle?: { verifyError?(): Error | null } })._handle?.verifyError?.()?.message ?? null
    );
  } catch {
    return null;
  }
}

/**
 * @param name the name the client will believe (checked as tls.connect checks it); null checks none
 * @param peer the peer certificate, read once by the caller (a second read can come back empty on Node 20)
 */
export function connectionFacts(socket: TLSSocket, name: string | null, peer: PeerCertificate | null): ConnectionFacts {
  return {
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    verifyMessage: socket.authorized ? null : verifyMessage(socket),
    identityError:
      name === null
        ? null
        : peer
          ? (nodeIdentityCheck(name, peer) ?? null)
          : { message: 'the server sent no certificate' },
  };
}
