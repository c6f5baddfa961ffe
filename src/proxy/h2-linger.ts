// Keeps an app's h2 connection readable for a moment after node:http2 has ended it, so the app gets the
// GOAWAY instead of a TCP reset.
import type { TLSSocket } from 'node:tls';

/** How long the proxy reads and discards what an app still sends after its session ended. */
export const LINGER_MS = 1_000;

/**
 * node:http2 ends the socket of a session it tore down itself (a fatal error: a CONTINUATION or SETTINGS
 * flood) and destroys it on the next turn. With the app's flood still unread in the kernel's buffer, that
 * close sends a TCP reset (RFC 1122 4.2.2.13), and the app's stack drops the GOAWAY it has not read yet.
 * Here a destroy after the end reads and discards until the app closes, or LINGER_MS. Returns the plain
 * destroy, for the proxy's own shutdown.
 */
export function lingerOnDestroy(socket: TLSSocket, lingerMs = LINGER_MS): () => void {
  const destroy = socket.destroy.bind(socket);
  let lingering = false;
  socket.destroy = (error?: Error) => {
    if (lingering || socket.destroyed || !socket.writableEnded) return destroy(error);
    lingering = true;
    socket.on('data', () => undefined);
    socket.once('end', () => destroy());
    socket.resume();
    setTimeout(() => destroy(), lingerMs).unref();
    return socket;
  };
  return () => destroy();
}
