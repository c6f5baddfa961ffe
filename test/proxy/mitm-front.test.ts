// The MITM front's first steps for a new host: the leaf for the CONNECT host is minted and the TCP
// connection to it opened while the app sends its ClientHello; what the app is shown still names only
// the name it asked for, and the host still costs one connection at the origin.
import test from 'ava';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchViaProxy, startHttpsOrigin, startTestProxy, type TestProxy } from '../helpers/proxy.js';
import { withServer } from '../helpers/with-servers.js';
import type { PolicyOptions } from '../../src/proxy/policy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** The valid scenario's origin, and a proxy with this policy resolving its host (and pass.example.com) to it. */
async function withValidRoute(
  fn: (proxy: TestProxy, url: string, host: string, port: number) => Promise<void>,
  policy: Partial<PolicyOptions> = {},
): Promise<void> {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const origin = await startHttpsOrigin(scenario);
  const pins = [host, 'pass.example.com'].map((name) => `${name}:${origin.port}:127.0.0.1`);
  try {
    await withServer(
      () => startTestProxy(fixtureTrust(fixtures.pki), pins, policy),
      (proxy) => fn(proxy, `https://${host}:${origin.port}/`, host, origin.port),
    );
  } finally {
    await origin.close();
  }
}

/** The socket of an answered CONNECT (nothing sent on it yet). */
async function connected(proxyPort: number, authority: string): Promise<Socket> {
  const connect = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
  connect.end();
  const [res, socket] = (await once(connect, 'connect')) as [{ statusCode: number }, Socket];
  if (res.statusCode !== 200) throw new Error(`CONNECT answered ${res.statusCode}`);
  return socket;
}

/** Records the names the proxy's minter is asked for. */
function mintsAskedFor(proxy: TestProxy): string[][] {
  const asked: string[][] = [];
  const leafFor = proxy.minter.leafFor.bind(proxy.minter);
  proxy.minter.leafFor = (names) => {
    asked.push(names);
    return leafFor(names);
  };
  return asked;
}

test('a new host’s leaf is minted from its CONNECT, before the app’s ClientHello, and concurrent first connections share it', async (t) => {
  await withValidRoute(async (proxy, url, host, port) => {
    const asked = mintsAskedFor(proxy);
    const socket = await connected(proxy.port, `${host}:${port}`);
    t.deepEqual(asked, [[host]], 'asked for when the 200 was sent');
    socket.destroy();
    const answers = await Promise.all([1, 2, 3].map(() => fetchViaProxy(proxy.port, url, proxy.ca.certPem)));
    t.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 200],
    );
    t.is(proxy.minter.mintTimes.length, 1, 'one signature for the host');
  });
});

test('an app whose SNI is not the CONNECT host is shown a leaf for its SNI only, not the one minted ahead', async (t) => {
  await withValidRoute(async (proxy, _url, host, port) => {
    const asked = mintsAskedFor(proxy);
    const socket = await connected(proxy.port, `${host}:${port}`);
    // The app checks the name it asked for: a leaf for the CONNECT host would fail here.
    const tls = tlsConnect({ socket, servername: 'fronted.example.com', ca: [proxy.ca.certPem] });
    await once(tls, 'secureConnect');
    t.is(tls.getPeerX509Certificate()?.subjectAltName, 'DNS:fronted.example.com');
    tls.destroy();
    t.deepEqual(asked, [[host], ['fronted.example.com']]);
  });
});

test('no leaf is minted ahead for an IP address or a host the policy passes through', async (t) => {
  await withValidRoute(
    async (proxy, _url, _host, port) => {
      const asked = mintsAskedFor(proxy);
      (await connected(proxy.port, `127.0.0.1:${port}`)).destroy();
      (await connected(proxy.port, `pass.example.com:${port}`)).destroy();
      t.deepEqual(asked, []);
    },
    { passthrough: [{ host: 'pass.example.com', wildcard: false, port: null }] },
  );
});

/** An HTTPS origin on the valid scenario's chain that keeps the TCP connections it accepts. */
async function countingOrigin(): Promise<{
  server: Server;
  port: number;
  connections: Socket[];
  close(): Promise<void>;
}> {
  const scenario = fixtures.pki.scenarios.valid!;
  const server = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) =>
    res.end('ok'),
  );
  const connections: Socket[] = [];
  server.on('connection', (socket: Socket) => connections.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test('a new host’s TCP connection is opened from its CONNECT and carries the recording handshake: one connection at the origin', async (t) => {
  const host = fixtures.pki.scenarios.valid!.host!;
  const origin = await countingOrigin();
  try {
    await withServer(
      () => startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]),
      async (proxy) => {
        const accepted = once(origin.server, 'connection');
        const socket = await connected(proxy.port, `${host}:${origin.port}`);
        await accepted;
        t.is(origin.connections.length, 1, 'opened before the app sent anything');
        const tls = tlsConnect({ socket, servername: host, ca: [proxy.ca.certPem] });
        await once(tls, 'secureConnect');
        tls.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        let answer = '';
        for await (const chunk of tls) answer += String(chunk);
        t.regex(answer, /^HTTP\/1\.1 200 /);
        t.is(origin.connections.length, 1, 'and it recorded the host and carried the request');
      },
    );
  } finally {
    await origin.close();
  }
});
