// Relays a CONNECT untouched to its target (through the upstream proxy when there is one).
import type { Socket } from 'node:net';
import { errorEvent, type EventBus } from '../events.js';
import { openConnection } from '../net/connector.js';
import { formatHostPort } from '../host-port.js';
import type { UpstreamOptions } from './upstream-agent.js';
import type { HostPort } from '../types.js';
import { relayCollector } from './young-collector.js';

const countRelayed = (chunk: Buffer) => relayCollector.relayed(chunk.length);

export function relay(
  client: Socket,
  first: Buffer,
  target: HostPort,
  upstream: Pick<UpstreamOptions, 'resolve' | 'proxyFor' | 'timeoutMs'>,
  sockets: Set<Socket>,
  events: EventBus,
): void {
  openConnection({
    host: target.host,
    port: target.port,
    resolve: upstream.resolve,
    proxy: upstream.proxyFor(target.host),
    timeoutMs: upstream.timeoutMs,
  }).then(
    (connection) => {
      const server = connection.socket;
      // The app may have left while we dialled.
      if (client.destroyed) {
        server.destroy();
        return;
      }
      sockets.add(server);
      server.on('close', () => sockets.delete(server));
      const end = () => {
        client.destroy();
        server.destroy();
      };
      server.on('error', end);
      client.on('error', end);
      client.once('close', end);
      server.once('close', end);
      if (connection.head.length) client.write(connection.head);
      server.write(first);
      // Each read is a buffer of its own (young-collector.ts), counted beside the pipes.
      client.on('data', countRelayed).pipe(server);
      server.on('data', countRelayed).pipe(client);
    },
    (error: Error) => {
      events.publish(errorEvent('TUNNEL_FAILED', `tunnel to ${formatHostPort(target)}: ${error.message}`, target.host));
      client.destroy();
    },
  );
}
