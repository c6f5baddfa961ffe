// Load check: N concurrent keep-alive clients through the built CLI proxy (MITM) for D seconds.
// Samples the proxy's RSS and open fds every second; fails on any error, or when RSS or fds grow
// after warm-up (see FLAT below), or when fds do not come back once the clients have gone.
// Usage: node --import=tsx scripts/load.ts [--clients 1000] [--seconds 60] [--warmup 15]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, cleanEnv } from '../test/helpers/fixtures.js';
import { makeTestCa } from '../test/helpers/pki.js';
import { Connection, openTls, type Route } from './bench/http-client.js';
import { startOrigin } from './bench/origin.js';
import { rssMb } from './bench/proc.js';

export interface LoadOptions {
  clients: number;
  seconds: number;
  /** Seconds of phase 2 before the "after warm-up" reference sample (caches and heap grown). */
  warmup: number;
  /** Connections opened at once while ramping up, so the ramp measures the proxy, not a SYN flood. */
  rampConcurrency: number;
  log?: (line: string) => void;
}

export interface Sample {
  t: number;
  rssMb: number;
  fds: number;
}

export interface LoadResult {
  clients: number;
  seconds: number;
  /** Seconds from the start until the last client had its TLS session through the proxy. */
  allConnectedAt: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  firstError: string | null;
  /** `error` events the proxy itself emitted (NDJSON on its stdout). */
  proxyErrorEvents: number;
  baseline: Sample;
  afterWarmup: Sample;
  peak: Sample;
  end: Sample;
  /** Median RSS of the first and the last quarter of the samples after warm-up. */
  rssMedianEarly: number;
  rssMedianLate: number;
  maxFds: number;
  fdCeiling: number;
  /** After every client closed its connection and the origin dropped its side. */
  afterClose: Sample;
  samples: Sample[];
  failures: string[];
  loadAverage: number[];
}

// Flat, justified. fds: each client holds one app socket at the proxy and at most one upstream
// socket (the upstream agent keeps up to 64 idle ones and closes the rest, so the count swings by
// hundreds with the traffic's rhythm, not a trend): after warm-up the proxy may hold at most
// baseline + 2 per client + FD_SLACK (log file, timers, DNS), and once the clients and the origin
// have gone it must be back to its baseline: a leaked socket or file stays open. RSS swings with
// V8's garbage collection (tens of MB under this load), so medians are compared: the last quarter
// of the run against the first quarter after warm-up. A leak of even 1 KB per request is > 40 MB
// over 60 s at the rates seen here (~800 requests/s on 2 shared cores), so growth beyond 25% + 30 MB is a leak.
const FD_SLACK = 20;
const RSS_GROWTH = 0.25;
const RSS_SLACK_MB = 30;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sample(pid: number, t0: number): Sample {
  return {
    t: Math.round((performance.now() - t0) / 100) / 10,
    rssMb: Math.round(rssMb(pid) * 10) / 10,
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-load-'));
  const root = await makeTestCa('tlswitness load root');
  const leaf = await root.issue(['*.load.test']);
  const rootFile = join(dir, 'load-root.pem');
  writeFileSync(rootFile, root.pem);
  const origin = await startOrigin(leaf.keyPem, leaf.pem);
  const host = 'app.load.test';
  const child = spawn(
    process.execPath,
    [
      CLI,
      'proxy',
      '--port',
      '0',
      '--json',
      '--certs-dir',
      join(dir, 'certs'),
      '--public-roots',
      rootFile,
      '--resolve',
      `${host}:${origin.port}:127.0.0.1`,
    ],
    {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let proxyErrorEvents = 0;
  let firstProxyError: string | null = null;
  let pendingOut = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pendingOut += chunk;
    const lines = pendingOut.split('\n');
    pendingOut = lines.pop()!;
    for (const line of lines) {
      if (!line.includes('"type":"error"')) continue;
      proxyErrorEvents++;
      firstProxyError ??= line.slice(0, 300);
    }
  });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`proxy exited early: ${stderr}`)));
  });
  const pid = child.pid!;
  const t0 = performance.now();
  const samples: Sample[] = [];
  const baseline = sample(pid, t0);
  const sampler = setInterval(() => samples.push(sample(pid, t0)), 1000);

  const route: Route = {
    proxyPort: port,
    originPort: origin.port,
    ca: [readFileSync(join(dir, 'certs', 'ca', 'certs', 'ca.pem'), 'utf8')],
    timeoutMs: 30_000,
  };
  let requests = 0;
  let errors = 0;
  let firstError: string | null = null;
  const fail = (error: unknown) => {
    errors++;
    firstError ??= String((error as Error)?.message ?? error);
  };
  // Phase 1 opens every client's TLS session through the proxy; phase 2 (the timed D seconds) starts
  // once all have settled, so a late client's handshake is not starved by the others' traffic.
  let deadline = Infinity;
  const connections: Connection[] = [];
  let settled = 0;
  let allConnectedAt = Infinity;
  let startRequests!: () => void;
  const go = new Promise<void>((resolve) => (startRequests = resolve));
  const settle = () => {
    if (++settled < options.clients) return;
    if (connections.length === options.clients) allConnectedAt = (performance.now() - t0) / 1000;
    deadline = performance.now() + options.seconds * 1000;
    startRequests();
  };
  let opening = 0;
  const slots: Array<() => void> = [];
  const client = async () => {
    while (opening >= options.rampConcurrency) await new Promise<void>((resolve) => slots.push(resolve));
    opening++;
    let connection: Connection;
    try {
      connection = new Connection(await openTls(route, host), route.timeoutMs);
      connections.push(connection);
    } catch (error) {
      fail(error);
      return;
    } finally {
      opening--;
      slots.shift()?.();
      settle();
    }
    await go;
    while (performance.now() < deadline) {
      try {
        const exchange = await connection.request('/1k', host);
        if (exchange.status !== 200) throw new Error(`status ${exchange.status}`);
        requests++;
      } catch (error) {
        fail(error);
        return;
      }
    }
  };
  log(
    `${options.clients} clients for ${options.seconds} s through the proxy (pid ${pid}); baseline rss ${baseline.rssMb} MB, ${baseline.fds} fds`,
  );
  const progress = setInterval(() => {
    const last = samples.at(-1);
    if (last)
      log(
        `t=${last.t}s requests=${requests} errors=${errors} connected=${connections.length} rss=${last.rssMb}MB fds=${last.fds}`,
      );
  }, 5000);
  await Promise.all(Array.from({ length: options.clients }, client));
  clearInterval(progress);
  const end = sample(pid, t0);
  for (const connection of connections) connection.close();
  await origin.close();
  // Closed sockets leave the proxy's fd table once it sees the FIN/RST; give it a bounded while.
  let afterClose = sample(pid, t0);
  for (let i = 0; i < 100 && afterClose.fds > baseline.fds; i++) {
    await pause(100);
    afterClose = sample(pid, t0);
  }
  clearInterval(sampler);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));

  // Warm-up: the first --warmup seconds of phase 2.
  const steady = samples.filter((s) => s.t >= allConnectedAt + options.warmup);
  const afterWarmup = steady[0] ?? end;
  const peak = steady.reduce((a, b) => (b.rssMb > a.rssMb ? b : a), afterWarmup);
  const maxFds = Math.max(...steady.map((s) => s.fds), end.fds);
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const rssEarly = median(steady.slice(0, quarter).map((s) => s.rssMb));
  const rssLate = median(steady.slice(-quarter).map((s) => s.rssMb));
  const fdCeiling = baseline.fds + 2 * options.clients + FD_SLACK;
  const failures: string[] = [];
  if (errors > 0) failures.push(`${errors} client error(s), first: ${firstError}`);
  if (proxyErrorEvents > 0) failures.push(`${proxyErrorEvents} proxy error event(s), first: ${firstProxyError}`);
  if (!Number.isFinite(allConnectedAt)) failures.push('not every client got connected');
  if (maxFds > fdCeiling)
    failures.push(`fds after warm-up reached ${maxFds}, above baseline + 2 per client + ${FD_SLACK} = ${fdCeiling}`);
  if (rssLate > rssEarly * (1 + RSS_GROWTH) + RSS_SLACK_MB)
    failures.push(`RSS grew after warm-up: median ${rssEarly} -> ${rssLate} MB`);
  if (afterClose.fds > baseline.fds)
    failures.push(`fds not back to the baseline after the clients closed: ${baseline.fds} -> ${afterClose.fds}`);
  return {
    clients: options.clients,
    seconds: options.seconds,
    allConnectedAt: Math.round(allConnectedAt * 10) / 10,
    requests,
    requestsPerSecond: Math.round(requests / options.seconds),
    errors,
    firstError,
    proxyErrorEvents,
    baseline,
    afterWarmup,
    peak,
    end,
    rssMedianEarly: rssEarly,
    rssMedianLate: rssLate,
    maxFds,
    fdCeiling,
    afterClose,
    samples,
    failures,
    loadAverage: loadavg(),
  };
}

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} takes a positive whole number`);
  return value;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const seconds = flag(args, 'seconds', 60);
  const log = (line: string) => process.stderr.write(`load: ${line}\n`);
  log(
    `load average before: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  const result = await runLoad({
    clients: flag(args, 'clients', 1000),
    seconds,
    warmup: flag(args, 'warmup', Math.min(15, Math.ceil(seconds / 4))),
    rampConcurrency: 100,
    log,
  });
  const { samples, ...summary } = result;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  log(`samples (t s, rss MB, fds): ${samples.map((s) => `${s.t}:${s.rssMb}/${s.fds}`).join(' ')}`);
  log(result.failures.length ? `FAIL: ${result.failures.join('; ')}` : `ok: ${result.requests} requests, 0 errors`);
  process.exitCode = result.failures.length ? 1 : 0;
}
