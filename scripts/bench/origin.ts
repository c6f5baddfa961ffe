// The bench origin: a lean raw-TLS HTTP/1.1 server on 127.0.0.1 with a wildcard certificate, so
// every contender pays the same small cost at the far end. GET /1k answers 1 KiB; GET /1k-close answers
// the same and closes the connection (so no proxy can keep it for the next app connection); GET /bulk/N
// streams N bytes from one preallocated buffer. Connections stay open (keep-alive, no idle timeout).
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface Origin {
  port: number;
  close(): Promise<void>;
}

const KIB = Buffer.alloc(1024, 'x');
const SMALL = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${KIB.length}\r\n\r\n`),
  KIB,
]);
const SMALL_CLOSE = Buffer.concat([
  Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${KIB.length}\r\nConnection: close\r\n\r\n`,
  ),
  KIB,
]);
const BLOCK = Buffer.alloc(1 << 20, 'y');

function notFound(path: string): Buffer {
  const body = `no ${path} here: try /1k, /1k-close or /bulk/BYTES\n`;
  return Buffer.from(
    `HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Writes `bytes` of body in 1 MiB blocks, waiting for 'drain' when the socket's buffer is full. */
function streamBody(socket: TLSSocket, bytes: number, done: () => void): void {
  socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\n\r\n`);
  let left = bytes;
  const pump = () => {
    while (left > 0 && !socket.destroyed) {
      const block = left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
      left -= block.length;
      if (!socket.write(block)) {
        socket.once('drain', pump);
        return;
      }
    }
    done();
  };
  pump();
}

export async function startOrigin(key: string, cert: string): Promise<Origin> {
  const sockets = new Set<TLSSocket>();
  const server = createServer({ key, cert, ALPNProtocols: ['http/1.1'] }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    let streaming = false;
    // Requests carry no body here; each head ends at a blank line. A new head waits for a bulk body.
    const serve = () => {
      while (!streaming) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const path = pending.slice(0, pending.indexOf('\r\n')).split(' ')[1] ?? '/';
        pending = pending.slice(end + 4);
        const bulk = /^\/bulk\/(\d+)$/.exec(path);
        if (path === '/1k') socket.write(SMALL);
        else if (path === '/1k-close') return void socket.end(SMALL_CLOSE);
        else if (bulk) {
          streaming = true;
          streamBody(socket, Number(bulk[1]), () => {
            streaming = false;
            serve();
          });
        } else socket.write(notFound(path));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      serve();
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
