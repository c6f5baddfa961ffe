// Graceful shutdown: on SIGTERM / SIGINT the proxy stops accepting, lets the exchanges in flight
// finish within its grace period, flushes the --log and exits 0; past the grace period it cuts them.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchPlainViaProxy, fetchViaProxy, startTestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

/** An origin whose /slow answers after `delayMs`; `arrived` resolves when a /slow request came in. */
async function slowOrigin(server: HttpServer | HttpsServer, delayMs: number) {
  let arrived!: () => void;
  const seen = new Promise<void>((resolve) => (arrived = resolve));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url !== '/slow') return void res.end('fast\n');
    arrived();
    setTimeout(() => res.end(`slow ${req.url} done\n`), delayMs).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: exchanges in flight finish, new connections are refused, the log is complete, exit 0`, async (t) => {
    const scenario = fixtures.pki.scenarios.valid!;
    const https = await slowOrigin(createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }), 1200);
    const http = await slowOrigin(createHttpServer(), 1200);
    const dir = mkdtempSync(join(tmpdir(), 'tlswitness-shutdown-'));
    const log = join(dir, 'events.ndjson');
    const child = spawn(process.execPath, [CLI, 'proxy', '--port', '0', '--json', '--log', log, '--certs-dir', dir, '--public-roots', fixtures.pki.files['public-roots.pem']!, '--resolve', `${scenario.host}:${https.port}:127.0.0.1`], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d;
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        void exited.then(() => reject(new Error(`exited early: ${stderr}`)));
      });
      const caPem = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
      const mitm = fetchViaProxy(port, `https://${scenario.host}:${https.port}/slow`, caPem);
      const plain = fetchPlainViaProxy(port, `http://127.0.0.1:${http.port}/slow`);
      await Promise.all([https.seen, http.seen]);
      const signalled = Date.now();
      child.kill(signal);
      let closed = false;
      for (let i = 0; i < 40 && !closed; i++) {
        closed = await refused(port);
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      t.true(closed, 'new connections are refused once the signal arrived');
      const [mitmAnswer, plainAnswer] = await Promise.all([mitm, plain]);
      t.is(mitmAnswer.status, 200);
      t.is(mitmAnswer.body, 'slow /slow done\n');
      t.is(plainAnswer.status, 200);
      t.is(plainAnswer.body, 'slow /slow done\n');
      t.is(await exited, 0);
      t.true(Date.now() - signalled < 4000, 'no waiting beyond the exchanges in flight');
      const events = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; url?: string; status?: number });
      t.deepEqual(events.filter((e) => e.type === 'request').map((e) => `${e.url} ${e.status}`).sort(), [`http://127.0.0.1:${http.port}/slow 200`, `https://${scenario.host}:${https.port}/slow 200`]);
    } finally {
      child.kill('SIGKILL');
      await Promise.all([https.close(), http.close()]);
    }
  });
}

test('past the grace period, an exchange still in flight is cut and the close completes', async (t) => {
  const origin = await slowOrigin(createHttpServer(), 60_000);
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [], {}, { limits: { shutdownGraceMs: 300 } });
  const answer = fetchPlainViaProxy(proxy.port, `http://127.0.0.1:${origin.port}/slow`).then(
    () => 'answered',
    () => 'cut',
  );
  await origin.seen;
  const started = Date.now();
  await proxy.server.shutdown();
  t.true(Date.now() - started < 1500, `closed after ${Date.now() - started} ms`);
  t.is(await answer, 'cut');
  t.true(await refused(proxy.port));
  await origin.close();
});
