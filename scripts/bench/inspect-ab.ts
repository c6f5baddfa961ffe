// Paired CPU runs of `inspect`: a bare Node tls.connect script (the bench's floor) and each build given, in turn,
// round after round, against one RSA-2048 origin, each with its own cache directory and an environment that is only
// what the bench sets (a NODE_EXTRA_CA_CERTS in the shell would move Node's root store build to start-up and hide
// it). CPU is user + system time to exit, reported by a preload that every contender gets alike.
// node --import=tsx scripts/bench/inspect-ab.ts [--rounds N] CLI...   (e.g. dist/tlswitness.cjs OTHER/dist/tlswitness.cjs)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTestCa } from '../../test/helpers/pki.js';
import { startOrigin } from './origin.js';
import { median } from './stats.js';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string' } }, allowPositionals: true });
const rounds = Number(values.rounds ?? 60);
if (!positionals.length || !(rounds > 0)) throw new Error('usage: inspect-ab.ts [--rounds N] CLI...');

const dir = mkdtempSync(join(tmpdir(), 'tlswitness-inspect-ab-'));
const root = await makeTestCa('tlswitness bench root', 'rsa');
const leaf = await root.issue(['*.bench.test']);
const rootFile = join(dir, 'bench-root.pem');
writeFileSync(rootFile, root.pem);
const origin = await startOrigin(leaf.keyPem, leaf.pem);
const host = 'inspect.bench.test';
const target = `${host}:${origin.port}`;
const bare = join(dir, 'bare-connect.mjs');
writeFileSync(
  bare,
  `import tls from 'node:tls';\nconst s = tls.connect({ host: '127.0.0.1', port: ${origin.port}, servername: '${host}', rejectUnauthorized: false }, () => s.destroy());\n`,
);
const preload = join(dir, 'cpu.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.AB_CPU_FILE, String((u.user + u.system) / 1000)); });\n",
);

interface Contender {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}
const contender = (name: string, args: string[], i: number): Contender => {
  const own = (what: string) => mkdirSync(join(dir, `${what}${i}`), { recursive: true });
  own('certs');
  own('home');
  return {
    name,
    args,
    env: {
      PATH: process.env.PATH,
      HOME: join(dir, `home${i}`),
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      TLSWITNESS_CACHE_DIR: join(dir, `cache${i}`),
      TLSWITNESS_CERTS_DIR: join(dir, `certs${i}`),
      NODE_OPTIONS: `--require ${preload}`,
      AB_CPU_FILE: join(dir, `cpu${i}`),
    },
  };
};
const contenders = [
  contender('bare Node tls.connect', [bare], 0),
  ...positionals.map((cli, i) =>
    contender(
      cli,
      [resolve(cli), 'inspect', target, '--resolve', `${target}:127.0.0.1`, '--extra-ca', rootFile],
      i + 1,
    ),
  ),
];

/** One run: its CPU (ms) and wall time (ms). */
function run(c: Contender): Promise<{ cpu: number; wall: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, c.args, { env: c.env, stdio: 'ignore' });
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code !== 0) return fail(new Error(`${c.name} exited ${code}`));
      done({ cpu: Number(readFileSync(c.env.AB_CPU_FILE!, 'utf8')), wall: performance.now() - started });
    });
  });
}

const cpu = contenders.map(() => [] as number[]);
const wall = contenders.map(() => [] as number[]);
const loadBefore = loadavg()[0]!;
// A first round fills each build's caches (compiled code, store snapshots, programs' answers); the order rotates.
for (let round = -1; round < rounds; round++)
  for (let k = 0; k < contenders.length; k++) {
    const i = (k + Math.max(round, 0)) % contenders.length;
    const measured = await run(contenders[i]!);
    if (round < 0) continue;
    cpu[i]!.push(measured.cpu);
    wall[i]!.push(measured.wall);
  }
const lowerHalf = (v: number[]) => {
  const low = [...v].sort((a, b) => a - b).slice(0, Math.ceil(v.length / 2));
  return low.reduce((a, b) => a + b, 0) / low.length;
};
console.log(`${rounds} rounds, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
// Each round's difference from the first build given, then their median: the load moves between rounds more than
// within one, so paired differences tell two builds apart where the medians' spread would hide them.
const versusFirst = (i: number) => median(cpu[i]!.map((value, round) => value - cpu[1]![round]!));
console.log(
  '| | CPU median (ms) | × bare | CPU, mean of the lower half | × bare | wall median (ms) | paired Δ CPU vs the first build (ms) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
contenders.forEach((c, i) => {
  const [m, l] = [median(cpu[i]!), lowerHalf(cpu[i]!)];
  const [m0, l0] = [median(cpu[0]!), lowerHalf(cpu[0]!)];
  console.log(
    `| ${c.name} | ${m.toFixed(1)} | ${(m / m0).toFixed(2)}x | ${l.toFixed(1)} | ${(l / l0).toFixed(2)}x | ${median(wall[i]!).toFixed(1)} | ${i > 1 ? versusFirst(i).toFixed(1) : ''} |`,
  );
});
await origin.close();
rmSync(dir, { recursive: true, force: true });
