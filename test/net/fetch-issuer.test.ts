// AIA fetches bounded: the route of the traffic (an upstream proxy sees the GET), no internal
// address for a host that is not there itself, 64 KiB and 5 s at most. Loopback servers only.
import test from 'ava';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fetchIssuer, IssuerFetchError, MAX_ISSUER_BYTES } from '../../src/net/fetch-issuer.js';
import type { ProxySpec } from '../../src/net/connector.js';
import { parseResolve } from '../../src/net/target.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { makeTestCa } from '../helpers/pki.js';

let issuerDer: Buffer;
test.before(async () => {
  issuerDer = pemCertificates((await makeTestCa('Fixture AIA Issuer')).pem)[0]!;
});

interface Started {
  port: number;
  seen: string[];
  close(): Promise<void>;
}

async function serve(address: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Started> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(
      `${req.method} ${req.url}${req.headers['proxy-authorization'] ? ` (${req.headers['proxy-authorization']})` : ''}`,
    );
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const issuerHandler = (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(issuerDer);
const base = { resolve: parseResolve([]), proxy: null, timeoutMs: 5000 };

test('a loopback host may name an AIA URL on another loopback address (127.0.0.2): fetched', async (t) => {
  const aia = await serve('127.0.0.2', issuerHandler);
  try {
    const certs = await fetchIssuer(`http://127.0.0.2:${aia.port}/issuer.der`, { ...base, hostCategory: 'loopback' });
    t.true(certs[0]!.equals(issuerDer));
  } finally {
    await aia.close();
  }
});

test('a public host naming a loopback URL, or a name that resolves to one: refused before any connection', async (t) => {
  const aia = await serve('127.0.0.2', issuerHandler);
  try {
    const literal = await t.throwsAsync(
      fetchIssuer(`http://127.0.0.2:${aia.port}/issuer.der`, { ...base, hostCategory: 'public' }),
      { instanceOf: IssuerFetchError },
    );
    t.is(literal.refusal, 'internal-address');
    t.regex(literal.message, /refused: 127\.0\.0\.2 is a loopback address/);
    const spelled = await t.throwsAsync(
      fetchIssuer(`http://2130706434:${aia.port}/issuer.der`, { ...base, hostCategory: 'public' }),
      { instanceOf: IssuerFetchError },
    );
    t.is(spelled.refusal, 'internal-address', '127.0.0.2 written as a number');
    const resolved = await t.throwsAsync(
      fetchIssuer(`http://ca.example.com:${aia.port}/issuer.der`, {
        ...base,
        hostCategory: 'public',
        lookupAddress: async () => '127.0.0.2',
      }),
      { instanceOf: IssuerFetchError },
    );
    t.is(resolved.refusal, 'internal-address');
    const metadata = await t.throwsAsync(
      fetchIssuer('http://169.254.169.254/latest/meta-data/', { ...base, hostCategory: 'link-local' }),
      { instanceOf: IssuerFetchError },
    );
    t.is(metadata.refusal, 'internal-address');
    // A redirect is judged again: a public-looking first hop cannot lead inside.
    const hop = await serve('127.0.0.1', (_req, res) =>
      res.writeHead(302, { location: `http://10.0.0.1/issuer.der` }).end(),
    );
    try {
      const redirected = await t.throwsAsync(
        fetchIssuer(`http://127.0.0.1:${hop.port}/`, { ...base, hostCategory: 'loopback' }),
        { instanceOf: IssuerFetchError },
      );
      t.is(redirected.refusal, 'internal-address');
    } finally {
      await hop.close();
    }
    t.deepEqual(aia.seen, [], 'the AIA server never saw a request');
  } finally {
    await aia.close();
  }
});

test('an answer over 64 KiB is refused, with or without Content-Length (a 1 MB body)', async (t) => {
  const big = Buffer.alloc(1024 * 1024, 0x30);
  const declared = await serve('127.0.0.1', (_req, res) =>
    res.writeHead(200, { 'content-length': big.length }).end(big),
  );
  const chunked = await serve('127.0.0.1', (_req, res) => {
    res.writeHead(200);
    for (let i = 0; i < 16; i++) res.write(big.subarray(i * 65536, (i + 1) * 65536));
    res.end();
  });
  try {
    for (const server of [declared, chunked]) {
      const error = await t.throwsAsync(
        fetchIssuer(`http://127.0.0.1:${server.port}/big`, { ...base, hostCategory: 'loopback' }),
        { instanceOf: IssuerFetchError },
      );
      t.is(error.refusal, 'too-large');
      t.regex(error.message, new RegExp(`over the ${MAX_ISSUER_BYTES / 1024} KiB`));
    }
  } finally {
    await Promise.all([declared.close(), chunked.close()]);
  }
});

test('a server that dribbles its answer is cut off at the deadline, whatever its pace', async (t) => {
  const timers = new Set<NodeJS.Timeout>();
  const slow = await serve('127.0.0.1', (_req, res) => {
    res.writeHead(200);
    // One byte every 50 ms: each resets a socket idle timer, never the whole-fetch deadline.
    const timer = setInterval(() => res.write('0'), 50);
    timers.add(timer);
    res.on('close', () => clearInterval(timer));
  });
  try {
    const started = Date.now();
    const error = await t.throwsAsync(
      fetchIssuer(`http://127.0.0.1:${slow.port}/slow`, { ...base, hostCategory: 'loopback', timeoutMs: 400 }),
      { instanceOf: IssuerFetchError },
    );
    t.is(error.refusal, 'too-slow');
    t.true(Date.now() - started < 3000, `${Date.now() - started} ms`);
  } finally {
    for (const timer of timers) clearInterval(timer);
    await slow.close();
  }
});

test('through an upstream proxy: the proxy gets the GET (absolute form, with its credentials); literal internal targets are still refused', async (t) => {
  const aia = await serve('127.0.0.2', issuerHandler);
  // A tiny forward proxy: absolute-form GETs, sent on to the AIA server whatever the name.
  const proxy = await serve('127.0.0.1', (req, res) => {
    const url = new URL(req.url!);
    const upstream = request(
      { host: '127.0.0.2', port: aia.port, path: url.pathname, headers: { host: url.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  const spec: ProxySpec = {
    display: `http://127.0.0.1:${proxy.port}`,
    host: '127.0.0.1',
    port: proxy.port,
    authorization: 'Basic dTpw',
    via: 'upstream-proxy',
  };
  try {
    const certs = await fetchIssuer(`http://ca.example.com:${aia.port}/issuer.der`, {
      ...base,
      proxy: spec,
      hostCategory: 'public',
      lookupAddress: () => Promise.reject(new Error('no DNS here: the proxy resolves')),
    });
    t.true(certs[0]!.equals(issuerDer));
    t.deepEqual(proxy.seen, [`GET http://ca.example.com:${aia.port}/issuer.der (Basic dTpw)`]);
    t.deepEqual(aia.seen, ['GET /issuer.der']);
    const refused = await t.throwsAsync(
      fetchIssuer(`http://127.0.0.2:${aia.port}/issuer.der`, { ...base, proxy: spec, hostCategory: 'public' }),
      { instanceOf: IssuerFetchError },
    );
    t.is(refused.refusal, 'internal-address');
    t.is(proxy.seen.length, 1, 'the refused URL never reached the proxy');
  } finally {
    await Promise.all([proxy.close(), aia.close()]);
  }
});
