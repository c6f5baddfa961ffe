// Builds the corpus (named chains + seeded mutations), asks both oracles and the verifier, and compares.
import { namedChains } from './chains.js';
import { buildChain, type BuiltChain } from './der-builder.js';
import { createKeyPool } from './keys.js';
import { mutatedChains } from './mutate.js';
import { nodeHandshakeAll } from './node-oracle.js';
import { opensslVerifyAll } from './openssl-oracle.js';
import { differencesOf, summarize, type DiffCase, type Summary } from './compare.js';
import { subjectVerify } from './subject.js';
import type { ChainSpec } from './spec.js';

export interface RunOptions {
  /** Mutated chains per seed. */
  mutations: number;
  seeds: number[];
  /** Only chains whose name matches. */
  filter?: RegExp;
  /** openssl processes at once (default 2, the machine's cores). */
  concurrency?: number;
}

export interface DifferentialRun {
  now: Date;
  cases: DiffCase[];
  summary: Summary;
  timings: Record<string, number>;
}

const AUTH_LEVEL_NODE_CODES = new Set(['UNSPECIFIED', 'EE_KEY_TOO_SMALL', 'CA_KEY_TOO_SMALL', 'CA_MD_TOO_WEAK']);

export async function runDifferential(options: RunOptions): Promise<DifferentialRun> {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timings[name] = Math.round(t - mark);
    mark = t;
  };
  // Whole seconds: openssl's -attime takes seconds, and certificate times have no fractions.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const keys = await createKeyPool();
  lap('keys');
  let specs: ChainSpec[] = [
    ...namedChains(),
    ...options.seeds.flatMap((seed) => mutatedChains(seed, options.mutations)),
  ];
  if (options.filter) specs = specs.filter((s) => options.filter!.test(s.name));
  const chains: BuiltChain[] = specs.map((spec) => buildChain(spec, keys, now));
  lap('build');
  const [openssl, node] = await Promise.all([
    opensslVerifyAll(chains, now, { concurrency: options.concurrency ?? 2 }),
    nodeHandshakeAll(chains),
  ]);
  lap('oracles');
  // Where the CLI accepts what Node refuses with an auth-level error, or Node could not answer, ask the CLI again at Node's level.
  const nodeSilent = (i: number) => !node[i]!.servable || node[i]!.handshakeError !== null;
  const authIndexes = chains
    .map((_, i) => i)
    .filter(
      (i) => openssl[i]!.ok && (nodeSilent(i) || (node[i]!.code !== null && AUTH_LEVEL_NODE_CODES.has(node[i]!.code!))),
    );
  const authAnswers = await opensslVerifyAll(
    authIndexes.map((i) => chains[i]!),
    now,
    { concurrency: options.concurrency ?? 2, extraArgs: ['-auth_level', '1'] },
  );
  const authLevel1 = new Map(authIndexes.map((i, k) => [i, authAnswers[k]!]));
  lap('openssl-auth-level');
  const cases: DiffCase[] = chains.map((chain, index) => {
    const partial = {
      index,
      chain,
      openssl: openssl[index]!,
      opensslAuthLevel1: authLevel1.get(index) ?? null,
      node: node[index]!,
      subject: subjectVerify(chain, now),
    };
    return { ...partial, differences: differencesOf(partial) };
  });
  lap('verifier');
  return { now, cases, summary: summarize(cases), timings };
}
