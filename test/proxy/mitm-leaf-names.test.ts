// Every app is shown a leaf for its own name, with many apps at once: the proxy makes all the apps' TLS
// sockets from one context whose leaf changes from host to host (leaf-minter.ts), so each socket must be
// made in the turn its leaf was put in, whatever the mix of new and known hosts, SNI that differs from
// the CONNECT host, IP-address targets, and h2 or HTTP/1.1 apps; and an app's TLS session resumes
// with the host it was made with only.
import test, { type ExecutionContext } from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect as h2Connect, createSecureServer } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from 'node:tls';
import { buildCertificate } from '../../src/ca/certificate-builder.js';
import { storeOf } from '../helpers/observe.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';

const DAY = 86_400_000;
const HOSTS = Array.from({ length: 12 }, (_, i) => `h${i}.names.test`);

/** One origin for every name (and 127.0.0.1), h2 or HTTP/1.1, answering with the authority it was asked for. */
async function startOrigin() {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cert = await buildCertificate({
    subject: [{ type: 'CN', value: 'Names Test Root' }],
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    publicKey: key.publicKey,
    signingKey: key.privateKey,
    dnsNames: HOSTS,
    ipAddresses: ['127.0.0.1'],
  });
  const server = createSecureServer({
    key: key.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    cert: cert.pem,
    allowHTTP1: true,
  });
  server.on('request', (req, res) => res.end(String(req.headers[':authority'] ?? req.headers.host)));
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { pem: cert.pem, port: (server.address() as AddressInfo).port, server };
}

interface App {
  /** The CONNECT target's host. */
  connect: string;
  /** The name the app asks for in its SNI and checks (none for an IP address, RFC 6066 3). */
  name: string;
  h2: boolean;
  /** A TLS session to offer (resumption). */
  session?: Buffer;
  maxVersion?: SecureVersion;
}

/** The app's TLS session through the proxy, checking `name` against the proxy's CA only. */
async function appSession(proxy: TestProxy, port: number, app: App): Promise<TLSSocket> {
  const connect = httpRequest({
    host: '127.0.0.1',
    port: proxy.port,
    method: 'CONNECT',
    path: `${app.connect}:${port}`,
  });
  connect.end();
  const [res, socket] = (await once(connect, 'connect')) as [{ statusCode: number }, Socket];
  if (res.statusCode !== 200) throw new Error(`CONNECT answered ${res.statusCode}`);
  const ip = app.name === '127.0.0.1';
  const tls = tlsConnect({
    socket,
    host: app.name,
    servername: ip ? undefined : app.name,
    ca: [proxy.ca.certPem],
    ALPNProtocols: app.h2 ? ['h2', 'http/1.1'] : ['http/1.1'],
    session: app.session,
    maxVersion: app.maxVersion,
  });
  await once(tls, 'secureConnect');
  return tls;
}

/** What the app was shown (its leaf's names) and what the origin answered it. */
async function visit(proxy: TestProxy, port: number, app: App, seen?: (tls: TLSSocket) => void): Promise<string> {
  const tls = await appSession(proxy, port, app);
  seen?.(tls);
  // A resumed session has no certificate message: the leaf is the one its session was made with.
  const names = tls.isSessionReused() ? 'resumed' : tls.getPeerX509Certificate()?.subjectAltName;
  const protocol = tls.alpnProtocol;
  let answer = '';
  if (protocol === 'h2') {
    const session = h2Connect(`https://${app.name}:${port}`, { createConnection: () => tls });
    const stream = session.request({ ':path': '/' });
    stream.setEncoding('utf8');
    for await (const chunk of stream) answer += chunk as string;
    session.close();
  } else {
    tls.write(`GET / HTTP/1.1\r\nHost: ${app.name}:${port}\r\nConnection: close\r\n\r\n`);
    tls.setEncoding('utf8');
    for await (const chunk of tls) answer += chunk as string;
    answer = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  }
  return `${names} ${String(protocol)} ${answer}`;
}

const shown = (app: App, port: number) =>
  `${app.name === '127.0.0.1' ? 'IP Address' : 'DNS'}:${app.name} ${app.h2 ? 'h2' : 'http/1.1'} ${app.name}:${port}`;

/** An origin for HOSTS and a proxy resolving them to it. */
async function withRoute(t: ExecutionContext, fn: (proxy: TestProxy, port: number) => Promise<void>): Promise<void> {
  const origin = await startOrigin();
  const trust = { public: storeOf('public', [origin.pem]), system: null, extra: null };
  const proxy = await startTestProxy(
    trust,
    HOSTS.map((host) => `${host}:${origin.port}:127.0.0.1`),
  );
  t.teardown(async () => {
    await proxy.close();
    origin.server.close();
  });
  await fn(proxy, origin.port);
}

test('many apps at once, new and known hosts, each is shown a leaf naming only its own name', async (t) => {
  await withRoute(t, async (proxy, port) => {
    // Half the hosts known (leaf minted, record made) before the crowd comes.
    const known = HOSTS.slice(0, 6).map((name, i) => ({ connect: name, name, h2: i % 2 === 0 }));
    t.deepEqual(
      await Promise.all(known.map((app) => visit(proxy, port, app))),
      known.map((app) => shown(app, port)),
    );
    const apps: App[] = [
      ...HOSTS.flatMap((name, i) => [
        { connect: name, name, h2: true },
        { connect: name, name, h2: false },
        // An SNI that is not the CONNECT host: the leaf minted ahead for the CONNECT host must not be shown.
        { connect: name, name: HOSTS[(i + 5) % HOSTS.length]!, h2: i % 2 === 1 },
      ]),
      { connect: '127.0.0.1', name: '127.0.0.1', h2: true },
      { connect: '127.0.0.1', name: '127.0.0.1', h2: false },
    ];
    t.deepEqual(
      await Promise.all(apps.map((app) => visit(proxy, port, app))),
      apps.map((app) => shown(app, port)),
    );
  });
});

for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const)
  test(`${maxVersion}: an app resumes its session with a host through the proxy, never another host's`, async (t) => {
    await withRoute(t, async (proxy, port) => {
      const [a, b] = HOSTS as [string, string];
      let session: Buffer | undefined;
      // TLS 1.2's session is there at the handshake's end, TLS 1.3's tickets come after it.
      const keep = (tls: TLSSocket) => {
        session = tls.getSession();
        tls.on('session', (ticket: Buffer) => (session = ticket));
      };
      const app = (name: string) => ({ connect: name, name, h2: false, session, maxVersion });
      t.is(await visit(proxy, port, app(a), keep), shown(app(a), port));
      t.truthy(session);
      // Offered to another host, the session is refused: a full handshake, on b's own leaf.
      t.is(await visit(proxy, port, app(b)), shown(app(b), port));
      t.is(await visit(proxy, port, app(a)), `resumed http/1.1 ${a}:${port}`);
      t.deepEqual(
        proxy.events.filter((event) => event.type === 'error' || event.type === 'client-tls-error'),
        [],
      );
    });
  });

test('a leaf that cannot be minted or read fails its own app only, with an event naming the host', async (t) => {
  await withRoute(t, async (proxy, port) => {
    const [good, unread, unminted] = HOSTS as [string, string, string];
    const leafFor = proxy.minter.leafFor.bind(proxy.minter);
    // A certificate OpenSSL cannot read, and a mint that fails (the signature, say).
    proxy.minter.leafFor = (names) =>
      names[0] === unread
        ? Promise.resolve({ pem: 'not a certificate', sessions: 'unread' })
        : names[0] === unminted
          ? Promise.reject(new Error('no signature'))
          : leafFor(names);
    for (const name of [unread, unminted])
      await t.throwsAsync(appSession(proxy, port, { connect: name, name, h2: false }));
    const failures = proxy.events.flatMap((event) =>
      event.type === 'error' ? [`${event.code} ${event.host ?? ''}`] : [],
    );
    t.deepEqual(failures.sort(), [`MINT_FAILED ${unread}`, `MINT_FAILED ${unminted}`].sort());
    t.is(
      await visit(proxy, port, { connect: good, name: good, h2: true }),
      shown({ connect: good, name: good, h2: true }, port),
    );
  });
});
