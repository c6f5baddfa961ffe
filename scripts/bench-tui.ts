// CPU and memory of the proxy with the terminal UI against --no-tui under the same load: the built
// binary in tmux (a real terminal, 100x30), RATE requests/s over keep-alive MITM connections to a
// fixture origin for SECONDS, modes alternating. Linux (/proc) and tmux needed; loopback only.
// Usage: node --import=tsx scripts/bench-tui.ts [RATE=300] [SECONDS=10] [ROUNDS=3]
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { CLI, cleanEnv, freePort, makeFixtures } from '../test/helpers/fixtures.js';
import { startHttpsOrigin } from '../test/helpers/proxy.js';

const [rate, seconds, rounds] = [
  Number(process.argv[2] ?? 300),
  Number(process.argv[3] ?? 10),
  Number(process.argv[4] ?? 3),
];
const run = promisify(execFile);
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
const fixtures = await makeFixtures();
const scenario = fixtures.pki.scenarios.valid!;
const origin = await startHttpsOrigin(scenario);
const host = scenario.host!;

/** An HTTP agent whose sockets are TLS sessions through the proxy's CONNECT, as an app with HTTPS_PROXY has. */
class ThroughProxy extends Agent {
  constructor(
    private readonly proxyPort: number,
    private readonly ca: string,
  ) {
    super({ keepAlive: true, maxSockets: 16 });
  }
  override createConnection(_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const connect = request({
      host: '127.0.0.1',
      port: this.proxyPort,
      method: 'CONNECT',
      path: `${host}:${origin.port}`,
    });
    connect.on('connect', (_res, socket) => {
      const tls = tlsConnect({ socket, servername: host, ca: [this.ca] });
      tls.once('secureConnect', () => callback(null, tls));
      tls.once('error', callback);
    });
    connect.on('error', callback);
    connect.end();
    return undefined;
  }
}

const procStat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
const cpuTicks = (pid: number) => Number(procStat(pid)[11]) + Number(procStat(pid)[12]);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const TICKS = Number((await run('getconf', ['CLK_TCK'])).stdout);

interface Result {
  mode: string;
  cpuPercent: number;
  cpuMsPer1000: number;
  idleRss: number;
  maxRss: number;
  served: number;
  failed: number;
  elapsed: number;
}

async function once(mode: 'tui' | 'no-tui'): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-bench-tui-'));
  const port = await freePort();
  const env = { ...cleanEnv(), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  const args = [
    CLI,
    '--port',
    String(port),
    '--certs-dir',
    join(dir, 'certs'),
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `${host}:${origin.port}:127.0.0.1`,
    ...(mode === 'no-tui' ? ['--no-tui'] : []),
  ];
  const script = join(dir, 'run.sh');
  writeFileSync(
    script,
    `sh -c 'echo $$ > "$0"; exec "$@"' ${quote(join(dir, 'pid'))} env -i ${Object.entries(env)
      .map(([k, v]) => quote(`${k}=${v}`))
      .join(' ')} ${quote(process.execPath)} ${args.map(quote).join(' ')}\necho $? > ${quote(join(dir, 'rc'))}\n`,
  );
  const socket = `tlswitness-bench-${process.pid}`;
  await run('tmux', [
    '-L',
    socket,
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-x',
    '100',
    '-y',
    '30',
    `sh ${quote(script)}`,
  ]);
  try {
    const caFile = join(dir, 'certs', 'ca', 'certs', 'ca.pem');
    for (let i = 0; i < 100 && !(existsSync(caFile) && existsSync(join(dir, 'pid'))); i++) await sleep(100);
    await sleep(1000);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    const agent = new ThroughProxy(port, readFileSync(caFile, 'utf8'));
    const idleRss = rssMb(pid);
    const startTicks = cpuTicks(pid);
    let served = 0;
    let failed = 0;
    let inflight = 0;
    let maxRss = idleRss;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(pid))), 100);
    let due = 0;
    const started = Date.now();
    const sender = setInterval(() => {
      due += rate / 100;
      for (; due >= 1; due--) {
        inflight++;
        const req = request({ agent, host, port: origin.port, path: `/load?q=${served}` }, (res) => {
          res.resume();
          res.on('end', () => {
            inflight--;
            if (res.statusCode === 200) served++;
            else failed++;
          });
        });
        req.on('error', () => {
          inflight--;
          failed++;
        });
        req.end();
      }
    }, 10);
    await sleep(seconds * 1000);
    clearInterval(sender);
    // Requests still on their way are answered, not cut off (that would count as failures).
    for (let i = 0; i < 50 && inflight > 0; i++) await sleep(100);
    const elapsed = (Date.now() - started) / 1000;
    const cpu = (cpuTicks(pid) - startTicks) / TICKS;
    clearInterval(sampler);
    agent.destroy();
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && !existsSync(join(dir, 'rc')); i++) await sleep(100);
    return {
      mode,
      cpuPercent: (100 * cpu) / elapsed,
      cpuMsPer1000: served ? (1e6 * cpu) / served : NaN,
      idleRss,
      maxRss,
      served,
      failed,
      elapsed,
    };
  } finally {
    await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
  }
}

const results: Result[] = [];
for (let i = 0; i < rounds; i++) for (const mode of ['tui', 'no-tui'] as const) results.push(await once(mode));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
process.stdout.write(
  `${rate} requests/s offered for ${seconds} s, medians of ${rounds}:\n| mode | CPU % | CPU ms per 1000 requests | RSS idle MB | RSS max MB | served/s | failed (all runs) |\n|---|---|---|---|---|---|---|\n`,
);
for (const mode of ['tui', 'no-tui']) {
  const r = results.filter((x) => x.mode === mode);
  process.stdout.write(
    `| ${mode} | ${median(r.map((x) => x.cpuPercent)).toFixed(1)} | ${median(r.map((x) => x.cpuMsPer1000)).toFixed(0)} | ${median(r.map((x) => x.idleRss)).toFixed(0)} | ${median(r.map((x) => x.maxRss)).toFixed(0)} | ${median(r.map((x) => x.served / x.elapsed)).toFixed(0)} | ${r.reduce((s, x) => s + x.failed, 0)} |\n`,
  );
}
await origin.close();
await fixtures.close();
