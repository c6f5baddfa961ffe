// Graceful shutdown: on SIGTERM / SIGINT / SIGHUP the proxy stops accepting, lets the exchanges in
// flight finish within its grace period, flushes the --log and the session's HAR and exits 0; past
// the grace period it cuts them. No signal (a second one, or SIGKILL after a while) loses the HAR.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchPlainViaProxy, fetchViaProxy, startTestProxy } from '../helpers/proxy.js';
import { startCliProxy, type CliProxy } from '../helpers/cli-proxy.js';

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
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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
    const child = spawn(
      process.execPath,
      [
        CLI,
        'proxy',
        '--port',
        '0',
        '--json',
        '--log',
        log,
        '--certs-dir',
        dir,
        '--public-roots',
        fixtures.pki.files['public-roots.pem']!,
        '--resolve',
        `${scenario.host}:${https.port}:127.0.0.1`,
      ],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
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
      const events = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; url?: string; status?: number });
      t.deepEqual(
        events
          .filter((e) => e.type === 'request')
          .map((e) => `${e.url} ${e.status}`)
          .sort(),
        [`http://127.0.0.1:${http.port}/slow 200`, `https://${scenario.host}:${https.port}/slow 200`],
      );
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

/** The proxy with --evidence-dir in front of an HTTPS and an HTTP origin (each with a /slow path). */
async function harSession(delayMs = 1200) {
  const scenario = fixtures.pki.scenarios.valid!;
  const https = await slowOrigin(createHttpsServer({ key: scenario.keyPem, cert: scenario.sent.join('') }), delayMs);
  const http = await slowOrigin(createHttpServer(), delayMs);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-har-'));
  const evidenceDir = join(dir, 'evidence');
  const proxy = startCliProxy(
    [
      'proxy',
      '--port',
      '0',
      '--json',
      '--certs-dir',
      dir,
      '--evidence-dir',
      evidenceDir,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `${scenario.host}:${https.port}:127.0.0.1`,
    ],
    cleanEnv(),
  );
  const port = await proxy.port;
  const caPem = readFileSync(join(dir, 'ca', 'certs', 'ca.pem'), 'utf8');
  const urls = { mitm: `https://${scenario.host}:${https.port}`, plain: `http://127.0.0.1:${http.port}` };
  /** Two exchanges, done: answered, and published as `request` events (the HAR takes each with its event). */
  const exchange = async (path: string) => {
    const answers = await Promise.all([
      fetchViaProxy(port, `${urls.mitm}${path}`, caPem),
      fetchPlainViaProxy(port, `${urls.plain}${path}`),
    ]);
    await requestEvents(proxy, [`${urls.mitm}${path}`, `${urls.plain}${path}`]);
    return answers.map((a) => a.status);
  };
  return {
    proxy,
    evidenceDir,
    urls,
    exchange,
    caPem,
    port,
    https,
    http,
    close: async () => {
      proxy.child.kill('SIGKILL');
      await Promise.all([https.close(), http.close()]);
    },
  };
}

/** Resolves once the proxy published a `request` event for each URL (NDJSON on stdout). */
function requestEvents(proxy: CliProxy, urls: string[]): Promise<void> {
  const seen = () => {
    const events = proxy
      .output()
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; url?: string });
    return urls.every((url) => events.some((e) => e.type === 'request' && e.url === url));
  };
  return new Promise((resolve) => {
    if (seen()) return resolve();
    const check = () => {
      if (!seen()) return;
      proxy.child.stdout!.off('data', check);
      resolve();
    };
    proxy.child.stdout!.on('data', check);
  });
}

/** The session's HAR in `dir`, parsed (no temporary file left behind). */
function readHar(dir: string): { urls: string[]; files: string[] } {
  const files = readdirSync(dir);
  const name = files.find((f) => f.endsWith('.har'));
  if (!name) return { urls: [], files };
  const har = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
    log: { version: string; entries: Array<{ request: { url: string } }> };
  };
  return { urls: har.log.entries.map((e) => e.request.url).sort(), files };
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${signal}: the session's HAR is written, valid, with every exchange; exit 0`, async (t) => {
    const session = await harSession();
    try {
      t.deepEqual(await session.exchange('/one'), [200, 200]);
      t.deepEqual(await session.exchange('/two'), [200, 200]);
      session.proxy.child.kill(signal);
      t.is(await session.proxy.exited, 0, session.proxy.output().stderr);
      const { urls, files } = readHar(session.evidenceDir);
      t.deepEqual(
        urls,
        [
          `${session.urls.mitm}/one`,
          `${session.urls.mitm}/two`,
          `${session.urls.plain}/one`,
          `${session.urls.plain}/two`,
        ].sort(),
      );
      t.deepEqual(
        files.filter((f) => f.endsWith('.tmp')),
        [],
      );
      t.regex(session.proxy.output().stderr, /Wrote the session's HAR to .*\.har\n/);
    } finally {
      await session.close();
    }
  });
}

test('a second signal during the grace period stops at once, and the HAR still holds the finished exchanges', async (t) => {
  const session = await harSession(60_000);
  try {
    t.deepEqual(await session.exchange('/one'), [200, 200]);
    // An exchange in flight keeps the first signal's stop waiting; the second one ends it.
    const inFlight = fetchPlainViaProxy(session.port, `${session.urls.plain}/slow`).catch(() => null);
    await session.http.seen;
    const exit = new Promise<NodeJS.Signals | null>((resolve) =>
      session.proxy.child.once('exit', (_code, signal) => resolve(signal)),
    );
    session.proxy.child.kill('SIGINT');
    // The stop has begun once new connections are refused.
    for (let i = 0; i < 40 && !(await refused(session.port)); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    session.proxy.child.kill('SIGINT');
    t.is(await exit, 'SIGINT', 'ended by the second signal, as before');
    await inFlight;
    t.deepEqual(readHar(session.evidenceDir).urls, [`${session.urls.mitm}/one`, `${session.urls.plain}/one`].sort());
  } finally {
    await session.close();
  }
});

test('while the session runs, the HAR on disk follows the exchanges: a SIGKILL loses at most the last seconds', async (t) => {
  const session = await harSession();
  try {
    const rewritten = new Promise<void>((resolve) => {
      const watcher = watch(session.evidenceDir, () => {
        if (readHar(session.evidenceDir).urls.length < 2) return;
        watcher.close();
        resolve();
      });
    });
    t.deepEqual(await session.exchange('/one'), [200, 200]);
    // Bounded: without the rewrites the file never appears before the end of the session.
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (deadline = setTimeout(() => resolve('late'), 15_000)));
    t.not(await Promise.race([rewritten, late]), 'late', 'no HAR on disk 15 s after the exchanges');
    clearTimeout(deadline);
    session.proxy.child.kill('SIGKILL');
    await session.proxy.exited;
    t.deepEqual(readHar(session.evidenceDir).urls, [`${session.urls.mitm}/one`, `${session.urls.plain}/one`].sort());
  } finally {
    await session.close();
  }
});
