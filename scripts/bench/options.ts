// `npm run bench -- [flags]`: the run's sizes; --smoke shrinks them to a few seconds for `npm test`.
import { parseArgs } from 'node:util';
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
  /** Write a V8 CPU profile of every tlswitness process here (node --cpu-prof), for finding where the time goes. */
  profile: string | null;
  /** The phases to run (--only), all by default: keep-alive CPU and bulk can be measured alone. */
  phases: Phase[];
  smoke: boolean;
}

export type Phase = 'keepalive' | 'newhosts' | 'bulk' | 'idle' | 'inspect';
export const PHASES: readonly Phase[] = ['keepalive', 'newhosts', 'bulk', 'idle', 'inspect'];

export const USAGE = `Usage: npm run bench -- [--duration S] [--reps N] [--connections N] [--new-hosts N] [--bulk-mib N]
                       [--idle N] [--inspect-runs N] [--contenders ${CONTENDERS.join(',')}] [--out FILE] [--profile DIR]
                       [--only ${PHASES.join(',')}] [--smoke]
Needs a build (npm run build). tinyproxy and mitmdump are included when installed (apt-get install -y tinyproxy mitmproxy).`;

const FULL = { duration: 5, reps: 5, connections: 32, newHosts: 100, bulkMib: 256, idle: 1000, inspectRuns: 5 };
const SMOKE = { duration: 0.3, reps: 1, connections: 4, newHosts: 4, bulkMib: 4, idle: 12, inspectRuns: 1 };

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
        contenders: { type: 'string' },
        out: { type: 'string' },
        profile: { type: 'string' },
        only: { type: 'string' },
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
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new UsageError(`--${flag} ${text}: expected a positive ${integer ? 'whole ' : ''}number`);
    return value;
  };
  const contenders = values.contenders === undefined ? (values.smoke ? (['direct', 'tunnel', 'mitm'] as ContenderName[]) : [...CONTENDERS]) : values.contenders.split(',').map((name) => name.trim());
  for (const name of contenders) if (!CONTENDERS.includes(name as ContenderName)) throw new UsageError(`--contenders: "${name}" is not one of ${CONTENDERS.join(', ')}`);
  const phases = values.only === undefined ? [...PHASES] : values.only.split(',').map((name) => name.trim());
  for (const name of phases) if (!PHASES.includes(name as Phase)) throw new UsageError(`--only: "${name}" is not one of ${PHASES.join(', ')}`);
  return {
    duration: number('duration', values.duration, base.duration, false),
    reps: number('reps', values.reps, base.reps),
    connections: number('connections', values.connections, base.connections),
    newHosts: number('new-hosts', values['new-hosts'], base.newHosts),
    bulkMib: number('bulk-mib', values['bulk-mib'], base.bulkMib),
    idle: number('idle', values.idle, base.idle),
    inspectRuns: number('inspect-runs', values['inspect-runs'], base.inspectRuns),
    contenders: contenders as ContenderName[],
    out: values.out ?? 'bench-results.md',
    profile: values.profile ?? null,
    phases: phases as Phase[],
    smoke: values.smoke ?? false,
  };
}
