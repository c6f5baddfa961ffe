// The TLS sessions of the minter's one context: an app resumes a session only under the leaf it was
// made with (RFC 6066 3: not under another name), the context keeps no session cache that grows with
// connections, and a connection keeps its leaf through a renegotiation after the context moved on.
import test from 'ava';
import { constants } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, TLSSocket, type ConnectionOptions, type SecureContext } from 'node:tls';
import { LeafMinter } from '../../src/ca/leaf-minter.js';
import { ensureLocalCa } from '../../src/ca/local-ca.js';

const setup = (async () => {
  const ca = await ensureLocalCa(mkdtempSync(join(tmpdir(), 'tlswitness-sessions-')));
  const minter = await LeafMinter.create(ca);
  const [a, b] = await Promise.all([minter.leafFor(['a.sessions.test']), minter.leafFor(['b.sessions.test'])]);
  return { ca, minter, a, b };
})();

interface Outcome {
  reused: boolean;
  subject: string | undefined;
  /** The last session the server gave (TLS 1.3 sends its tickets after the handshake). */
  session: Buffer | undefined;
  error?: string;
}

/** A server making each socket from `serve()`, as the proxy makes an app's; one client exchange with it. */
async function exchange(serve: () => SecureContext, options: ConnectionOptions): Promise<Outcome> {
  const server = createServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext: serve() });
    socket.on('error', () => undefined);
    socket.on('data', () => socket.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await new Promise<Outcome>((resolve) => {
      const socket = connect({ ...options, host: '127.0.0.1', port: (server.address() as AddressInfo).port });
      let session: Buffer | undefined;
      const outcome = (error?: string) => ({
        reused: socket.isSessionReused(),
        subject: socket.getPeerX509Certificate()?.subject,
        session,
        error,
      });
      socket.on('session', (ticket: Buffer) => (session = ticket));
      socket.once('secureConnect', () => socket.write('hi'));
      socket.on('data', () => undefined);
      socket.once('end', () => resolve(outcome()));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(outcome(error.code ?? error.message)));
    });
  } finally {
    server.close();
  }
}

for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
  test(`${maxVersion}: a session made under one leaf resumes under that leaf only, never under another host's`, async (t) => {
    const { ca, minter, a, b } = await setup;
    const app = { ca: ca.certPem, maxVersion };
    const first = await exchange(() => minter.contextWith(a), { ...app, servername: 'a.sessions.test' });
    t.is(first.subject, 'CN=a.sessions.test');
    t.truthy(first.session);
    // An app offering a.sessions.test's session to b.sessions.test (RFC 8446 4.6.1 says it must not; RFC
    // 6066 3 says the server must not accept it): resumed, it would be shown a.sessions.test's leaf for b.
    const other = await exchange(() => minter.contextWith(b), {
      ...app,
      servername: 'b.sessions.test',
      session: first.session,
    });
    t.false(other.reused, 'not resumed under another leaf');
    t.is(other.subject, 'CN=b.sessions.test');
    const again = await exchange(() => minter.contextWith(a), {
      ...app,
      servername: 'a.sessions.test',
      session: first.session,
    });
    t.true(again.reused, 'the same leaf resumes its own sessions');
  });
}

test('a connection resumes under the leaf it was made with, whatever the context took next', async (t) => {
  const { ca, minter, a, b } = await setup;
  const app = { ca: ca.certPem, servername: 'a.sessions.test' };
  const first = await exchange(() => minter.contextWith(a), app);
  const made = () => {
    const context = minter.contextWith(a);
    // The next app's leaf goes in before this connection's handshake has started.
    queueMicrotask(() => void minter.contextWith(b));
    return context;
  };
  const resumed = await exchange(made, { ...app, session: first.session });
  t.true(resumed.reused);
  const refused = await exchange(
    () => {
      const context = minter.contextWith(b);
      queueMicrotask(() => void minter.contextWith(a));
      return context;
    },
    { ...app, servername: 'b.sessions.test', session: first.session },
  );
  t.false(refused.reused);
  t.is(refused.subject, 'CN=b.sessions.test');
});

test('TLS 1.2 session ids are not cached: the one context holds nothing per connection', async (t) => {
  const { ca, minter, a } = await setup;
  // Without tickets only a server-side cache could resume the session (Node turns OpenSSL's off).
  const app = {
    ca: ca.certPem,
    servername: 'a.sessions.test',
    maxVersion: 'TLSv1.2',
    secureOptions: constants.SSL_OP_NO_TICKET,
  } as const;
  const first = await exchange(() => minter.contextWith(a), app);
  t.truthy(first.session);
  const again = await exchange(() => minter.contextWith(a), { ...app, session: first.session });
  t.is(again.error, undefined);
  t.false(again.reused);
});

test('a TLS 1.2 renegotiation after the context took another leaf still shows the connection’s own', async (t) => {
  const { ca, minter, a, b } = await setup;
  const server = createServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext: minter.contextWith(a) });
    minter.contextWith(b);
    socket.on('error', () => undefined);
    socket.on('data', () => socket.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const socket = connect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    servername: 'a.sessions.test',
    ca: ca.certPem,
    maxVersion: 'TLSv1.2',
  });
  await once(socket, 'secureConnect');
  const error = await new Promise<Error | null>((resolve) => socket.renegotiate({ rejectUnauthorized: true }, resolve));
  t.is(error, null);
  t.is(socket.getPeerX509Certificate()?.subject, 'CN=a.sessions.test');
  socket.destroy();
});

test('a certificate OpenSSL cannot read throws, and the context still serves the leaf it held', async (t) => {
  const { ca, minter, a } = await setup;
  minter.contextWith(a);
  t.throws(() => minter.contextWith({ pem: 'not a certificate', sessions: 'broken' }));
  const after = await exchange(() => minter.contextWith(a), { ca: ca.certPem, servername: 'a.sessions.test' });
  t.is(after.error, undefined);
  t.is(after.subject, 'CN=a.sessions.test');
});

test('a leaf put in ahead that OpenSSL cannot read is left to its connection, not thrown into the void', async (t) => {
  const { ca } = await setup;
  const minter = await LeafMinter.create(ca);
  minter.leafFor = () => Promise.resolve({ pem: 'not a certificate', sessions: 'broken' });
  // An unhandled rejection here would end the proxy's process (Node 20's default); ava fails the file on one.
  minter.ahead(['unread.sessions.test']);
  await new Promise((resolve) => setImmediate(resolve));
  const unread = await minter.leafFor(['unread.sessions.test']);
  t.throws(() => minter.contextWith(unread), { message: /PEM/ });
});
