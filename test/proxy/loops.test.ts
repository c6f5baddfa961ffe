// Routing exactly what was checked, and loops refused: every spelling of the proxy's own address
// (CONNECT and plain), --resolve pins and names that resolve to it, a chain of proxies back to it
// (Via), the uppercase-scheme Host trick, IPv6 literals, credentials in the URL.
import '../../scripts/dns-guard.mjs'; // names other than loopback fail as NXDOMAIN, without a resolver
import test from 'ava';
import dns from 'node:dns';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import type { ErrorEvent } from '../../src/events.js';
import { freePort, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { hasIpv6Loopback, testNeeding } from '../helpers/requires.js';
import { fetchViaProxy, startTestProxy, tlsViaProxy, type TestProxy } from '../helpers/proxy.js';

// A fake resolver for two test names, over the guard: `self.test` resolves to loopback; `rebind.test`
// answers a TEST-NET address to a check for all addresses and loopback to a single lookup (a name
// whose answer changes between the proxy's check and its dial).
const guarded = dns.promises.lookup;
dns.promises.lookup = (async (host: string, options?: { all?: boolean }) => {
  const answer =
    host === 'self.test' ? '127.0.0.1' : host === 'rebind.test' ? (options?.all ? '192.0.2.1' : '127.0.0.1') : null;
  if (answer === null) return guarded(host, options as never);
  return options?.all ? [{ address: answer, family: 4 }] : { address: answer, family: 4 };
}) as typeof dns.promises.lookup;
syncBuiltinESMExports();

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** Raw bytes to a port; resolves with everything that came back by close (or 3 s, then `timed out`). */
function raw(port: number, text: string, host = '127.0.0.1'): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, host, () => socket.write(text));
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closed: false });
    }, 3000);
    socket.on('data', (d: Buffer) => (answer += d));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closed: true });
    });
    socket.on('error', () => undefined);
  });
}

async function listen<T extends Server>(server: T, host = '127.0.0.1', port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A proxy on a known port, with `pinned.test` pinned by --resolve to loopback on that port. */
async function withProxy(fn: (proxy: TestProxy) => Promise<void>): Promise<void> {
  let proxy: TestProxy | null = null;
  // A released port can be taken again before the proxy binds it (tests run in parallel): try another.
  for (let attempt = 0; !proxy; attempt++) {
    const port = await freePort();
    proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`pinned.test:${port}:127.0.0.1`], {}, { port }).catch(
      (error: Error) => {
        if (attempt >= 4 || !/already in use/.test(error.message)) throw error;
        return null;
      },
    );
  }
  try {
    await fn(proxy);
  } finally {
    await proxy.close();
  }
}

const errors = (proxy: TestProxy, code: string) =>
  proxy.events.filter((e): e is ErrorEvent => e.type === 'error' && e.code === code);
const SPELLINGS = [
  '127.0.0.1',
  '127.1',
  '0',
  '2130706433',
  '0x7f.1',
  '017700000001',
  '127.0.0.2',
  '[::ffff:127.0.0.1]',
  '[::1]',
  '[::]',
  '0.0.0.0',
  'localhost',
  'localhost.',
  'LocalHost',
  'self.test',
  'pinned.test',
];

test('CONNECT to every spelling of the proxy itself: 508, the connection closed, nothing relayed', async (t) => {
  await withProxy(async (proxy) => {
    for (const host of SPELLINGS) {
      const { answer, closed } = await raw(
        proxy.port,
        `CONNECT ${host}:${proxy.port} HTTP/1.1\r\nHost: ${host}:${proxy.port}\r\n\r\n`,
      );
      t.is(answer, 'HTTP/1.1 508 Loop Detected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', host);
      t.true(closed, host);
    }
    t.is(errors(proxy, 'LOOP').length, SPELLINGS.length);
  });
});

test('plain HTTP to every spelling of the proxy itself (any scheme case): 508', async (t) => {
  await withProxy(async (proxy) => {
    for (const host of SPELLINGS) {
      for (const scheme of ['http', 'HTTP']) {
        const { answer } = await raw(
          proxy.port,
          `GET ${scheme}://${host}:${proxy.port}/x HTTP/1.1\r\nHost: example.test\r\n\r\n`,
        );
        t.regex(answer, /^HTTP\/1\.1 508 /, `${scheme}://${host}`);
      }
    }
    t.is(errors(proxy, 'LOOP').length, SPELLINGS.length * 2);
  });
});

test('150 pipelined CONNECTs to the proxy itself: one 508, then the connection is closed unread', async (t) => {
  await withProxy(async (proxy) => {
    const line = `CONNECT 127.1:${proxy.port} HTTP/1.1\r\nHost: 127.1:${proxy.port}\r\n\r\n`;
    const { answer, closed } = await raw(proxy.port, line.repeat(150));
    t.true(closed);
    t.is(answer.match(/HTTP\/1\.1 /g)?.length, 1);
    t.regex(answer, /^HTTP\/1\.1 508 /);
    t.is(errors(proxy, 'LOOP').length, 1);
  });
});

test('the uppercase HTTP:// scheme with the proxy in Host goes to the URL, never to the Host header', async (t) => {
  const hosts: string[] = [];
  const origin = createHttpServer((req, res) => {
    hosts.push(String(req.headers.host));
    res.end(`origin ${req.url}\n`);
  });
  const originPort = await listen(origin);
  try {
    await withProxy(async (proxy) => {
      const direct = await raw(
        proxy.port,
        `GET HTTP://127.0.0.1:${originPort}/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: close\r\n\r\n`,
      );
      t.regex(direct.answer, /^HTTP\/1\.1 200 [^]*\r\n\r\norigin \/x\?y=1\n$/);
      t.deepEqual(hosts, [`127.0.0.1:${originPort}`], 'the Host upstream is the URL authority (RFC 9112 3.2.2)');
      // A name that does not resolve: a 502 naming it, one answer, no request back into the proxy.
      const unresolvable = await raw(
        proxy.port,
        `GET HTTP://example.invalid/x HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: close\r\n\r\n`,
      );
      t.regex(unresolvable.answer, /^HTTP\/1\.1 502 [^]*cannot resolve example\.invalid/);
      t.is(unresolvable.answer.match(/HTTP\/1\.1 /g)?.length, 1);
      t.is(errors(proxy, 'LOOP').length, 0);
      t.is(proxy.events.filter((e) => e.type === 'request').length, 2);
    });
  } finally {
    await close(origin);
  }
});

testNeeding(hasIpv6Loopback() ? null : 'no IPv6 loopback on this machine')(
  '[::1]:P goes to the origin on [::1], not to the one on 127.0.0.1 with the same port',
  async (t) => {
    const six = createHttpServer((req, res) => res.end(`six ${req.url} ${req.headers.host}\n`));
    const four = createHttpServer((req, res) => res.end(`four ${req.url}\n`));
    // The same port free on both loopbacks: another process may hold it on 127.0.0.1, so a few tries.
    let port = 0;
    for (let attempt = 0; attempt < 10 && !port; attempt++) {
      const candidate = await listen(six, '::1');
      try {
        await listen(four, '127.0.0.1', candidate);
        port = candidate;
      } catch {
        await close(six);
      }
    }
    t.not(port, 0, 'no port free on both ::1 and 127.0.0.1 in 10 tries');
    if (!port) return;
    try {
      await withProxy(async (proxy) => {
        const v6 = await raw(
          proxy.port,
          `GET http://[::1]:${port}/six HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\n\r\n`,
        );
        t.regex(v6.answer, new RegExp(`\r\n\r\nsix /six \\[::1\\]:${port}\n$`));
        const mixed = await raw(
          proxy.port,
          `GET HTTP://[0:0:0:0:0:0:0:1]:${port}/six HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
        );
        t.regex(mixed.answer, /\r\n\r\nsix \/six /);
        const v4 = await raw(
          proxy.port,
          `GET http://127.0.0.1:${port}/four HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
        );
        t.regex(v4.answer, /\r\n\r\nfour \/four\n$/);
        const logged = proxy.events.filter((e) => e.type === 'request').map((e) => (e as { url: string }).url);
        t.deepEqual(logged, [`http://[::1]:${port}/six`, `http://[::1]:${port}/six`, `http://127.0.0.1:${port}/four`]);
      });
    } finally {
      await close(six);
      await close(four);
    }
  },
);

test('credentials in the URL (plain or CONNECT): 400, and the password appears in no event', async (t) => {
  const hits: string[] = [];
  const origin = createHttpServer((req, res) => {
    hits.push(String(req.url));
    res.end('reached\n');
  });
  const originPort = await listen(origin);
  try {
    await withProxy(async (proxy) => {
      for (const target of [
        `http://127.0.0.1:hunter2secret@example.invalid/`,
        `http://user:hunter2secret@127.0.0.1:${originPort}/`,
        `HTTP://hunter2secret@127.0.0.1:${originPort}/`,
      ]) {
        const { answer } = await raw(proxy.port, `GET ${target} HTTP/1.1\r\nHost: example.invalid\r\n\r\n`);
        t.regex(answer, /^HTTP\/1\.1 400 [^]*credentials/, target);
        t.false(answer.includes('hunter2secret'));
      }
      const connect = await raw(proxy.port, `CONNECT user:hunter2secret@127.0.0.1:${originPort} HTTP/1.1\r\n\r\n`);
      t.regex(connect.answer, /^HTTP\/1\.1 400 /);
      t.deepEqual(hits, []);
      t.is(errors(proxy, 'BAD_REQUEST').length + errors(proxy, 'BAD_CONNECT').length, 4);
      t.false(JSON.stringify(proxy.events).includes('hunter2secret'));
    });
  } finally {
    await close(origin);
  }
});

/** An origin that answers with the Via header it received. */
function viaEcho(req: IncomingMessage, res: ServerResponse): void {
  res.end(`via: ${req.headers.via ?? '-'}\n`);
}

test('Via: plain requests carry this process token; one that already carries it is refused (508)', async (t) => {
  let hits = 0;
  const origin = createHttpServer((req, res) => {
    hits++;
    viaEcho(req, res);
  });
  const originPort = await listen(origin);
  try {
    await withProxy(async (proxy) => {
      const first = await raw(
        proxy.port,
        `GET http://127.0.0.1:${originPort}/ HTTP/1.1\r\nHost: x\r\nVia: 1.0 fred\r\nConnection: close\r\n\r\n`,
      );
      const token = /via: 1\.0 fred, 1\.1 (tlswitness-[0-9a-f]{12})\n$/.exec(first.answer)?.[1];
      t.truthy(token, first.answer);
      const looped = await raw(
        proxy.port,
        `GET http://127.0.0.1:${originPort}/ HTTP/1.1\r\nHost: x\r\nVia: 1.1 squid, 1.1 ${token}\r\n\r\n`,
      );
      t.regex(looped.answer, /^HTTP\/1\.1 508 /);
      t.is(hits, 1);
      const other = await raw(
        proxy.port,
        `GET http://127.0.0.1:${originPort}/ HTTP/1.1\r\nHost: x\r\nVia: 1.1 tlswitness-000000000000\r\nConnection: close\r\n\r\n`,
      );
      t.regex(other.answer, /^HTTP\/1\.1 200 /, 'another tlswitness process is not a loop');
    });
  } finally {
    await close(origin);
  }
});

test('Via: a chain of proxies leading back to this one ends at the second pass with a 508', async (t) => {
  let proxyPort = 0;
  let hits = 0;
  // Another proxy that sends everything back through tlswitness (bounded, in case nothing stops it).
  const reflector = createHttpServer((req, res) => {
    if (++hits > 5) {
      res.writeHead(500).end('unbounded loop\n');
      return;
    }
    const back = httpRequest(
      { host: '127.0.0.1', port: proxyPort, path: `http://127.0.0.1:${reflectorPort}/again`, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    back.on('error', () => res.writeHead(502).end());
    back.end();
  });
  const reflectorPort = await listen(reflector);
  try {
    await withProxy(async (proxy) => {
      proxyPort = proxy.port;
      const { answer } = await raw(
        proxy.port,
        `GET http://127.0.0.1:${reflectorPort}/start HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      t.regex(answer, /^HTTP\/1\.1 508 [^]*Via header/);
      t.is(hits, 1);
      t.is(errors(proxy, 'LOOP').length, 1);
    });
  } finally {
    await close(reflector);
  }
});

test('Via: MITM requests carry the token too, and are refused when they come back with it', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, viaEcho);
  const originPort = await listen(origin);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${originPort}:127.0.0.1`]);
  try {
    const url = `https://${host}:${originPort}/`;
    const first = await fetchViaProxy(proxy.port, url, proxy.ca.certPem);
    const token = /^via: 1\.1 (tlswitness-[0-9a-f]{12})\n$/.exec(first.body)?.[1];
    t.truthy(token, first.body);
    const looped = await fetchViaProxy(proxy.port, url, proxy.ca.certPem, { via: `1.1 ${token}` });
    t.is(looped.status, 508);
    t.regex(looped.body, /Via header/);
  } finally {
    await proxy.close();
    await close(origin);
  }
});

test('a name that resolves elsewhere when checked and to the proxy when dialled is refused at the dial (508)', async (t) => {
  await withProxy(async (proxy) => {
    const { answer } = await raw(
      proxy.port,
      `GET http://rebind.test:${proxy.port}/ HTTP/1.1\r\nHost: rebind.test\r\nConnection: close\r\n\r\n`,
    );
    t.regex(answer, /^HTTP\/1\.1 508 [^]*resolves to 127\.0\.0\.1, which is this proxy itself/);
    const loops = errors(proxy, 'LOOP');
    t.is(loops.length, 1, 'refused before the request reached the proxy a second time');
  });
});

test('Via: a MITM WebSocket upgrade carries the token, and one that comes back with it gets 508', async (t) => {
  const { WebSocketServer, WebSocket } = await import('ws');
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') });
  const wss = new WebSocketServer({ server: origin });
  wss.on('connection', (ws, req) => ws.send(`via: ${req.headers.via ?? '-'}`));
  const originPort = await listen(origin);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${originPort}:127.0.0.1`]);
  const open = async (headers: Record<string, string>) => {
    const tls = await tlsViaProxy(proxy.port, scenario.host!, originPort, { ca: [proxy.ca.certPem] });
    const ws = new WebSocket(`wss://${scenario.host}:${originPort}/chat`, {
      createConnection: () => tls,
      headers,
    } as never);
    return new Promise<string>((resolve) => {
      ws.on('message', (data) => {
        resolve(String(data));
        ws.close();
      });
      ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      ws.on('error', (error) => resolve(`error ${error.message}`));
    });
  };
  try {
    const first = await open({});
    const token = /^via: 1\.1 (tlswitness-[0-9a-f]{12})$/.exec(first)?.[1];
    t.truthy(token, first);
    t.is(await open({ via: `1.1 ${token}` }), 'status 508');
  } finally {
    await proxy.close();
    wss.close();
    await close(origin);
  }
});
