// `npm run bench -- [flags]`: the run's sizes; --smoke shrinks them to a few seconds for `npm test`.
import { parseArgs } from 'node:util';
import { CLI } from '../../test/helpers/fixtures.js';
import { CONTENDERS, type ContenderName } from './contenders.js';

export interface BenchOptions {
  /** Keep-alive phase length per contender and repetition, in seconds. */
  duration: number;
  reps: number;
  connections: number;
  /** Distinct new names per repetition (each is then asked for again, warm). */
  newHosts: number;
  bulkMib: number;
  idle: number;
  /** `inspect` runs per contender and repetition. */
  inspectRuns: number;
  contenders: ContenderName[];
  out: string;
  /** Distinct new names per repetition on the delayed link (each then asked for again, known). */
  delayedHosts: number;
  /** The delayed link's round-trip time, in ms (each direction holds every chunk half of it). */
  rttMs: number;
  /** The origin's certificate key: RSA-2048 (most public servers) or P-256. */
  originKey: 'rsa' | 'ec';
  phases: Phase[];
  /** HTTP/2 phase: sessions, and concurrent streams on each. */
  h2Sessions: number;
  h2Streams: number;
  /** Write a V8 CPU profile of every tlswitness process here (node --cpu-prof), for finding where the time goes. */
  profile: string | null;
  /** Another build's entry file (dist/tlswitness.cjs; dist/tlswitness.mjs before it was CommonJS), benched in MITM mode beside this one (contender mitm-ref). */
  refCli: string | null;
  /** NODE_OPTIONS for the reference build's process; alone, the reference is this very build. */
  refNodeOptions: string | null;
  /** Run this build and the reference at the same time (default), or one after the other (--no-pair: their own MB/s). */
  pair: boolean;
  smoke: boolean;
}

export const PHASES = ['keep-alive', 'h2', 'new-hosts', 'delayed', 'bulk', 'idle', 'inspect'] as const;
export type Phase = (typeof PHASES)[number];

export const USAGE = `Usage: npm run bench -- [--duration S] [--reps N] [--connections N] [--new-hosts N] [--bulk-mib N]
                       [--idle N] [--inspect-runs N] [--delayed-hosts N] [--rtt MS] [--origin-key rsa|ec]
                       [--h2-sessions N] [--h2-streams N]
                       [--phases ${PHASES.join(',')}] [--contenders ${CONTENDERS.join(',')}] [--out FILE] [--profile DIR] [--ref-cli PATH] [--ref-node-options=OPTS] [--no-pair] [--smoke]
Needs a build (npm run build). tinyproxy and mitmdump are included when installed (apt-get install -y tinyproxy mitmproxy).`;

const FULL = {
  duration: 5,
  reps: 5,
  connections: 32,
  newHosts: 100,
  bulkMib: 256,
  idle: 1000,
  inspectRuns: 11,
  delayedHosts: 10,
  h2Sessions: 4,
  h2Streams: 16,
};
const SMOKE = {
  duration: 0.3,
  reps: 1,
  connections: 4,
  newHosts: 4,
  bulkMib: 4,
  idle: 12,
  inspectRuns: 1,
  delayedHosts: 2,
  h2Sessions: 2,
  h2Streams: 4,
};

/** mitmproxy's contender is labelled by the command it runs. */
const ALIASES: Record<string, string> = { mitmdump: 'mitmproxy' };

export class UsageError extends Error {}

export function parseOptions(argv: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string' },
        reps: { type: 'string' },
        connections: { type: 'string' },
        'new-hosts': { type: 'string' },
        'bulk-mib': { type: 'string' },
        idle: { type: 'string' },
        'inspect-runs': { type: 'string' },
        'delayed-hosts': { type: 'string' },
        rtt: { type: 'string' },
        'h2-sessions': { type: 'string' },
        'h2-streams': { type: 'string' },
        'origin-key': { type: 'string' },
        phases: { type: 'string' },
        contenders: { type: 'string' },
        out: { type: 'string' },
        profile: { type: 'string' },
        'ref-cli': { type: 'string' },
        'ref-node-options': { type: 'string' },
        'no-pair': { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values } = parsed;
  const base = values.smoke ? SMOKE : FULL;
  const number = (flag: string, text: string | undefined, fallback: number, integer = true): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
      throw new UsageError(`--${flag} ${text}: expected a positive ${integer ? 'whole ' : ''}number`);
    return value;
  };
  const contenders =
    values.contenders === undefined
      ? values.smoke
        ? (['direct', 'tunnel', 'mitm'] as ContenderName[])
        : CONTENDERS.filter((name) => name !== 'mitm-ref')
      : values.contenders.split(',').map((name) => ALIASES[name.trim()] ?? name.trim());
  // A reference build asked for is benched whether or not --contenders names it.
  const refNodeOptions = values['ref-node-options'] ?? null;
  const refCli = values['ref-cli'] ?? (refNodeOptions === null ? null : CLI);
  if (refCli !== null && !contenders.includes('mitm-ref')) contenders.push('mitm-ref');
  for (const name of contenders)
    if (!CONTENDERS.includes(name as ContenderName))
      throw new UsageError(`--contenders: "${name}" is not one of ${CONTENDERS.join(', ')}`);
  const phases = values.phases === undefined ? [...PHASES] : values.phases.split(',').map((name) => name.trim());
  for (const name of phases)
    if (!PHASES.includes(name as Phase)) throw new UsageError(`--phases: "${name}" is not one of ${PHASES.join(', ')}`);
  const originKey = values['origin-key'] ?? 'rsa';
  if (originKey !== 'rsa' && originKey !== 'ec') throw new UsageError(`--origin-key ${originKey}: expected rsa or ec`);
  return {
    duration: number('duration', values.duration, base.duration, false),
    reps: number('reps', values.reps, base.reps),
    connections: number('connections', values.connections, base.connections),
    newHosts: number('new-hosts', values['new-hosts'], base.newHosts),
    bulkMib: number('bulk-mib', values['bulk-mib'], base.bulkMib),
    idle: number('idle', values.idle, base.idle),
    inspectRuns: number('inspect-runs', values['inspect-runs'], base.inspectRuns),
    delayedHosts: number('delayed-hosts', values['delayed-hosts'], base.delayedHosts),
    rttMs: number('rtt', values.rtt, 20, false),
    h2Sessions: number('h2-sessions', values['h2-sessions'], base.h2Sessions),
    h2Streams: number('h2-streams', values['h2-streams'], base.h2Streams),
    originKey,
    phases: phases as Phase[],
    contenders: contenders as ContenderName[],
    out: values.out ?? 'bench-results.md',
    profile: values.profile ?? null,
    refCli,
    refNodeOptions,
    pair: !values['no-pair'],
    smoke: values.smoke ?? false,
  };
}
