// Reading the app's first bytes after the CONNECT answer, to route the tunnel.
import type { Socket } from 'node:net';

/** The first bytes the app sends after the 200, or null if it closes or says nothing in time. */
export function firstChunk(socket: Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = (chunk: Buffer | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(chunk);
    };
    const onData = (chunk: Buffer) => done(chunk);
    const onClose = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}
