// A WebSocket origin over HTTPS on loopback: `onConnection` gets each upgraded WebSocket and its request;
// `options` are ws's server options (subprotocols, compression).
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';

export interface WebSocketOrigin {
  port: number;
  close(): Promise<void>;
}

export async function startWebSocketOrigin(
  tls: { key: string; cert: string },
  onConnection: (ws: WebSocket, req: IncomingMessage) => void,
  options: Omit<ServerOptions, 'server' | 'port' | 'noServer'> = {},
): Promise<WebSocketOrigin> {
  const server = createHttpsServer(tls);
  const wss = new WebSocketServer({ ...options, server });
  wss.on('connection', onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      // An upgraded socket is no longer the HTTP server's to close.
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
