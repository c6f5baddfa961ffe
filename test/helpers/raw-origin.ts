// An origin that answers each request head with raw bytes of the test's choosing (fields spelled as an
// attacker or a broken server would), over TLS when given a key; it counts its connections.
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface RawAnswer {
  bytes: string;
  /** Close the connection after it (what ends a body without a length). */
  close?: boolean;
}

export interface RawOrigin {
  port: number;
  state: { connections: number };
  close(): Promise<void>;
}

/** `answer` gets each request's target (from its request line) and how many heads came before it, on any connection. */
export async function startRawOrigin(
  answer: (target: string, served: number) => RawAnswer,
  tls?: { key: string; cert: string },
): Promise<RawOrigin> {
  let served = 0;
  const state = { connections: 0 };
  const onSocket = (socket: Socket) => {
    state.connections += 1;
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      for (let end = head.indexOf('\r\n\r\n'); end >= 0; end = head.indexOf('\r\n\r\n')) {
        const target = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '';
        head = head.slice(end + 4);
        const { bytes, close } = answer(target, served++);
        socket.write(Buffer.from(bytes, 'latin1'));
        if (close) socket.end();
      }
    });
  };
  const server = tls ? createTlsServer(tls, onSocket) : createNetServer(onSocket);
  const sockets = new Set<Socket>();
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The answers in order, one per request head; a 500 once they run out. */
export function inOrder(answers: string[]): (target: string, served: number) => RawAnswer {
  return (_target, served) => ({ bytes: answers[served] ?? 'HTTP/1.1 500 No More\r\nContent-Length: 0\r\n\r\n' });
}
