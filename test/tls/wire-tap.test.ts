// The tap under a TLS connection: a server that closes right after a large response (Connection: close)
// while the reader is paused still has its whole response read, and the close raises no error.
import test from 'ava';
import { request as httpsRequest, createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { WireTap } from '../../src/tls/wire-tap.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const SIZE = 400_000;

test('a response the server closes after, read slowly through the tap, arrives whole and without an error', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const server = createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }, (_req, res) => {
    res.writeHead(200, { connection: 'close' });
    res.end(Buffer.alloc(SIZE, 0x79));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const raw = netConnect(port, '127.0.0.1');
    await new Promise((resolve) => raw.once('connect', resolve));
    const tls = tlsConnect({
      socket: new WireTap(raw, undefined, true),
      servername: scenario.host ?? undefined,
      rejectUnauthorized: false,
    });
    await new Promise((resolve) => tls.once('secureConnect', resolve));
    const errors: string[] = [];
    tls.on('error', (error) => errors.push(error.message));
    const received = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ createConnection: () => tls, host: '127.0.0.1', port, path: '/' }, (res) => {
        let bytes = 0;
        // Paused after every chunk: the server's last bytes and its FIN arrive while the reader is behind.
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          res.pause();
          setImmediate(() => res.resume());
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => (tls.destroyed ? resolve(null) : tls.once('close', resolve)));
    t.is(received, SIZE);
    t.deepEqual(errors, []);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
