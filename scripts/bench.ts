// `npm run bench`: tlswitness (tunnel and MITM) against the origin reached directly, tinyproxy and
// mitmdump, on loopback and on a delayed link (a relay with a real round-trip time), in one run with
// the contenders alternating so machine drift cancels out.
// Writes a markdown table (default bench-results.md) and prints it. See scripts/bench/options.ts.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { CLI, freePort } from '../test/helpers/fixtures.js';
import { makeTestCa } from '../test/helpers/pki.js';
import {
  contenders as findContenders,
  LABELS,
  onPath,
  type BenchHost,
  type Contender,
  type ContenderName,
  type Instance,
  type Setup,
} from './bench/contenders.js';
import { INSPECT_LABELS, inspectCommands, inspectEnv, timed, type InspectName } from './bench/inspect.js';
import { LoadGenerator } from './bench/load-client.js';
import type { Reply } from './bench/load-generator.js';
import { parseOptions, UsageError, type BenchOptions, type Phase } from './bench/options.js';
import { cpuSeconds, rssMb } from './bench/proc.js';
import { renderReport, Samples, type Report } from './bench/report.js';
import type { Route } from './bench/http-client.js';
import { rotate } from './bench/stats.js';
import { startOrigin } from './bench/origin.js';
import { startDelayRelay } from './bench/delay-relay.js';
import { startH2Origin } from './bench/h2-origin.js';
import { H2_HOST, h2Measure, h2Warmup, type H2Phase } from './bench/h2-phase.js';

/** The delay relay's own loopback address: a "remote" host apart from the origin's 127.0.0.1. */
const FAR = '127.0.0.2';

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The contenders of one repetition as groups run together: this build and the reference build
 * (--ref-cli) at the same time, where the other's was, every other contender alone. On a shared machine,
 * load from elsewhere moves CPU per request by more than most changes do; a pair run at once sees the same load.
 */
function paired(order: Contender[], pair: boolean): Contender[][] {
  const ref = order.find((c) => c.name === 'mitm-ref');
  const mitm = order.find((c) => c.name === 'mitm');
  if (!ref || !mitm || !pair) return order.map((c) => [c]);
  // The pair starts in the repetition's order too: in bulk, the download started first was cheaper per MB
  // in most repetitions of the same build against itself.
  const both = order.indexOf(mitm) < order.indexOf(ref) ? [mitm, ref] : [ref, mitm];
  return order.filter((c) => c !== ref).map((c) => (c === mitm ? both : [c]));
}

/** Errors seen per contender and phase: notes in the report; the product's or direct's fail the run. */
class Problems {
  readonly notes: string[] = [];
  fatal = false;
  check(contender: ContenderName, phase: string, reply: Reply): Reply {
    if (reply.errors > 0) {
      this.notes.push(`${LABELS[contender]}, ${phase}: ${reply.errors} error(s), first: ${reply.firstError}`);
      if (contender === 'direct' || contender === 'mitm' || contender === 'mitm-ref' || contender === 'tunnel')
        this.fatal = true;
    }
    return reply;
  }
}

async function main(options: BenchOptions): Promise<number> {
  if (!existsSync(CLI)) throw new UsageError(`${CLI} does not exist: run npm run build first`);
  const began = performance.now();
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-bench-'));
  mkdirSync(join(dir, 'home'));
  const root = await makeTestCa('tlswitness bench root', options.originKey);
  const leaf = await root.issue(['*.bench.test']);
  const rootFile = join(dir, 'bench-root.pem');
  writeFileSync(rootFile, root.pem);
  const origin = await startOrigin(leaf.keyPem, leaf.pem);
  const h2Origin = await startH2Origin({ key: leaf.keyPem, cert: leaf.pem });
  const relay = await startDelayRelay({
    address: FAR,
    targetHost: '127.0.0.1',
    targetPort: origin.port,
    delayMs: options.rttMs / 2,
  });
  const phase = (name: Phase) => options.phases.includes(name);
  const setup: Setup = {
    dir,
    rootFile,
    originPort: origin.port,
    profileDir: options.profile ? resolvePath(options.profile) : null,
    refCli: options.refCli ? resolvePath(options.refCli) : null,
    refNodeOptions: options.refNodeOptions,
  };
  const { ready, skipped } = await findContenders(setup, options.contenders);
  const problems = new Problems();
  for (const s of skipped) problems.notes.push(`${LABELS[s.name]} skipped: ${s.note}`);

  const cold = Array.from({ length: options.reps }, (_, rep) =>
    Array.from({ length: options.newHosts }, (_, i) => `r${rep}-h${i}.bench.test`),
  );
  // Names seen only through an origin that closes every connection: a known host's next app connection
  // then needs a fresh upstream connection too, as a new host's does (see the new-hosts phase).
  const closing = Array.from({ length: options.reps }, (_, rep) =>
    Array.from({ length: options.newHosts }, (_, i) => `f-r${rep}-h${i}.bench.test`),
  );
  const warmup = Array.from({ length: 4 }, (_, i) => `warmup-${i}.bench.test`);
  const fixed = ['ka.bench.test', 'bulk.bench.test', 'idle.bench.test', ...warmup];
  const far = Array.from({ length: options.reps }, (_, rep) =>
    Array.from({ length: options.delayedHosts }, (_, i) => `far-r${rep}-h${i}.bench.test`),
  );
  const farWarmup = ['far-warmup.bench.test'];
  const near = (name: string): BenchHost => ({ name, address: '127.0.0.1', port: origin.port });
  const remote = (name: string): BenchHost => ({ name, address: FAR, port: relay.port });
  const allHosts = [
    ...[...fixed, ...cold.flat(), ...closing.flat()].map(near),
    ...[...farWarmup, ...far.flat()].map(remote),
    { name: H2_HOST, address: '127.0.0.1', port: h2Origin.port },
  ];
  const load = LoadGenerator.start();
  const running = new Map<ContenderName, Instance | null>();
  const samples = new Samples();
  const inspect: Partial<Record<InspectName, number[]>> = {};
  const timeoutMs = options.smoke ? 10_000 : 30_000;
  const route = (contender: Contender, instance: Instance | null): Route => ({
    proxyPort: instance?.port ?? null,
    originPort: origin.port,
    ca: [root.pem, contender.clientCa()].filter((pem): pem is string => !!pem),
    timeoutMs,
  });
  const farRoute = (contender: Contender, instance: Instance | null): Route => ({
    ...route(contender, instance),
    originHost: FAR,
    originPort: relay.port,
  });
  const h2Route = (contender: Contender, instance: Instance | null): Route => ({
    ...route(contender, instance),
    originPort: h2Origin.port,
  });
  const h2: H2Phase = { load, samples, options, check: (c, p, reply) => problems.check(c, p, reply) };
  /** The contenders that served h2 in the warm-up. */
  const h2Ready = new Set<ContenderName>();
  const bulkBytes = options.bulkMib * 1024 * 1024;
  const fresh: Instance[] = [];
  /** The fewest idle connections a proxy still held when its RSS was read, when it had closed some. */
  const fewerIdle = new Map<ContenderName, number>();

  try {
    const contenders: Contender[] = [];
    for (const contender of ready) {
      progress(`starting ${LABELS[contender.name]}`);
      try {
        const instance = await contender.start(await freePort(), allHosts);
        running.set(contender.name, instance);
        // Warm-up (JIT, caches) and a check that the contender works at all.
        const r = route(contender, instance);
        const opened = await load.run({
          kind: 'open',
          session: 'warmup',
          route: r,
          servername: 'ka.bench.test',
          path: '/1k',
          count: options.connections,
          concurrency: options.connections,
        });
        await load.run({
          kind: 'run',
          session: 'warmup',
          route: r,
          servername: 'ka.bench.test',
          path: '/1k',
          durationMs: Math.min(1000, options.duration * 1000),
        });
        await load.run({ kind: 'close', session: 'warmup' });
        const hosts = await load.run({ kind: 'new-hosts', route: r, names: warmup, path: '/1k' });
        const bulk = await load.run({
          kind: 'bulk',
          route: r,
          servername: 'bulk.bench.test',
          path: `/bulk/${Math.min(bulkBytes, 4 << 20)}`,
        });
        const farHosts = phase('delayed')
          ? await load.run({ kind: 'new-hosts', route: farRoute(contender, instance), names: farWarmup, path: '/1k' })
          : { connections: 1, firstError: null };
        if (opened.opened === 0 || hosts.connections === 0 || bulk.bytes === 0 || farHosts.connections === 0)
          throw new Error(
            opened.firstError ?? hosts.firstError ?? bulk.firstError ?? farHosts.firstError ?? 'no response',
          );
        contenders.push(contender);
      } catch (error) {
        problems.notes.push(
          `${LABELS[contender.name]} left out: it did not work (${(error as Error).message.split('\n')[0]})`,
        );
        if (contender.name === 'direct' || contender.name === 'mitm' || contender.name === 'tunnel')
          problems.fatal = true;
      }
      if (!phase('h2') || !contenders.includes(contender)) continue;
      const refused = await h2Warmup(h2, h2Route(contender, running.get(contender.name) ?? null));
      if (refused === null) h2Ready.add(contender.name);
      else {
        problems.notes.push(`${LABELS[contender.name]} left out of the h2 phase: ${refused.split('\n')[0]}`);
        if (contender.name === 'direct' || contender.name === 'mitm' || contender.name === 'tunnel')
          problems.fatal = true;
      }
    }
    const proxies = contenders.filter((c) => c.name !== 'direct');

    for (let rep = 0; rep < options.reps; rep++) {
      const order = rotate(contenders, rep);
      for (const group of phase('keep-alive') ? paired(order, options.pair) : []) {
        progress(`rep ${rep + 1}/${options.reps}: keep-alive, ${group.map((c) => LABELS[c.name]).join(' and ')}`);
        const sessions = group.map((contender) => {
          const instance = running.get(contender.name) ?? null;
          return { contender, instance, r: route(contender, instance), session: `ka-${contender.name}` };
        });
        for (const { contender, r, session } of sessions)
          problems.check(
            contender.name,
            'keep-alive connect',
            await load.run({
              kind: 'open',
              session,
              route: r,
              servername: 'ka.bench.test',
              path: '/1k',
              count: options.connections,
              concurrency: options.connections,
            }),
          );
        // A pair runs at the same time, so both share whatever else the machine is doing.
        const cpuBefore = sessions.map(({ instance }) => (instance ? cpuSeconds(instance.pid) : 0));
        const results = await Promise.all(
          sessions.map(({ contender, r, session }) =>
            load
              .run({
                kind: 'run',
                session,
                route: r,
                servername: 'ka.bench.test',
                path: '/1k',
                durationMs: options.duration * 1000,
              })
              .then((result) => problems.check(contender.name, 'keep-alive', result)),
          ),
        );
        const cpuAfter = sessions.map(({ instance }) => (instance ? cpuSeconds(instance.pid) : 0));
        for (const { session } of sessions) await load.run({ kind: 'close', session });
        // The load generator's CPU is the whole process's over the window: shared by the pair's requests.
        const allRequests = results.reduce((sum, result) => sum + Number(result.requests), 0);
        sessions.forEach(({ contender, instance }, i) => {
          const result = results[i]!;
          const requests = Number(result.requests);
          samples.add('kaRps', contender.name, requests / (Number(result.elapsedMs) / 1000));
          samples.add('kaP50', contender.name, Number(result.p50Ms));
          samples.add('kaP99', contender.name, Number(result.p99Ms));
          samples.add('kaLoadCpu', contender.name, result.cpuUs / allRequests);
          if (instance) samples.add('kaProxyCpu', contender.name, ((cpuAfter[i]! - cpuBefore[i]!) * 1e6) / requests);
        });
        if (group.length > 1)
          samples.add(
            'kaProxyCpuVsRef',
            'mitm',
            samples.last('kaProxyCpu', 'mitm') / samples.last('kaProxyCpu', 'mitm-ref'),
          );
      }
      for (const contender of order.filter((c) => h2Ready.has(c.name))) {
        progress(`rep ${rep + 1}/${options.reps}: h2 keep-alive, ${LABELS[contender.name]}`);
        const instance = running.get(contender.name) ?? null;
        await h2Measure(h2, contender.name, instance, h2Route(contender, instance));
      }
      for (const contender of phase('new-hosts') ? order : []) {
        progress(`rep ${rep + 1}/${options.reps}: new hosts, ${LABELS[contender.name]}`);
        const r = route(contender, running.get(contender.name) ?? null);
        const instance = running.get(contender.name) ?? null;
        // cold: never-seen names; warm: the same again, whose upstream connections a proxy may have kept
        // (/1k leaves them open). Then other names through /1k-close, twice: new, then known, each needing
        // a fresh upstream connection, so the difference is what being new costs and nothing else.
        for (const [phase, names, path, rate, firstByte, cpu] of [
          ['cold', cold[rep]!, '/1k', 'coldRate', 'coldFirstByte', 'coldProxyCpu'],
          ['warm', cold[rep]!, '/1k', 'warmRate', 'warmFirstByte', 'warmProxyCpu'],
          ['new, origin closing', closing[rep]!, '/1k-close', null, 'freshNewFirstByte', null],
          ['known, origin closing', closing[rep]!, '/1k-close', null, 'freshKnownFirstByte', null],
        ] as const) {
          const cpuBefore = instance ? cpuSeconds(instance.pid) : 0;
          const result = problems.check(
            contender.name,
            `new hosts, ${phase}`,
            await load.run({ kind: 'new-hosts', route: r, names, path }),
          );
          if (rate) samples.add(rate, contender.name, Number(result.connections) / (Number(result.elapsedMs) / 1000));
          samples.add(firstByte, contender.name, Number(result.firstByteP50Ms));
          // Whatever the proxy did over the phase (a refill or a collection it put off counts too), per connection.
          if (instance && cpu)
            samples.add(
              cpu,
              contender.name,
              ((cpuSeconds(instance.pid) - cpuBefore) * 1000) / Number(result.connections),
            );
        }
        samples.add(
          'newHostPenalty',
          contender.name,
          samples.last('coldFirstByte', contender.name) - samples.last('warmFirstByte', contender.name),
        );
        samples.add(
          'freshPenalty',
          contender.name,
          samples.last('freshNewFirstByte', contender.name) - samples.last('freshKnownFirstByte', contender.name),
        );
      }
      for (const contender of phase('delayed') ? order : []) {
        progress(
          `rep ${rep + 1}/${options.reps}: new and known hosts over a ${options.rttMs} ms RTT link, ${LABELS[contender.name]}`,
        );
        const r = farRoute(contender, running.get(contender.name) ?? null);
        for (const [step, firstByte] of [
          ['new', 'farNewFirstByte'],
          ['known', 'farKnownFirstByte'],
        ] as const) {
          const result = problems.check(
            contender.name,
            `delayed link, ${step} hosts`,
            await load.run({ kind: 'new-hosts', route: r, names: far[rep]!, path: '/1k' }),
          );
          samples.add(firstByte, contender.name, Number(result.firstByteP50Ms) / options.rttMs);
        }
      }
      if (phase('delayed') && contenders.some((c) => c.name === 'direct')) {
        // Paired within the repetition: what each proxy adds to a direct connection, in round trips.
        for (const contender of proxies)
          samples.add(
            'farNewOverDirect',
            contender.name,
            samples.last('farNewFirstByte', contender.name) - samples.last('farNewFirstByte', 'direct'),
          );
      }
      for (const group of phase('bulk') ? paired(order, options.pair) : []) {
        progress(
          `rep ${rep + 1}/${options.reps}: bulk ${options.bulkMib} MiB, ${group.map((c) => LABELS[c.name]).join(' and ')}`,
        );
        await Promise.all(
          group.map(async (contender) => {
            const instance = running.get(contender.name) ?? null;
            const cpuBefore = instance ? cpuSeconds(instance.pid) : 0;
            const result = problems.check(
              contender.name,
              'bulk',
              await load.run({
                kind: 'bulk',
                route: route(contender, instance),
                servername: 'bulk.bench.test',
                path: `/bulk/${bulkBytes}`,
              }),
            );
            const cpuAfter = instance ? cpuSeconds(instance.pid) : 0;
            const mb = Number(result.bytes) / 1e6;
            if (Number(result.bytes) !== bulkBytes)
              problems.notes.push(`${LABELS[contender.name]}, bulk: got ${result.bytes} of ${bulkBytes} bytes`);
            samples.add('bulkMBps', contender.name, mb / (Number(result.ms) / 1000));
            if (group.length === 1) samples.add('bulkLoadCpu', contender.name, result.cpuUs / 1000 / mb);
            if (instance) samples.add('bulkProxyCpu', contender.name, ((cpuAfter - cpuBefore) * 1000) / mb);
          }),
        );
        if (group.length > 1) {
          samples.add('bulkMBpsVsRef', 'mitm', samples.last('bulkMBps', 'mitm') / samples.last('bulkMBps', 'mitm-ref'));
          samples.add(
            'bulkProxyCpuVsRef',
            'mitm',
            samples.last('bulkProxyCpu', 'mitm') / samples.last('bulkProxyCpu', 'mitm-ref'),
          );
        }
      }
      for (const contender of phase('idle') ? rotate(proxies, rep) : []) {
        progress(
          `rep ${rep + 1}/${options.reps}: start and ${options.idle} idle connections, ${LABELS[contender.name]}`,
        );
        const instance = (await contender.start(await freePort(), [near('idle.bench.test')]))!;
        fresh.push(instance);
        samples.add('startMs', contender.name, instance.startMs);
        await pause(500);
        samples.add('rssStart', contender.name, rssMb(instance.pid));
        const opened = problems.check(
          contender.name,
          'idle connections',
          await load.run({
            kind: 'open',
            session: 'idle',
            route: route(contender, instance),
            servername: 'idle.bench.test',
            path: '/1k',
            count: options.idle,
            concurrency: 32,
          }),
        );
        await pause(200);
        samples.add('rssIdle', contender.name, rssMb(instance.pid));
        const alive = Number((await load.run({ kind: 'alive', session: 'idle' })).alive);
        samples.add('idleAlive', contender.name, alive);
        if (alive < Number(opened.opened))
          fewerIdle.set(contender.name, Math.min(alive, fewerIdle.get(contender.name) ?? alive));
        if (Number(opened.opened) < options.idle)
          problems.notes.push(`${LABELS[contender.name]}: opened ${opened.opened} of ${options.idle} idle connections`);
        await load.run({ kind: 'close', session: 'idle' });
        await instance.stop();
        fresh.splice(fresh.indexOf(instance), 1);
      }
      if (!phase('inspect')) continue;
      progress(`rep ${rep + 1}/${options.reps}: inspect`);
      const commands = inspectCommands(setup);
      const names = (Object.keys(commands) as InspectName[]).filter((name) => name !== 'openssl' || onPath('openssl'));
      const env = inspectEnv(setup);
      if (rep === 0) {
        // The first run builds the trust stores' subject-index cache, as any user's first run does.
        for (const name of ['inspect', 'ref'] as const) {
          const command = commands[name];
          if (!command) continue;
          const first = await timed(command.command, command.args, command.env ?? env);
          if (first.code !== 0)
            problems.notes.push(
              `${INSPECT_LABELS[name]} exited ${first.code} (expected 0: the origin verifies against --extra-ca)`,
            );
        }
        if (!onPath('openssl'))
          problems.notes.push('openssl s_client skipped: not installed (`apt-get install -y openssl`)');
      }
      for (let run = 0; run < options.inspectRuns; run++) {
        for (const name of rotate(names, rep * options.inspectRuns + run)) {
          const command = commands[name]!;
          const { ms } = await timed(command.command, command.args, command.env ?? env);
          (inspect[name] ??= []).push(ms);
        }
      }
    }

    for (const [name, alive] of fewerIdle)
      problems.notes.push(
        `${LABELS[name]}: as few as ${alive} of the ${options.idle} idle connections were still open when its RSS was read; it had closed the others (an idle timeout shorter than the time taken to open them all)`,
      );
    const report: Report = {
      info: {
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        cores: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
        node: process.version,
        loadBefore,
        loadAfter: loadavg(),
        idle: options.idle,
        options: `${options.smoke ? 'smoke, ' : ''}${options.reps} repetition(s), origin certificate ${options.originKey === 'rsa' ? 'RSA-2048' : 'P-256'}, phases ${options.phases.join(', ')}; keep-alive ${options.duration} s × ${options.connections} connections, h2 ${options.duration} s × ${options.h2Sessions} sessions × ${options.h2Streams} streams, ${options.newHosts} new hosts, ${options.delayedHosts} new hosts on a ${options.rttMs} ms RTT link, bulk ${options.bulkMib} MiB, ${options.idle} idle connections, inspect ×${options.inspectRuns}`,
        rttMs: options.rttMs,
        loadGeneratorCpuS: load.totalCpuUs / 1e6,
        loadGeneratorWallS: load.totalWallMs / 1000,
        wallS: (performance.now() - began) / 1000,
      },
      contenders: contenders.map((c) => c.name),
      samples,
      inspect: Object.fromEntries(
        (['node', 'node-cjs', 'inspect', 'ref', 'openssl'] as InspectName[])
          .filter((n) => inspect[n])
          .map((n) => [n, inspect[n]!]),
      ),
      notes: problems.notes,
    };
    const markdown = renderReport(report);
    writeFileSync(options.out, markdown);
    // Every repetition's value, for the spread between repetitions and runs (the table holds medians).
    writeFileSync(`${options.out.replace(/\.md$/, '')}.json`, `${JSON.stringify(samples.all(), null, 1)}\n`);
    process.stdout.write(markdown);
    progress(`wrote ${options.out}`);
    if (options.profile)
      progress(
        `CPU profiles of the tlswitness processes in ${options.profile}/{mitm,tunnel} (the profiler slows them: not for the table)`,
      );
    return problems.fatal ? 1 : 0;
  } finally {
    load.stop();
    await Promise.all([...running.values(), ...fresh].map((instance) => instance?.stop()));
    await relay.close();
    await origin.close();
    await h2Origin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main(parseOptions(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(
    error instanceof UsageError ? `Error: ${error.message}\n` : `Error: ${(error as Error).stack}\n`,
  );
  process.exitCode = 2;
}
