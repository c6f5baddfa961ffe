// The CONNECT client against scripted loopback proxies: what it sends, the bytes after the answer,
// and a failure named by step and cause for every way a proxy can say no (or say nothing).
import test from 'ava';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ConnectError, openConnection, parseProxyUrl, type Connection } from '../../src/net/connector.js';
import { closedPort } from '../helpers/fixtures.js';
import { withServer } from '../helpers/with-servers.js';

interface Scripted {
  port: number;
  /** Request heads received, as text. */
  requests: string[];
  /** Resolves when the proxy's side of the first connection has closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** A proxy that answers the first request head with `answer` (written in the given pieces), or stays silent, or hangs up. */
async function scriptedProxy(answer: string[] | 'silent' | 'hang-up'): Promise<Scripted> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => {
      sockets.delete(client);
      markClosed();
    });
    let buffered = '';
    client.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0 || requests.length) return;
      client.removeAllListeners('data');
      requests.push(buffered.slice(0, end));
      if (answer === 'silent') return;
      if (answer === 'hang-up') {
        client.end();
        return;
      }
      for (const piece of answer) client.write(piece, 'latin1');
      // Once tunnelled, echo: shows the stream after the answer is the client's to read.
      client.on('data', (more: Buffer) => client.write(more));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    closed,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs `body` against a scripted proxy, closed afterwards whether `body` passed or threw. */
const withScripted = <T>(answer: Parameters<typeof scriptedProxy>[0], body: (proxy: Scripted) => Promise<T>) =>
  withServer(() => scriptedProxy(answer), body);

const through = (port: number, url = `http://127.0.0.1:${port}`, timeoutMs = 5_000): Promise<Connection> =>
  openConnection({
    host: 'origin.example',
    port: 443,
    resolve: new Map(),
    proxy: parseProxyUrl(url, 'upstream-proxy'),
    timeoutMs,
  });

async function failure(
  t: { fail(message: string): void },
  attempt: Promise<Connection>,
): Promise<ConnectError['failure']> {
  try {
    const connection = await attempt;
    connection.socket.destroy();
  } catch (error) {
    if (error instanceof ConnectError) return error.failure;
    throw error;
  }
  t.fail('the connection was expected to fail');
  throw new Error('unreachable');
}

test('sends CONNECT with the authority as Host and the credentials as Basic', async (t) => {
  await withScripted(['HTTP/1.1 200 Connection established\r\n\r\n'], async (proxy) => {
    const connection = await through(proxy.port, `http://alice:s%40cret@127.0.0.1:${proxy.port}`);
    connection.socket.destroy();
    const [line, ...headers] = proxy.requests[0]!.split('\r\n');
    t.is(line, 'CONNECT origin.example:443 HTTP/1.1');
    t.true(headers.includes('Host: origin.example:443'));
    t.true(headers.includes(`Proxy-Authorization: Basic ${Buffer.from('alice:s@cret').toString('base64')}`));
    t.true(headers.includes('User-Agent: tlswitness'));
    t.false(
      headers.some((h) => /^connection: close$/i.test(h)),
      'the connection is meant to stay open as the tunnel',
    );
    t.like(connection, {
      via: 'upstream-proxy',
      proxy: `http://127.0.0.1:${proxy.port}`,
      address: null,
      addressSource: null,
    });
  });
});

test('an IPv6 target is bracketed in the CONNECT authority', async (t) => {
  await withScripted(['HTTP/1.1 200 OK\r\n\r\n'], async (proxy) => {
    const connection = await openConnection({
      host: '::1',
      port: 8443,
      resolve: new Map(),
      proxy: parseProxyUrl(`127.0.0.1:${proxy.port}`, 'env-proxy'),
      timeoutMs: 5_000,
    });
    connection.socket.destroy();
    t.is(proxy.requests[0]!.split('\r\n')[0], 'CONNECT [::1]:8443 HTTP/1.1');
    t.is(connection.via, 'env-proxy');
  });
});

test('bytes that follow the answer in the same packet are handed over as head, the tunnel stays readable', async (t) => {
  await withScripted(
    ['HTTP/1.1 200 Connection established\r\nVia: 1.1 corp\r\n\r\n\x16\x03\x03first'],
    async (proxy) => {
      const connection = await through(proxy.port);
      t.is(connection.head.toString('latin1'), '\x16\x03\x03first');
      const echoed = new Promise<string>((resolve) =>
        connection.socket.once('data', (chunk: Buffer) => resolve(chunk.toString())),
      );
      connection.socket.write('ping');
      t.is(await echoed, 'ping');
      connection.socket.destroy();
    },
  );
});

test('an answer head split over several packets, HTTP/1.0 and no reason phrase, is still a tunnel', async (t) => {
  await withScripted(['HTTP/1.0 200\r', '\nX-A: 1\r\n', '\r\nTLS'], async (proxy) => {
    const connection = await through(proxy.port);
    t.is(connection.head.toString(), 'TLS');
    connection.socket.destroy();
  });
});

const refusals: Array<[string, string, string | null, Partial<ConnectError['failure']>, RegExp]> = [
  [
    '407 with NTLM and Negotiate only',
    'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n',
    null,
    { code: 'EPROXYAUTH', proxyStatus: 407 },
    /wants NTLM or Negotiate authentication \(407\).*cntlm or px/,
  ],
  [
    '407 to credentials',
    'HTTP/1.1 407 Nope\r\nproxy-authenticate: Basic realm="corp"\r\n\r\n',
    'u:p@',
    { code: 'EPROXYAUTH', proxyStatus: 407 },
    /rejected the credentials \(407, it asks for Basic\): check user and password/,
  ],
  [
    '407 without credentials',
    'HTTP/1.1 407 Nope\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n',
    null,
    { code: 'EPROXYAUTH' },
    /requires authentication \(407, Basic\): use --upstream-proxy http:\/\/user:pass@host:port/,
  ],
  [
    '403',
    'HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope',
    null,
    { code: 'EPROXY403', proxyStatus: 403 },
    /answered 403 to CONNECT origin\.example:443: the proxy forbids this destination/,
  ],
  [
    '502',
    'HTTP/1.1 502 Bad Gateway\r\n\r\n',
    null,
    { code: 'EPROXY502', proxyStatus: 502 },
    /answered 502 to CONNECT origin\.example:443: the proxy could not reach the host/,
  ],
  [
    'not HTTP',
    'SSH-2.0-OpenSSH_9.6\r\n\r\n',
    null,
    { code: 'EPROXYPROTO' },
    /did not answer CONNECT with HTTP: is it an HTTP proxy\?/,
  ],
  [
    'a head that runs past 64 KiB',
    `HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(70 * 1024)}\r\n`,
    null,
    { code: 'EPROXYHEAD' },
    /sent an answer head over 64 KiB/,
  ],
];

for (const [name, answer, credentials, expected, message] of refusals) {
  test(`a proxy answering ${name}: a proxy failure that names it, and the socket is closed`, async (t) => {
    await withScripted([answer], async (proxy) => {
      const got = await failure(t, through(proxy.port, `http://${credentials ?? ''}127.0.0.1:${proxy.port}`));
      t.like(got, { step: 'proxy', ...expected });
      t.regex(got.message, message);
      t.false(got.message.includes('u:p'), 'credentials never appear in the message');
      await proxy.closed;
    });
  });
}

test('a target node:http cannot put in a request line: a proxy failure, nothing sent, the socket closed', async (t) => {
  await withScripted('silent', async (proxy) => {
    const attempt = openConnection({
      host: 'bad\nhost',
      port: 443,
      resolve: new Map(),
      proxy: parseProxyUrl(`127.0.0.1:${proxy.port}`, 'upstream-proxy'),
      timeoutMs: 5_000,
    });
    const got = await failure(t, attempt);
    t.like(got, { step: 'proxy', code: 'ERR_UNESCAPED_CHARACTERS' });
    t.regex(got.message, /^cannot send CONNECT for "bad\\nhost:443" to proxy http:\/\/127\.0\.0\.1:\d+: /);
    await proxy.closed;
    t.deepEqual(proxy.requests, []);
  });
});

test('a proxy that hangs up before answering: ECONNRESET at step proxy', async (t) => {
  await withScripted('hang-up', async (proxy) => {
    const got = await failure(t, through(proxy.port));
    t.like(got, { step: 'proxy', code: 'ECONNRESET' });
    t.regex(got.message, /closed the connection before answering CONNECT origin\.example:443/);
  });
});

test('a proxy that never answers: ETIMEDOUT at step proxy within the deadline, and the socket is closed', async (t) => {
  await withScripted('silent', async (proxy) => {
    const got = await failure(t, through(proxy.port, undefined, 300));
    t.like(got, { step: 'proxy', code: 'ETIMEDOUT' });
    t.regex(got.message, /did not open a tunnel to origin\.example:443 within 300 ms/);
    await proxy.closed;
  });
});

test('a proxy port nobody listens on: refused, at step proxy', async (t) => {
  const got = await failure(t, through(await closedPort()));
  t.like(got, { step: 'proxy', code: 'ECONNREFUSED' });
  t.regex(got.message, /^proxy 127\.0\.0\.1:\d+ refused the connection$/);
});

test('direct: no proxy, no CONNECT, an empty head and the literal address', async (t) => {
  await withScripted('silent', async (target) => {
    const connection = await openConnection({
      host: '127.0.0.1',
      port: target.port,
      resolve: new Map(),
      proxy: null,
      timeoutMs: 5_000,
    });
    connection.socket.destroy();
    t.like(connection, { via: 'direct', proxy: null, address: '127.0.0.1', addressSource: 'literal' });
    t.is(connection.head.length, 0);
  });
});
