// Inputs that once crashed, leaked or bypassed checks (found in review), each now refused cleanly
// while the proxy keeps serving.
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { buildCertificate } from '../../src/ca/certificate-builder.js';
import { ensureLocalCa } from '../../src/ca/local-ca.js';
import { parseProxyAuth } from '../../src/proxy/proxy-auth.js';
import { makeFixtures, runCli, type Fixtures } from '../helpers/fixtures.js';
import { makeTestCa } from '../helpers/pki.js';
import { fixtureTrust, storeOf } from '../helpers/observe.js';
import { fetchViaProxy, startHttpOrigin, startHttpsOrigin, startTestProxy, tlsViaProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** Raw HTTP/1.1 bytes to the proxy; resolves with what comes back before close (or 3 s). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, 3000);
  });
}

test('plain listener: WebSocket upgrades, https:// targets, origin-form and bad ports are refused; the proxy keeps serving', async (t) => {
  const origin = await startHttpOrigin();
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [], {}, { auth: parseProxyAuth('u:p') });
  const auth = `Proxy-Authorization: Basic ${Buffer.from('u:p').toString('base64')}\r\n`;
  try {
    const upgrade = await raw(
      proxy.port,
      `GET ws://127.0.0.1:${origin.port}/secret HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    t.regex(upgrade, /^HTTP\/1\.1 400 /, 'no 101 without CONNECT, and no way around --auth');
    const wss = await raw(
      proxy.port,
      `GET wss://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    t.regex(wss, /^HTTP\/1\.1 400 /);
    const https = await raw(
      proxy.port,
      `GET https://127.0.0.1:${origin.port}/login HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n${auth}Authorization: Bearer SECRET\r\n\r\n`,
    );
    t.regex(https, /^HTTP\/1\.1 400 [\s\S]*use CONNECT for https/, 'never sent in cleartext');
    const originForm = await raw(proxy.port, `GET /loop HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n${auth}\r\n`);
    t.regex(originForm, /^HTTP\/1\.1 400 [\s\S]*this is a proxy/);
    const self = await raw(
      proxy.port,
      `GET http://127.0.0.1:${proxy.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n${auth}\r\n`,
    );
    t.regex(self, /^HTTP\/1\.1 508 /);
    const badPort = await raw(
      proxy.port,
      `GET http://127.0.0.1:99999/ HTTP/1.1\r\nHost: 127.0.0.1:99999\r\n${auth}\r\n`,
    );
    t.regex(badPort, /^HTTP\/1\.1 400 /);
    const ok = await raw(
      proxy.port,
      `GET http://127.0.0.1:${origin.port}/after HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n${auth}Connection: close\r\n\r\n`,
    );
    t.regex(ok, /plain hello \/after/, 'still serving');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a MITM WebSocket upgrade with a malformed Host does not take the proxy down', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${origin.port}:127.0.0.1`]);
  try {
    const tls = await tlsViaProxy(proxy.port, scenario.host!, origin.port, { ca: [proxy.ca.certPem] });
    tls.write(
      'GET /ws HTTP/1.1\r\nHost: [\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    tls.destroy();
    t.is(
      (await fetchViaProxy(proxy.port, `https://${scenario.host}:${origin.port}/alive`, proxy.ca.certPem)).status,
      200,
    );
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('an origin that rotates certificates is still served (the proxy records again on a new leaf)', async (t) => {
  const root = await makeTestCa('Rotation Root');
  const leaves = [await root.issue(['lb.example.com']), await root.issue(['lb.example.com'])];
  const contexts = leaves.map((leaf) => createSecureContext({ key: leaf.keyPem, cert: leaf.pem }));
  let turn = 0;
  const origin = createHttps({ SNICallback: (_name, cb) => cb(null, contexts[turn++ % 2]!) }, (_req, res) =>
    res.end('rotated'),
  );
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy({ public: storeOf('public', [root.pem]), system: null, extra: null }, [
    `lb.example.com:${port}:127.0.0.1`,
  ]);
  try {
    for (let i = 0; i < 4; i++)
      t.is(
        (await fetchViaProxy(proxy.port, `https://lb.example.com:${port}/${i}`, proxy.ca.certPem)).status,
        200,
        `request ${i}`,
      );
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    origin.close();
  }
});

test('a rotated leaf that does not verify is refused, never passed to the app', async (t) => {
  const root = await makeTestCa('Rotation Root');
  const good = await root.issue(['lb.example.com']);
  // Same name, signed by a CA nobody trusts.
  const bad = await (await makeTestCa('lb.example.com')).issue(['lb.example.com']);
  const contexts = [good, bad].map((leaf) => createSecureContext({ key: leaf.keyPem, cert: leaf.pem }));
  let turn = 0;
  // The first connection (which records the host) lands on the good node, the next one on the node
  // whose leaf no store trusts, the one after that on the good node again. No connection is reused.
  const origin = createHttps({ SNICallback: (_name, cb) => cb(null, contexts[turn++ % 2]!) }, (_req, res) =>
    res.setHeader('connection', 'close').end('served'),
  );
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startTestProxy({ public: storeOf('public', [root.pem]), system: null, extra: null }, [
    `lb.example.com:${port}:127.0.0.1`,
  ]);
  try {
    const url = `https://lb.example.com:${port}/`;
    t.is((await fetchViaProxy(proxy.port, url, proxy.ca.certPem)).status, 200, 'recorded on the good node');
    const rotated = await fetchViaProxy(proxy.port, url, proxy.ca.certPem);
    t.not(rotated.status, 200);
    t.false(rotated.body.includes('served'));
    t.true(
      proxy.events.some(
        (e) => e.type === 'error' && /OpenSSL refused the upstream certificate for lb\.example\.com/.test(e.message),
      ),
    );
    t.is(
      (await fetchViaProxy(proxy.port, `https://lb.example.com:${port}/`, proxy.ca.certPem)).status,
      200,
      'the good node still serves',
    );
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    origin.close();
  }
});

test('an app that starts a TLS handshake and goes quiet is cut off at the deadline', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const origin = await startHttpsOrigin(scenario);
  const proxy = await startTestProxy(
    fixtureTrust(fixtures.pki),
    [`${scenario.host}:${origin.port}:127.0.0.1`],
    {},
    { timeoutMs: 600 },
  );
  try {
    const started = Date.now();
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect(proxy.port, '127.0.0.1', () =>
        socket.write(`CONNECT ${scenario.host}:${origin.port} HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      socket.once('data', () => socket.write(Buffer.from([0x16, 0x03, 0x01])));
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
      setTimeout(() => resolve(false), 5000);
    });
    t.true(closed, 'the proxy closed the stalled connection');
    t.true(Date.now() - started < 4000);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('an unwritable --log is a one-line error (exit 2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-log-'));
  const result = await runCli([
    'proxy',
    '--port',
    '0',
    '--certs-dir',
    dir,
    '--log',
    join(dir, 'no-such-dir', 'events.ndjson'),
  ]);
  t.is(result.code, 2);
  t.regex(result.stderr, /^Error: --log .*events\.ndjson: ENOENT: pass a writable file\n$/);
});

test('two processes creating the CA at once end up with one CA', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-race-'));
  const [a, b, c] = await Promise.all([ensureLocalCa(dir), ensureLocalCa(dir), ensureLocalCa(dir)]);
  t.is(a.certPem, b.certPem);
  t.is(b.certPem, c.certPem);
  t.is([a, b, c].filter((ca) => ca.created).length, 1);
  const signed = await buildCertificate({
    subject: [{ type: 'CN', value: 'x' }],
    issuer: [{ type: 'CN', value: 'y' }],
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 1e6),
    publicKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey,
    signingKey: b.key,
  });
  t.true(
    new (await import('node:crypto')).X509Certificate(signed.der).verify(a.cert.x509.publicKey),
    "every caller's key belongs to the certificate on disk",
  );
  void request;
});
