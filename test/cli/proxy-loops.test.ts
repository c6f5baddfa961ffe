// The CLI proxy aimed at itself, as a careless or hostile client would: every spelling of its own
// address, CONNECT and plain, and 150 pipelined CONNECTs. Each is refused with 508 while the proxy's
// open file descriptors (/proc/PID/fd) stay within a small bound; credentials in a URL are refused
// and reach neither stdout, --log, stderr nor the HAR.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, PortTaken, ROOT, withFreePort } from '../helpers/fixtures.js';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { testNeeding } from '../helpers/requires.js';

const GUARD = join(ROOT, 'scripts', 'dns-guard.mjs');

/** Raw bytes to the proxy; resolves with what came back by close (or 3 s). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, 3000);
    socket.on('data', (d: Buffer) => (answer += d));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('error', () => undefined);
  });
}

const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** Runs `exchange` while sampling the process's open descriptors; resolves with the highest count seen. */
async function peakFds(pid: number, exchange: Promise<unknown>): Promise<number> {
  let peak = openFds(pid);
  let done = false;
  void exchange.finally(() => (done = true));
  while (!done) {
    peak = Math.max(peak, openFds(pid));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await exchange;
  return Math.max(peak, openFds(pid));
}

testNeeding(existsSync('/proc/self/fd') ? null : 'no /proc here to count open descriptors')(
  'aimed at itself in every spelling (and 150 pipelined CONNECTs): 508 each, open fds bounded; credentials never logged',
  async (t) => {
    const origin: Server = createServer((req, res) => res.end(`ok ${req.url}\n`));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const originPort = (origin.address() as AddressInfo).port;
    // --resolve names the port before the proxy binds it: a released one, which a test running beside
    // this one may bind first.
    const { port, proxy, log, evidence } = await withFreePort(async (port) => {
      const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cli-loops-'));
      const log = join(dir, 'events.ndjson');
      const evidence = join(dir, 'evidence');
      const proxy = startCliProxy(
        [
          'proxy',
          '--port',
          String(port),
          '--json',
          '--log',
          log,
          '--evidence-dir',
          evidence,
          '--certs-dir',
          dir,
          '--resolve',
          `pinned.test:${port}:127.0.0.1`,
        ],
        cleanEnv({ NODE_OPTIONS: `--import ${GUARD}` }),
      );
      await proxy.port.catch((error: Error) => {
        throw /is already in use/.test(proxy.output().stderr) ? new PortTaken(error.message) : error;
      });
      return { port, proxy, log, evidence };
    });
    try {
      t.is(await proxy.port, port);
      const pid = proxy.child.pid!;
      // One exchange first, so lazily opened descriptors (the log, the agent's pool) are in the baseline.
      t.regex(
        await raw(port, `GET http://127.0.0.1:${originPort}/warm HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        /\r\n\r\nok \/warm\n$/,
      );
      const baseline = openFds(pid);
      const bound = baseline + 12;
      const spellings = [
        '127.0.0.1',
        '127.1',
        '0',
        '2130706433',
        '0x7f.1',
        '[::ffff:127.0.0.1]',
        '[::1]',
        '0.0.0.0',
        'localhost',
        'localhost.',
        'pinned.test',
      ];
      for (const host of spellings) {
        let answer = '';
        const connectPeak = await peakFds(
          pid,
          raw(port, `CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`).then((a) => (answer = a)),
        );
        t.regex(answer, /^HTTP\/1\.1 508 /, `CONNECT ${host}`);
        t.true(connectPeak <= bound, `CONNECT ${host}: ${connectPeak} fds (baseline ${baseline})`);
        for (const scheme of ['http', 'HTTP']) {
          const plainPeak = await peakFds(
            pid,
            raw(
              port,
              `GET ${scheme}://${host}:${port}/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
            ).then((a) => (answer = a)),
          );
          t.regex(answer, /^HTTP\/1\.1 508 /, `${scheme}://${host}`);
          t.true(plainPeak <= bound, `${scheme}://${host}: ${plainPeak} fds (baseline ${baseline})`);
        }
      }
      // The uppercase scheme with the proxy in Host: routed by the URL (here a name that does not resolve).
      let trick = '';
      const trickPeak = await peakFds(
        pid,
        raw(port, `GET HTTP://example.invalid/x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`).then(
          (a) => (trick = a),
        ),
      );
      t.regex(trick, /^HTTP\/1\.1 502 /);
      t.true(
        trickPeak <= bound,
        `HTTP://example.invalid with Host: the proxy: ${trickPeak} fds (baseline ${baseline})`,
      );

      let pipelined = '';
      const line = `CONNECT 127.1:${port} HTTP/1.1\r\nHost: 127.1:${port}\r\n\r\n`;
      const pipelinedPeak = await peakFds(
        pid,
        raw(port, line.repeat(150)).then((a) => (pipelined = a)),
      );
      t.is(pipelined, 'HTTP/1.1 508 Loop Detected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      t.true(pipelinedPeak <= bound, `150 pipelined CONNECTs: ${pipelinedPeak} fds (baseline ${baseline})`);
      t.log(`open fds: baseline ${baseline}, highest while refusing pipelined CONNECTs ${pipelinedPeak}`);

      const secret = await raw(
        port,
        `GET http://127.0.0.1:hunter2secret@127.0.0.1:${originPort}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      t.regex(secret, /^HTTP\/1\.1 400 /);
      t.false(secret.includes('hunter2secret'));

      proxy.child.kill('SIGINT');
      t.is(await proxy.exited, 0);
      const { stdout, stderr } = proxy.output();
      const har = readdirSync(evidence).filter((name) => name.endsWith('.har'));
      t.is(har.length, 1);
      for (const [name, text] of [
        ['stdout', stdout],
        ['stderr', stderr],
        ['--log', readFileSync(log, 'utf8')],
        ['HAR', readFileSync(join(evidence, har[0]!), 'utf8')],
      ] as const) {
        t.false(text.includes('hunter2secret'), `the password is in ${name}`);
      }
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; code?: string });
      t.is(events.filter((e) => e.code === 'LOOP').length, spellings.length * 3 + 1);
    } finally {
      proxy.child.kill('SIGKILL');
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
  },
);
