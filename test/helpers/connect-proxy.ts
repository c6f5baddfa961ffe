// A minimal HTTP CONNECT proxy for tests: tunnels to 127.0.0.1 only, or answers with a fixed refusal.
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';

export interface TestProxy {
  port: number;
  url: string;
  /** CONNECT authorities seen, in order. */
  seen: string[];
  /** Proxy-Authorization headers seen. */
  authorizations: string[];
  close(): Promise<void>;
}

export interface ProxyBehaviour {
  /** A fixed answer head instead of tunnelling, e.g. 'HTTP/1.1 407 ...\r\nProxy-Authenticate: NTLM'. */
  refuse?: string;
}

export async function startConnectProxy(behaviour: ProxyBehaviour = {}): Promise<TestProxy> {
  const seen: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const head = buffered.subarray(0, end).toString('latin1');
      const rest = buffered.subarray(end + 4);
      const auth = /^proxy-authorization: (.*)$/im.exec(head)?.[1];
      if (auth) authorizations.push(auth);
      const absolute = /^(\w+) http:\/\/([^/\s]+)(\S*) (HTTP\/1\.[01])\r\n/.exec(head);
      if (absolute) {
        // A plain-HTTP proxy request: forward it in origin-form to 127.0.0.1, dropping the proxy header.
        seen.push(`${absolute[1]} http://${absolute[2]}${absolute[3]}`);
        const upstream = connect({ host: '127.0.0.1', port: Number(/:(\d+)$/.exec(absolute[2]!)?.[1] ?? 80) }, () => {
          const rest = head
            .slice(head.indexOf('\r\n') + 2)
            .split('\r\n')
            .filter((line) => !/^proxy-/i.test(line));
          upstream.write(
            `${absolute[1]} ${absolute[3] || '/'} ${absolute[4]}\r\n${rest.join('\r\n')}\r\nConnection: close\r\n\r\n`,
          );
          upstream.pipe(client);
        });
        upstream.on('error', () => client.destroy());
        return;
      }
      const authority = /^CONNECT (\S+) HTTP/.exec(head)?.[1] ?? '';
      seen.push(authority);
      if (behaviour.refuse) {
        client.end(`${behaviour.refuse}\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const port = Number(/:(\d+)$/.exec(authority)?.[1]);
      // Loopback only: whatever name was asked for, tunnel to 127.0.0.1.
      const upstream = connect({ host: '127.0.0.1', port }, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (rest.length) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
