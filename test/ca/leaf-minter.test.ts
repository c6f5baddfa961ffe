// The MITM's leaves: minted once per set of names (one mint for concurrent asks), kept in a bounded
// LRU, and served from one context holding the leaves' key; every connection keeps the leaf it was made
// with, and a client checking the local CA and the name accepts it for that name only.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, TLSSocket, type SecureContext } from 'node:tls';
import { LeafMinter, type MintedLeaf } from '../../src/ca/leaf-minter.js';
import { ensureLocalCa } from '../../src/ca/local-ca.js';

const setup = (async () => {
  const ca = await ensureLocalCa(mkdtempSync(join(tmpdir(), 'tlswitness-minter-')));
  return { ca, minter: await LeafMinter.create(ca) };
})();

/**
 * A handshake as a client that trusts only the local CA and checks `name`, with a server whose TLS
 * socket is made from the context `serve` returns, as the proxy makes an app's (mitm-session.ts).
 */
async function handshake(
  serve: () => SecureContext,
  caPem: string,
  name: string,
  made: () => void = () => undefined,
): Promise<string> {
  const server = createServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext: serve() });
    made();
    socket.on('error', () => undefined);
    socket.on('secure', () => socket.end());
  });
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

/** Counts how often the minter's context reads a certificate. */
function countReads(minter: LeafMinter, anyLeaf: MintedLeaf): () => number {
  const native = minter.contextWith(anyLeaf).context as { setCert(pem: string): void };
  const setCert = native.setCert.bind(native);
  let reads = 0;
  native.setCert = (pem) => {
    reads++;
    setCert(pem);
  };
  return () => reads;
}

test('every leaf serves a handshake for its own name only, all from one context', async (t) => {
  const { ca, minter } = await setup;
  const names = Array.from({ length: 5 }, (_, i) => `h${i}.minter.test`);
  const leaves = await Promise.all(names.map((name) => minter.leafFor([name])));
  for (const [i, name] of names.entries())
    t.is(await handshake(() => minter.contextWith(leaves[i]!), ca.certPem, name), `CN=${name}`);
  const later = await minter.leafFor(['later.minter.test']);
  t.is(await handshake(() => minter.contextWith(later), ca.certPem, 'later.minter.test'), 'CN=later.minter.test');
  t.is(
    await handshake(() => minter.contextWith(later), ca.certPem, 'other.minter.test'),
    'ERR_TLS_CERT_ALTNAME_INVALID',
  );
  t.is(minter.contextWith(leaves[0]!), minter.contextWith(later), 'one context');
});

test('a connection keeps the leaf it was made with when the context takes the next one', async (t) => {
  const { ca, minter } = await setup;
  const [first, next] = await Promise.all([minter.leafFor(['first.keep.test']), minter.leafFor(['next.keep.test'])]);
  // Another app's connection is made right after this one's socket, before its handshake has even started.
  const another = () => void minter.contextWith(next);
  t.is(await handshake(() => minter.contextWith(first), ca.certPem, 'first.keep.test', another), 'CN=first.keep.test');
});

test('a Node whose native context has no setCert: each leaf is served from a context of its own', async (t) => {
  const { ca } = await setup;
  const minter = await LeafMinter.create(ca);
  const [a, b] = await Promise.all([minter.leafFor(['a.own.minter.test']), minter.leafFor(['b.own.minter.test'])]);
  const keyed = minter.contextWith(a);
  // The native context as a Node without these methods would make it (docs/design.md, Node internals it relies on).
  Object.assign(keyed.context as object, { setCert: undefined, setSessionIdContext: undefined });
  t.is(await handshake(() => minter.contextWith(b), ca.certPem, 'b.own.minter.test'), 'CN=b.own.minter.test');
  t.is(await handshake(() => minter.contextWith(a), ca.certPem, 'a.own.minter.test'), 'CN=a.own.minter.test');
  t.not(minter.contextWith(a), keyed);
  t.is(minter.contextWith(a), minter.contextWith(a), 'made once while the leaf stays the current one');
  t.not(minter.contextWith(b), minter.contextWith(a));
  const bare = await LeafMinter.create(ca);
  const [c, d] = await Promise.all([bare.leafFor(['a.own.minter.test']), bare.leafFor(['b.own.minter.test'])]);
  Object.assign(bare.contextWith(c), { context: undefined });
  t.is(
    await handshake(() => bare.contextWith(d), ca.certPem, 'b.own.minter.test'),
    'CN=b.own.minter.test',
    'no native context at all',
  );
});

test('one mint per set of names: concurrent asks share it, and names are compared without case', async (t) => {
  const { ca } = await setup;
  const minter = await LeafMinter.create(ca);
  const leaves = await Promise.all([
    minter.leafFor(['Shared.minter.test']),
    minter.leafFor(['shared.minter.test']),
    minter.leafFor(['SHARED.minter.test', 'shared.minter.test']),
  ]);
  t.is(minter.mintTimes.length, 1);
  t.is(leaves[1], leaves[0]);
  t.is(leaves[2], leaves[0]);
  t.is(await minter.leafFor(['shared.minter.test']), leaves[0], 'kept');
});

test('the leaves kept are bounded: the least recently used is minted again', async (t) => {
  const { ca } = await setup;
  const minter = await LeafMinter.create(ca, 2);
  const x = await minter.leafFor(['x.lru.test']);
  await minter.leafFor(['y.lru.test']);
  t.is(await minter.leafFor(['x.lru.test']), x, 'x used again: y is now the oldest');
  await minter.leafFor(['z.lru.test']);
  t.is(await minter.leafFor(['x.lru.test']), x);
  t.is(minter.mintTimes.length, 3);
  await minter.leafFor(['y.lru.test']);
  t.is(minter.mintTimes.length, 4, 'y was dropped');
});

test('a leaf put in ahead (prime, ahead) is not read again for its connection, unless another came in between', async (t) => {
  const { ca } = await setup;
  // Its own: the other tests' connections would put their leaves in meanwhile.
  const minter = await LeafMinter.create(ca);
  const [a, b] = await Promise.all([minter.leafFor(['a.prime.test']), minter.leafFor(['b.prime.test'])]);
  const reads = countReads(minter, b);
  minter.prime(a);
  t.is(reads(), 1);
  minter.contextWith(a);
  t.is(reads(), 1, 'already in');
  minter.contextWith(b);
  minter.contextWith(a);
  t.is(reads(), 3, 'read again after b');
  minter.ahead(['c.prime.test']);
  const c = await minter.leafFor(['c.prime.test']);
  await new Promise((resolve) => setImmediate(resolve));
  const before = reads();
  minter.contextWith(c);
  t.is(reads(), before, 'ahead put the minted leaf in');
});

test('a leaf never outlives the local CA: its notAfter is capped at the CA’s', async (t) => {
  const { ca } = await setup;
  const soon = new Date(Date.now() + 30 * 86_400_000);
  // The CA as loaded, but ending in 30 days (the leaves otherwise last 397).
  const ending = { ...ca, cert: Object.create(ca.cert, { notAfter: { value: soon } }) as typeof ca.cert };
  const minter = await LeafMinter.create(ending);
  const leaf = new X509Certificate((await minter.leafFor(['capped.minter.test'])).pem);
  t.is(new Date(leaf.validTo).getTime(), Math.floor(soon.getTime() / 1000) * 1000);
  const long = new X509Certificate((await (await LeafMinter.create(ca)).leafFor(['long.minter.test'])).pem);
  const days = (new Date(long.validTo).getTime() - Date.now()) / 86_400_000;
  t.true(days > 396 && days <= 397, `${days} days`);
});

/** The TLS 1.3 suite a client offering `ciphers` (Node's order when undefined) gets from the proxy's side. */
async function suiteFor(minter: LeafMinter, leaf: MintedLeaf, caPem: string, ciphers?: string): Promise<string> {
  const server = createServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext: minter.contextWith(leaf) });
    socket.on('error', () => undefined);
    socket.on('secure', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername: 'suite.minter.test',
        ca: caPem,
        ...(ciphers ? { ciphers } : {}),
      });
      socket.once('secureConnect', () => {
        resolve(socket.getCipher().standardName);
        socket.destroy();
      });
      socket.once('error', reject);
    });
  } finally {
    server.close();
  }
}

test('the app is given AES-128-GCM, though Node offers AES-256-GCM first; ChaCha20 when the app prefers it', async (t) => {
  const { ca, minter } = await setup;
  const leaf = await minter.leafFor(['suite.minter.test']);
  t.is(await suiteFor(minter, leaf, ca.certPem), 'TLS_AES_128_GCM_SHA256');
  t.is(
    await suiteFor(
      minter,
      leaf,
      ca.certPem,
      'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256',
    ),
    'TLS_CHACHA20_POLY1305_SHA256',
  );
  t.is(await suiteFor(minter, leaf, ca.certPem, 'TLS_AES_256_GCM_SHA384'), 'TLS_AES_256_GCM_SHA384');
});
