// `node --import=tsx scripts/bench/new-host-ab.ts [--hosts N] [--rounds R] [--path /1k-close] CLI...`: several builds of
// tlswitness (MITM) compared on new hosts, interleaved host by host (host i through each build in turn,
// cold, then the same names again, warm), so that the load the rest of the machine puts on each build
// is the same. `npm run bench` runs each contender's hosts as one block of seconds; on a shared machine
// its cold − warm difference moves by a millisecond or more from block to block, as much as the
// changes it is asked to judge. Pass the same build twice to see what is left of that noise. With
// `--path /1k-close` the origin closes each connection, so the warm pass (known hosts) needs a fresh
// upstream connection as the cold one does, and cold − warm is what being new costs (the bench's
// "origin closing" pair). `--profile DIR` writes a V8 CPU profile of each build's proxy (node --cpu-prof) under DIR/build-K.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, freePort } from '../../test/helpers/fixtures.js';
import { makeTestCa } from '../../test/helpers/pki.js';
import { contenders, type Instance } from './contenders.js';
import type { Route } from './http-client.js';
import { LoadGenerator } from './load-client.js';
import { startOrigin } from './origin.js';
import { cpuSeconds } from './proc.js';

interface Build {
  cli: string;
  instance: Instance;
  route: Route;
  /** Host names per round. */
  names: string[][];
  firstBytes: { cold: number[]; warm: number[] };
  cpuSeconds: { cold: number; warm: number };
}

const PHASES = ['cold', 'warm'] as const;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

async function startBuilds(
  clis: string[],
  hosts: number,
  rounds: number,
  profile: string | null,
): Promise<{ builds: Build[]; stop(): Promise<void> }> {
  const base = mkdtempSync(join(tmpdir(), 'tlswitness-ab-'));
  const root = await makeTestCa('tlswitness A/B root', 'rsa');
  const leaf = await root.issue(['*.bench.test']);
  const origin = await startOrigin(leaf.keyPem, leaf.pem);
  const builds: Build[] = [];
  for (const [k, cli] of clis.entries()) {
    const dir = join(base, `build-${k}`);
    mkdirSync(join(dir, 'home'), { recursive: true });
    const rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, root.pem);
    const setup = {
      dir,
      rootFile,
      originPort: origin.port,
      profileDir: profile && join(resolve(profile), `build-${k}`),
      refCli: cli,
      refNodeOptions: null,
    };
    const [contender] = (await contenders(setup, ['mitm-ref'])).ready;
    const names = Array.from({ length: rounds }, (_, r) =>
      Array.from({ length: hosts }, (_, i) => `b${k}-r${r}-h${i}.bench.test`),
    );
    const known = [...names.flat(), 'warmup.bench.test'].map((name) => ({
      name,
      address: '127.0.0.1',
      port: origin.port,
    }));
    const instance = await contender!.start(await freePort(), known)!;
    const route = {
      proxyPort: instance.port,
      originPort: origin.port,
      ca: [root.pem, contender!.clientCa()!],
      timeoutMs: 30_000,
    };
    builds.push({ cli, instance, route, names, firstBytes: { cold: [], warm: [] }, cpuSeconds: { cold: 0, warm: 0 } });
  }
  return {
    builds,
    async stop() {
      for (const build of builds) await build.instance.stop();
      await origin.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      hosts: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '2' },
      path: { type: 'string', default: '/1k' },
      profile: { type: 'string' },
    },
    allowPositionals: true,
  });
  const hosts = Number(values.hosts);
  const rounds = Number(values.rounds);
  const path = values.path;
  const clis = (positionals.length ? positionals : [CLI]).map((cli) => resolve(cli));
  const { builds, stop } = await startBuilds(clis, hosts, rounds, values.profile ?? null);
  const load = LoadGenerator.start();
  try {
    for (const build of builds)
      await load.run({ kind: 'new-hosts', route: build.route, names: Array(3).fill('warmup.bench.test'), path: '/1k' });
    for (let r = 0; r < rounds; r++)
      for (const phase of PHASES)
        for (let i = 0; i < hosts; i++)
          // Each host through every build, starting with a different build each time.
          for (const build of builds.map((_, k) => builds[(k + i) % builds.length]!)) {
            const before = cpuSeconds(build.instance.pid);
            const name = build.names[r]![i]!;
            const reply = await load.run({ kind: 'new-hosts', route: build.route, names: [name], path });
            build.cpuSeconds[phase] += cpuSeconds(build.instance.pid) - before;
            if (Number(reply.connections) === 1) build.firstBytes[phase].push(Number(reply.firstByteP50Ms));
          }
  } finally {
    load.stop();
    await stop();
  }
  console.log(
    '| build | cold first byte p50 (ms) | warm p50 (ms) | cold − warm (ms) | proxy CPU per cold / warm connection (ms) |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const { cli, firstBytes, cpuSeconds: cpu } of builds) {
    const [cold, warm] = [quantile(firstBytes.cold, 0.5), quantile(firstBytes.warm, 0.5)];
    const perConnection = (phase: (typeof PHASES)[number]) =>
      ((cpu[phase] * 1000) / Math.max(1, firstBytes[phase].length)).toFixed(2);
    console.log(
      `| ${cli} | ${cold.toFixed(2)} | ${warm.toFixed(2)} | ${(cold - warm).toFixed(2)} | ${perConnection('cold')} / ${perConnection('warm')} |`,
    );
  }
}

await main();
