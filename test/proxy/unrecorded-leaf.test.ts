// Behind a load balancer a connection can show a leaf the host's record is not about. Node's OpenSSL runs
// at security level 1, which accepts an RSA-1024 leaf that a level-2 client (Debian's curl, Python)
// refuses: such a leaf is judged as the record would judge it, and refused, before anything is forwarded.
import test from 'ava';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  connect as tlsConnect,
  createSecureContext,
  createServer as createTlsServer,
  type DetailedPeerCertificate,
  type PeerCertificate,
} from 'node:tls';
import { buildCertificate } from '../../src/ca/certificate-builder.js';
import { peerPath, unrecordedLeafRefusal } from '../../src/proxy/unrecorded-leaf.js';
import { pemCertificates } from '../../src/trust/pem.js';
import type { HandshakeRecord } from '../../src/types.js';
import { storeOf } from '../helpers/observe.js';
import { makeTestCa } from '../helpers/pki.js';
import { fetchViaProxy, startTestProxy, type TestProxy } from '../helpers/proxy.js';

const ORIGIN_BODY = 'origin body: the app must never see it behind the weak leaf';

/** The next record published for `host` after the `seen` first ones (bounded: null after 5 s). */
function nextRecord(proxy: TestProxy, host: string, seen: number): Promise<HandshakeRecord | null> {
  let count = 0;
  const recorded = proxy.event((e) => e.type === 'handshake' && e.target.host === host && ++count > seen);
  const bound = new Promise<null>((resolve) => setTimeout(resolve, 5_000, null).unref());
  return Promise.race([recorded as Promise<HandshakeRecord>, bound]);
}

test('behind a load balancer, a leaf not recorded yet with an RSA-1024 key (level 1 accepts it, level 2 refuses) is blocked on sight; RSA-2048 leaves pass', async (t) => {
  const host = 'balanced.test';
  const ca = await makeTestCa('Balancer Test CA');
  const leaves = {
    strong: await ca.issue([host], 2048),
    rotated: await ca.issue([host], 2048),
    weak: await ca.issue([host], 1024),
  };
  const contexts = Object.fromEntries(
    Object.entries(leaves).map(([name, leaf]) => [name, createSecureContext({ key: leaf.keyPem, cert: leaf.pem })]),
  );
  // The load balancer's certificate for each new connection (a closed one is never reused).
  let showing: keyof typeof leaves = 'strong';
  const origin = createServer({ SNICallback: (_name, done) => done(null, contexts[showing]) }, (_req, res) =>
    res.writeHead(200, { connection: 'close' }).end(ORIGIN_BODY),
  );
  origin.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const trust = { public: null, system: null, extra: storeOf('extra', [ca.pem]) };
  const proxy = await startTestProxy(trust, [`${host}:${port}:127.0.0.1`]);
  const url = `https://${host}:${port}/`;
  const get = () => fetchViaProxy(proxy.port, url, proxy.ca.certPem);
  try {
    const first = await get();
    t.is(first.status, 200);
    t.is(first.body, ORIGIN_BODY);
    t.is((await nextRecord(proxy, host, 0))?.diagnosis.problem, 'ok', 'the first RSA-2048 leaf is recorded');
    t.is((await get()).status, 200, 'the recorded leaf passes');

    showing = 'rotated';
    const rotated = await get();
    t.is(rotated.status, 200, 'another RSA-2048 leaf, not recorded yet, passes');
    t.is(rotated.body, ORIGIN_BODY);
    t.is((await nextRecord(proxy, host, 1))?.diagnosis.problem, 'ok', 'and is recorded');

    showing = 'weak';
    const weak = await get();
    t.is(weak.status, 502, 'a leaf not recorded yet is refused when a careful client refuses it');
    t.false(weak.body.includes(ORIGIN_BODY));
    // That leaf is recorded too, and its record says why.
    t.is((await nextRecord(proxy, host, 2))?.diagnosis.problem, 'weak-crypto');
    const again = await get();
    t.is(again.status, 502, 'now the record about it blocks it');
    t.false(again.body.includes(ORIGIN_BODY));
  } finally {
    await proxy.close();
    await new Promise<void>((resolve) => origin.close(() => resolve()));
  }
});

const OPENSSL_OK = { ok: true, code: null, opensslCode: null, message: 'ok' };

/** The leaf as Node hands it to checkServerIdentity: each certificate linked to its issuer, the anchor to itself. */
function shownChain(leafPem: string, caPem: string): { shown: DetailedPeerCertificate; peer: X509Certificate } {
  const root = { raw: pemCertificates(caPem)[0]! } as DetailedPeerCertificate;
  root.issuerCertificate = root;
  const shown = { raw: pemCertificates(leafPem)[0]!, issuerCertificate: root } as DetailedPeerCertificate;
  return { shown, peer: new X509Certificate(leafPem) };
}

test('the path read from the handshake: leaf to anchor, anchored when the top links to itself; else the leaf alone', async (t) => {
  const ca = await makeTestCa('Path Test CA');
  const leaf = await ca.issue(['path.test']);
  const { shown, peer } = shownChain(leaf.pem, ca.pem);
  t.deepEqual(peerPath(shown, peer), { ders: [shown.raw, shown.issuerCertificate.raw], anchored: true });
  const unlinked = { raw: shown.raw } as DetailedPeerCertificate;
  t.deepEqual(peerPath(unlinked, peer), { ders: [shown.raw], anchored: false });
  t.deepEqual(peerPath(undefined, peer), { ders: [peer.raw], anchored: false }, 'a resumed session: the leaf alone');
});

test("an unrecorded leaf is judged at this machine's OpenSSL level, and at Debian's level 2 when that is unknown or laxer", async (t) => {
  const ca = await makeTestCa('Level Test CA');
  const strong = shownChain((await ca.issue(['level.test'], 2048)).pem, ca.pem);
  const weak = shownChain((await ca.issue(['level.test'], 1024)).pem, ca.pem);
  const refusal = (leaf: typeof strong, level: number | null) =>
    unrecordedLeafRefusal(leaf.shown, leaf.peer, { opensslLevel: () => level }, 'level.test', OPENSSL_OK);
  for (const level of [null, 1, 2]) t.is(refusal(strong, level), null, `RSA-2048 at ${level}`);
  t.regex(
    refusal(strong, 3)?.message ?? '',
    /level 3.*EE certificate key too weak/,
    'a level-3 machine refuses RSA-2048',
  );
  for (const level of [null, 1]) {
    const refused = refusal(weak, level);
    t.regex(refused?.message ?? '', /level 2.*EE certificate key too weak/, `RSA-1024 at ${level}`);
    t.is(refused?.record, null, 'no record is about this leaf yet');
  }
  t.regex(
    unrecordedLeafRefusal(weak.shown, weak.peer, {}, 'level.test', OPENSSL_OK)?.message ?? '',
    /EE certificate key too weak/,
    'no level given: judged as for an unknown one',
  );
});

// peerPath follows Node's issuer links (getPeerCertificate(true): issuers from the chain sent first, the
// store only at its top), while OpenSSL builds its path trusted-first (X509_V_FLAG_TRUSTED_FIRST, on by
// default since 1.1.0) and stops at the first certificate the store has an issuer for. With a cross-signed
// root sent, the two paths differ: the refusal judges the path rebuilt from the stores, as OpenSSL's.
/**
 * An old RSA root, a new EC root, the new root cross-signed by the old one with SHA-1 (as legacy
 * cross-signs were), an intermediate under the new root, and leaves under it.
 */
async function crossSignedPki() {
  const day = 86_400_000;
  const [notBefore, notAfter] = [new Date(Date.now() - day), new Date(Date.now() + 300 * day)];
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const [oldKey, newKey, intKey] = [generateKeyPairSync('rsa', { modulusLength: 2048 }), ec(), ec()];
  const [oldName, newName, intName] = ['Old Root', 'New Root', 'Cross Test Int'].map((value) => [
    { type: 'CN', value },
  ]);
  const dates = { notBefore, notAfter };
  const oldRoot = await buildCertificate({
    subject: oldName!,
    ...dates,
    publicKey: oldKey.publicKey,
    signingKey: oldKey.privateKey,
    isCA: true,
  });
  const newRoot = await buildCertificate({
    subject: newName!,
    ...dates,
    publicKey: newKey.publicKey,
    signingKey: newKey.privateKey,
    isCA: true,
  });
  const cross = await buildCertificate({
    subject: newName!,
    issuer: oldName!,
    ...dates,
    publicKey: newKey.publicKey,
    signingKey: oldKey.privateKey,
    issuerPublicKey: oldKey.publicKey,
    isCA: true,
    digest: 'sha1',
  });
  const int = await buildCertificate({
    subject: intName!,
    issuer: newName!,
    ...dates,
    publicKey: intKey.publicKey,
    signingKey: newKey.privateKey,
    issuerPublicKey: newKey.publicKey,
    isCA: true,
  });
  const issue = async (host: string) => {
    const leafKey = ec();
    const leaf = await buildCertificate({
      subject: [{ type: 'CN', value: host }],
      issuer: intName!,
      ...dates,
      publicKey: leafKey.publicKey,
      signingKey: intKey.privateKey,
      issuerPublicKey: intKey.publicKey,
      dnsNames: [host],
    });
    // A server at level 0 can send the SHA-1 cross-sign (Node's default level 1 would not load it).
    const key = leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return { ciphers: 'DEFAULT@SECLEVEL=0', key, cert: leaf.pem + int.pem + cross.pem };
  };
  return { oldRoot, newRoot, issue };
}

test('a cross-signed root sent with the chain: the path judged is the one OpenSSL verified, not the one Node links', async (t) => {
  const { oldRoot, newRoot, issue } = await crossSignedPki();
  const server = createTlsServer(await issue('cross.test'));
  server.on('secureConnection', (socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let shown: PeerCertificate | undefined;
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    servername: 'cross.test',
    ca: [oldRoot.pem, newRoot.pem],
    rejectUnauthorized: false,
    checkServerIdentity: (_name, cert) => void (shown = cert),
  });
  try {
    await once(socket, 'secureConnect');
    // Node's own level 1 refuses a SHA-1 signature on a path: OpenSSL verified leaf, Int, New Root.
    t.true(socket.authorized, String(socket.authorizationError));
    const peer = socket.getPeerX509Certificate();
    // Node links the Int to the SHA-1 cross-sign it was sent, and that to the old root in the store.
    const linked = peerPath(shown, peer).ders.map((der) => new X509Certificate(der));
    t.deepEqual(
      linked.map((cert) => cert.subject.trim()),
      ['CN=cross.test', 'CN=Cross Test Int', 'CN=New Root', 'CN=Old Root'],
    );
    t.is(linked[2]!.issuer.trim(), 'CN=Old Root');
    const trust = { public: null, system: null, extra: storeOf('extra', [oldRoot.pem, newRoot.pem]), opensslLevel: 1 };
    t.is(
      unrecordedLeafRefusal(shown, peer, { opensslLevel: () => 1, trust: () => trust }, 'cross.test', OPENSSL_OK),
      null,
    );
    // Without the stores only Node's links are there to judge, and their SHA-1 cross-sign is refused.
    const refusal = unrecordedLeafRefusal(shown, peer, { opensslLevel: () => 1 }, 'cross.test', OPENSSL_OK);
    t.regex(refusal?.message ?? '', /too weak for a careful client/);
  } finally {
    socket.destroy();
    server.close();
  }
});

test('behind a load balancer, a new leaf under a cross-signed root sent with the chain passes: the SHA-1 cross-sign is not on the path OpenSSL verified', async (t) => {
  const host = 'cross-balanced.test';
  const { oldRoot, newRoot, issue } = await crossSignedPki();
  const contexts = { first: createSecureContext(await issue(host)), rotated: createSecureContext(await issue(host)) };
  let showing: keyof typeof contexts = 'first';
  const origin = createServer(
    { ciphers: 'DEFAULT@SECLEVEL=0', SNICallback: (_name, done) => done(null, contexts[showing]) },
    (_req, res) => res.writeHead(200, { connection: 'close' }).end(ORIGIN_BODY),
  );
  origin.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const trust = { public: null, system: null, extra: storeOf('extra', [oldRoot.pem, newRoot.pem]), opensslLevel: 1 };
  const proxy = await startTestProxy(trust, [`${host}:${port}:127.0.0.1`]);
  const get = () => fetchViaProxy(proxy.port, `https://${host}:${port}/`, proxy.ca.certPem);
  try {
    const first = await get();
    t.is(first.status, 200, first.body);
    t.is(
      (await nextRecord(proxy, host, 0))?.diagnosis.problem,
      'ok',
      'the record verifies the path through the new root',
    );
    showing = 'rotated';
    const rotated = await get();
    t.is(rotated.status, 200, rotated.body);
    t.is(rotated.body, ORIGIN_BODY);
  } finally {
    await proxy.close();
    await new Promise<void>((resolve) => origin.close(() => resolve()));
  }
});
