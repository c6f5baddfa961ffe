// The bench's h2 phase: keep-alive HTTP/2 through each contender to an h2-only origin (a few node:http2
// sessions, several concurrent streams on each), with the proxy's CPU per request from /proc.
import type { ContenderName, Instance } from './contenders.js';
import type { Route } from './http-client.js';
import type { LoadGenerator } from './load-client.js';
import type { Reply } from './load-generator.js';
import type { BenchOptions } from './options.js';
import { cpuSeconds } from './proc.js';
import type { Samples } from './report.js';

/** The name the h2 origin answers for (the bench leaf is *.bench.test). */
export const H2_HOST = 'h2.bench.test';
const PATH = '/1k';

export interface H2Phase {
  load: LoadGenerator;
  samples: Samples;
  options: BenchOptions;
  /** Records a job's errors against the contender (the bench's notes; fatal for its own contenders). */
  check(contender: ContenderName, phase: string, reply: Reply): Reply;
}

const sizes = (options: BenchOptions) => ({ sessions: options.h2Sessions, streams: options.h2Streams });

/** Warms the contender up on h2 and checks it serves h2 at all: null, or why not. */
export async function h2Warmup(phase: H2Phase, route: Route): Promise<string | null> {
  const { load, options } = phase;
  const { sessions, streams } = sizes(options);
  const open = { kind: 'h2-open', session: 'h2-warmup', route, servername: H2_HOST, path: PATH, sessions } as const;
  const opened = await load.run(open);
  try {
    if (Number(opened.opened) < sessions) return opened.firstError ?? 'no h2 session';
    const ran = await load.run({
      kind: 'h2-run',
      session: 'h2-warmup',
      path: PATH,
      streams,
      durationMs: Math.min(1000, options.duration * 1000),
      timeoutMs: route.timeoutMs,
    });
    return Number(ran.requests) > 0 ? null : (ran.firstError ?? 'no h2 response');
  } finally {
    await load.run({ kind: 'h2-close', session: 'h2-warmup' });
  }
}

/** One timed window for one contender: requests/s, latency, and CPU per request (the proxy's and the client's). */
export async function h2Measure(
  phase: H2Phase,
  contender: ContenderName,
  instance: Instance | null,
  route: Route,
): Promise<void> {
  const { load, samples, options, check } = phase;
  const { sessions, streams } = sizes(options);
  check(
    contender,
    'h2 connect',
    await load.run({ kind: 'h2-open', session: 'h2', route, servername: H2_HOST, path: PATH, sessions }),
  );
  const cpuBefore = instance ? cpuSeconds(instance.pid) : 0;
  const result = check(
    contender,
    'h2 keep-alive',
    await load.run({
      kind: 'h2-run',
      session: 'h2',
      path: PATH,
      streams,
      durationMs: options.duration * 1000,
      timeoutMs: route.timeoutMs,
    }),
  );
  const cpuAfter = instance ? cpuSeconds(instance.pid) : 0;
  await load.run({ kind: 'h2-close', session: 'h2' });
  const requests = Number(result.requests);
  samples.add('h2Rps', contender, requests / (Number(result.elapsedMs) / 1000));
  samples.add('h2P50', contender, Number(result.p50Ms));
  samples.add('h2P99', contender, Number(result.p99Ms));
  samples.add('h2LoadCpu', contender, result.cpuUs / requests);
  if (instance) samples.add('h2ProxyCpu', contender, ((cpuAfter - cpuBefore) * 1e6) / requests);
}
