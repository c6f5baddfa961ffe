// Wall time of `tlswitness inspect` against a local server, beside the floor for any Node tool (a
// bare script that only does tls.connect) and `openssl s_client`; medians of alternating runs.
// Usage: npm run build && node --import=tsx scripts/bench-inspect.ts [RUNS]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, makeFixtures, startScenarioServer } from '../test/helpers/fixtures.js';

const runs = Number(process.argv[2] ?? 21);
const fixtures = await makeFixtures();
const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
const target = `valid.example.com:${server.port}`;
const bare = join(mkdtempSync(join(tmpdir(), 'tlswitness-bench-')), 'bare-connect.mjs');
writeFileSync(bare, `import tls from 'node:tls';\nconst s = tls.connect({ host: '127.0.0.1', port: ${server.port}, servername: 'valid.example.com', rejectUnauthorized: false }, () => s.destroy());\n`);
const env = { PATH: process.env.PATH, HOME: process.env.HOME, SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt' };

// Async spawns: a spawnSync here would block the event loop that serves the TLS server.
function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end();
    child.on('exit', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
  });
}

const contenders: Record<string, [string, string[]]> = {
  'node tls.connect (floor)': [process.execPath, [bare]],
  'tlswitness inspect': [process.execPath, [CLI, 'inspect', target, '--resolve', `${target}:127.0.0.1`]],
  'tlswitness inspect --json': [process.execPath, [CLI, 'inspect', target, '--resolve', `${target}:127.0.0.1`, '--json']],
  'openssl s_client': ['openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'valid.example.com']],
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
await timed(...contenders['tlswitness inspect']!); // warm the subject index cache
for (let i = 0; i < runs; i++) {
  for (const [name, [command, args]] of Object.entries(contenders)) samples[name]!.push(await timed(command, args));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const floor = median(samples['node tls.connect (floor)']!);
process.stdout.write(`| contender | median ms | ratio to floor |\n|---|---|---|\n`);
for (const [name, values] of Object.entries(samples)) process.stdout.write(`| ${name} | ${median(values).toFixed(1)} | ${(median(values) / floor).toFixed(2)}x |\n`);
await server.close();
await fixtures.close();
