// A link with round trips for the bench: a userspace TCP relay on its own loopback address that
// holds every chunk `delayMs` in each direction before passing it on, in order (RTT = 2 × delayMs),
// and opens each connection one RTT late, as a TCP handshake over that link would.
// Used where `tc qdisc ... netem delay` is not available (this kernel has no netem module).
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DelayRelay {
  /** Where clients connect: `address`:`port`. */
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface RelayOptions {
  /** The loopback address to listen on (127.0.0.2: a host of its own, apart from the origin's 127.0.0.1). */
  address: string;
  targetHost: string;
  targetPort: number;
  /** One-way delay; each direction holds every chunk this long. */
  delayMs: number;
}

/**
 * One direction: chunks (and the end) leave `delayMs` after they arrived, first in first out. The
 * delay is the same for all, so a FIFO with one timer keeps both order and timing. The reader is
 * paused while the writer is full, so bulk transfers keep bounded memory.
 */
function delayedPipe(from: Socket, to: Socket, delayMs: number, openAt = 0): void {
  const queue: { due: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length && queue[0]!.due <= now) {
      const { chunk } = queue.shift()!;
      if (chunk === null) {
        to.end();
        return;
      }
      if (!to.write(chunk) && !from.isPaused()) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    }
    schedule();
  };
  const schedule = () => {
    if (timer || !queue.length) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.due - performance.now()));
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ due: Math.max(performance.now(), openAt) + delayMs, chunk });
    schedule();
  });
  from.on('end', () => {
    queue.push({ due: Math.max(performance.now(), openAt) + delayMs, chunk: null });
    schedule();
  });
  from.on('close', () => {
    // A reset (not a clean end) is passed on at once: there is nothing left worth delivering.
    if (from.errored || (from.destroyed && !from.readableEnded)) {
      if (timer) clearTimeout(timer);
      queue.length = 0;
      to.destroy();
    }
  });
}

export async function startDelayRelay(options: RelayOptions): Promise<DelayRelay> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    client.setNoDelay(true);
    // The kernel completed the client's TCP handshake on loopback at once; on a real link it takes
    // one round trip before the client may send. So the client's bytes count as sent no earlier
    // than one RTT after the accept, and then travel their one-way delay like any other.
    const openAt = performance.now() + 2 * options.delayMs;
    const upstream = connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true });
    track(upstream);
    upstream.setNoDelay(true);
    delayedPipe(client, upstream, options.delayMs, openAt);
    delayedPipe(upstream, client, options.delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.address, () => resolve());
  });
  return {
    address: options.address,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
