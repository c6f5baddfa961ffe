// Graceful close: counts the HTTP exchanges in flight on each app connection, so a shutdown can
// stop accepting, close idle connections at once and give busy ones a grace period to finish.
import type { ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

export class ExchangeDrain {
  private readonly inFlight = new Map<Socket, number>();
  private drained: (() => void) | null = null;
  draining = false;

  /** One exchange on `socket` (the app's connection) until its response (or HTTP/2 stream) closes. */
  track(socket: Socket, res: ServerResponse | ServerHttp2Stream): void {
    this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
    // Answered while draining: the app is told not to reuse the connection.
    if (this.draining && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
    res.once('close', () => {
      const left = (this.inFlight.get(socket) ?? 1) - 1;
      if (left > 0) {
        this.inFlight.set(socket, left);
        return;
      }
      this.inFlight.delete(socket);
      if (!this.draining) return;
      socket.end();
      if (this.inFlight.size === 0) this.drained?.();
    });
  }

  forget(socket: Socket): void {
    this.inFlight.delete(socket);
    if (this.draining && this.inFlight.size === 0) this.drained?.();
  }

  /** Closes the idle connections among `sockets` now; resolves when the busy ones are done, or after graceMs. */
  async drain(sockets: Iterable<Socket>, graceMs: number): Promise<void> {
    this.draining = true;
    for (const socket of sockets) if (!this.inFlight.has(socket)) socket.destroy();
    if (graceMs <= 0 || this.inFlight.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
