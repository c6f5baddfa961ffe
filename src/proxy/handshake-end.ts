// How an upstream TLS handshake ended: at secureConnect, in an error, or at its time limit.
import type { TLSSocket } from 'node:tls';
import type { HandshakeEnd } from '../tls/traffic-tap.js';

/** Resolves null at secureConnect, or with how the handshake failed (the socket then destroyed). */
export function handshakeEnd(socket: TLSSocket, timeoutMs: number): Promise<HandshakeEnd | null> {
  return new Promise((resolve) => {
    const done = (end: HandshakeEnd | null) => {
      clearTimeout(deadline);
      socket.off('error', failed);
      if (end) socket.destroy();
      resolve(end);
    };
    const failed = (error: NodeJS.ErrnoException) => done({ error });
    const deadline = setTimeout(() => done({ timeoutMs }), timeoutMs);
    socket.once('error', failed);
    socket.once('secureConnect', () => done(null));
  });
}
