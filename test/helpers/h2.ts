// HTTP/2 test peers: a node:http2 TLS origin serving a scenario's chain, and an h2 client session that
// reaches it through the proxy's CONNECT (as an app with HTTPS_PROXY that negotiates h2 would).
import {
  connect as h2Connect,
  createSecureServer,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Scenario } from '../../scripts/fixture-pki.js';
import type { Origin } from './proxy.js';
import { tlsViaProxy } from './proxy.js';

export interface H2Origin extends Origin {
  /** The ALPN protocol of each connection the origin accepted. */
  protocols: string[];
  /** The request headers of each stream, as the origin got them. */
  seen: IncomingHttpHeaders[];
}

/**
 * An h2 origin (HTTP/1.1 too when `allowHTTP1`) answering `h2 hello from NAME PATH` (`http1 hello ...`
 * over HTTP/1.1); `handler` may answer a stream itself (return true).
 */
export async function startH2Origin(
  scenario: Scenario,
  options: {
    allowHTTP1?: boolean;
    /** Ask for a client certificate and go on without one (rejectUnauthorized false), as some mTLS origins do. */
    requestCert?: boolean;
    handler?: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;
  } = {},
): Promise<H2Origin> {
  const protocols: string[] = [];
  const seen: IncomingHttpHeaders[] = [];
  const server = createSecureServer({
    key: scenario.keyPem,
    cert: scenario.sent.join(''),
    allowHTTP1: options.allowHTTP1 ?? false,
    ...(options.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}),
  });
  server.on('secureConnection', (socket) => protocols.push(String(socket.alpnProtocol)));
  server.on('stream', (stream, headers) => {
    seen.push(headers);
    stream.on('error', () => undefined);
    if (options.handler?.(stream, headers)) return;
    stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-origin': 'h2' });
    stream.end(`h2 hello from ${scenario.name} ${headers[':path']}\n`);
  });
  server.on('request', (req, res) => {
    if (req.httpVersion !== '1.1') return;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`http1 hello from ${scenario.name} ${req.url}\n`);
  });
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    protocols,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An h2 session through the proxy, trusting `caPem` (the proxy's CA); rejects when the app's ALPN gets no h2. */
export async function h2ViaProxy(
  proxyPort: number,
  host: string,
  port: number,
  caPem: string,
): Promise<ClientHttp2Session> {
  const tls = await tlsViaProxy(proxyPort, host, port, { ca: [caPem], alpn: ['h2'] });
  if (tls.alpnProtocol !== 'h2') {
    tls.destroy();
    throw new Error(`the proxy chose ${String(tls.alpnProtocol)}, not h2`);
  }
  const session = h2Connect(`https://${host}:${port}`, { createConnection: () => tls });
  session.on('error', () => undefined);
  return session;
}

export interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  trailers: IncomingHttpHeaders | null;
  streamId: number | undefined;
}

/** One request on the session; its answer once the stream ends. */
export function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let answer: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | null = null;
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (received) => (answer = received));
    stream.on('trailers', (received) => (trailers = received));
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () =>
      resolve({ status: Number(answer[':status']), headers: answer, body: text, trailers, streamId: stream.id }),
    );
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}
