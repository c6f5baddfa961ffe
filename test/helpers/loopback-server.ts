// A test server listening on 127.0.0.1 at a port of the system's choosing, with a close that first ends the
// connections it still holds (a kept-alive one would otherwise hold the close open).
import type { AddressInfo } from 'node:net';

interface TestServer {
  listen(port: number, host: string, listening: () => void): unknown;
  address(): AddressInfo | string | null;
  close(closed: () => void): unknown;
  closeAllConnections(): void;
}

export interface LoopbackServer {
  port: number;
  close(): Promise<void>;
}

export async function onLoopback(server: TestServer): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
