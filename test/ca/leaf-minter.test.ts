// The MITM's leaf contexts: minted per name (one for concurrent asks), and made from contexts that
// already hold the leaves' key, a fixed few prepared while the proxy is quiet; every one of them
// serves a handshake that a client checking the local CA and the name accepts.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type SecureContext } from 'node:tls';
import { LeafMinter, SPARE_KEYED } from '../../src/ca/leaf-minter.js';
import { ensureLocalCa } from '../../src/ca/local-ca.js';

const setup = (async () => {
  const ca = await ensureLocalCa(mkdtempSync(join(tmpdir(), 'tlswitness-minter-')));
  return { ca, minter: await LeafMinter.create(ca) };
})();

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A handshake with a server on `context`, as a client that trusts only the local CA and checks `name`. */
async function handshake(context: SecureContext, caPem: string, name: string): Promise<string> {
  const server = createServer({ SNICallback: (_name, done) => done(null, context) }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername: name,
        ca: caPem,
      });
      socket.once('secureConnect', () => {
        const subject = socket.getPeerX509Certificate()?.subject ?? '';
        socket.destroy();
        resolve(subject);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    server.close();
  }
}

/** The minter's timers do not hold a process open (the proxy's listener does): this does, for one test. */
function holdOpen(t: ExecutionContext): void {
  const alive = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(alive));
}

// Serial: the turns below must not wait behind the other tests' handshakes.
test.serial(
  'contexts holding the key are prepared once the proxy is quiet, off the path of the app that asked',
  async (t) => {
    const { ca } = await setup;
    holdOpen(t);
    const minter = await LeafMinter.create(ca, 1000, 200);
    await minter.filled();
    t.is(minter.spareContexts, SPARE_KEYED, 'made after start, before the first new host');
    await minter.contextFor(['first.minter.test']);
    t.is(minter.spareContexts, SPARE_KEYED - 1, 'the mint took a prepared context');
    // The new host's handshakes run in the next turns: its replacement is not made in them.
    for (let i = 0; i < 5; i++) await turn();
    t.is(minter.spareContexts, SPARE_KEYED - 1);
    await minter.filled();
    t.is(minter.spareContexts, SPARE_KEYED);
  },
);

test.serial(
  'a response sent (spareTime) makes the spare contexts on the next turns, not after the delay',
  async (t) => {
    const { ca } = await setup;
    holdOpen(t);
    // A delay no test waits out: only spareTime can fill the spares here.
    const minter = await LeafMinter.create(ca, 1000, 600_000);
    minter.spareTime();
    await minter.filled();
    t.is(minter.spareContexts, SPARE_KEYED);
    const minting = minter.contextFor(['during.minter.test']);
    minter.spareTime();
    const context = await minting;
    for (let i = 0; i < 5; i++) await turn();
    t.is(minter.spareContexts, SPARE_KEYED - 1, 'nothing made while a mint was under way');
    minter.spareTime();
    await minter.filled();
    t.is(minter.spareContexts, SPARE_KEYED);
    t.is(await handshake(context, ca.certPem, 'during.minter.test'), 'CN=during.minter.test');
    // The spares made in two halves hold the key: the next leaf is served from one.
    const next = await minter.contextFor(['next.minter.test']);
    t.is(minter.spareContexts, SPARE_KEYED - 1);
    t.is(await handshake(next, ca.certPem, 'next.minter.test'), 'CN=next.minter.test');
  },
);

test('the prepared contexts stay a fixed few, however many hosts were minted', async (t) => {
  const { ca } = await setup;
  holdOpen(t);
  const minter = await LeafMinter.create(ca, 1000, 1);
  await minter.filled();
  await Promise.all(Array.from({ length: 3 * SPARE_KEYED }, (_, i) => minter.contextFor([`burst${i}.minter.test`])));
  t.is(minter.spareContexts, 0, 'a burst past the spares makes the rest on the spot');
  await minter.filled();
  for (let i = 0; i < 5; i++) await turn();
  t.is(minter.spareContexts, SPARE_KEYED);
});

test('every leaf, from a prepared context or a fresh one, serves a handshake for its own name only', async (t) => {
  const { ca, minter } = await setup;
  // More at once than are prepared: some contexts are fresh, some were prepared.
  const names = Array.from({ length: 5 }, (_, i) => `h${i}.minter.test`);
  const contexts = await Promise.all(names.map((name) => minter.contextFor([name])));
  for (const [i, name] of names.entries()) t.is(await handshake(contexts[i]!, ca.certPem, name), `CN=${name}`);
  await turn();
  const later = await minter.contextFor(['later.minter.test']);
  t.is(await handshake(later, ca.certPem, 'later.minter.test'), 'CN=later.minter.test');
  t.is(await handshake(later, ca.certPem, 'other.minter.test'), 'ERR_TLS_CERT_ALTNAME_INVALID');
  t.is(await minter.contextFor(['H0.minter.test']), contexts[0]!, 'one context per name');
});
