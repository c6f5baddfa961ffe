// An HTTP/2 origin on 127.0.0.1 (node:http2 over TLS, ALPN h2 only): GET /1k answers 1 KiB, any other
// path a line naming it. The bench's h2 phase and the malformed-h2 run use it; its sessions stay open
// until close().
import type { AddressInfo, Socket } from 'node:net';
import { constants, createSecureServer, type Http2Session, type ServerHttp2Stream } from 'node:http2';

export interface H2Origin {
  port: number;
  close(): Promise<void>;
}

export interface H2OriginOptions {
  key: string;
  cert: string;
  /** The SETTINGS_MAX_CONCURRENT_STREAMS it announces (Node's default: no limit). */
  maxConcurrentStreams?: number;
}

const KIB = Buffer.alloc(1024, 'x');

function answer(stream: ServerHttp2Stream, path: string): void {
  stream.on('error', () => undefined);
  if (path === '/1k') {
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': KIB.length });
    stream.end(KIB);
    return;
  }
  const body = `h2 origin ${path}\n`;
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  stream.end(body);
}

export async function startH2Origin(options: H2OriginOptions): Promise<H2Origin> {
  const sessions = new Set<Http2Session>();
  const server = createSecureServer({
    key: options.key,
    cert: options.cert,
    ALPNProtocols: ['h2'],
    ...(options.maxConcurrentStreams ? { settings: { maxConcurrentStreams: options.maxConcurrentStreams } } : {}),
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('error', () => undefined);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => answer(stream, String(headers[constants.HTTP2_HEADER_PATH] ?? '/')));
  // As the HTTP/1.1 origin: small frames go out at once (no Nagle delay against the client's delayed ACKs).
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.on('tlsClientError', () => undefined);
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
