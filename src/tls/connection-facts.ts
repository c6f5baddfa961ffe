// What a finished TLS client connection shows of OpenSSL's own verification, read off the socket
// once: inspect's probe and the proxy's upstream connections both judge it with opensslVerdict.
import net from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { ipFamily } from '../ip.js';
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
 * Node's checkServerIdentity, with node:net's isIP answered by ipFamily (the same answer for every string). Node's
 * asks net.isIP, whose IPv6 expression tls.connect has already run once for the servername: V8 compiles a regular
 * expression to machine code on its second run, ~1.5 ms for this very large one, once per process (inspect's
 * whole run). The swap lasts for this synchronous call only.
 */
export function nodeIdentityCheck(name: string, peer: PeerCertificate): Error | undefined {
  const isIP = net.isIP;
  net.isIP = ipFamily;
  try {
    return checkServerIdentity(name, peer);
  } finally {
    net.isIP = isIP;
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
