// `npm run bench -- --smoke`: the whole bench, tiny, so the script cannot rot; no thresholds.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';

// The bench reads CPU time and RSS from Linux's /proc.
const linux = existsSync('/proc/self/stat') ? test : test.skip;

/** Runs the bench with `args`; its exit code, output and error output. */
async function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import=tsx', join(ROOT, 'scripts', 'bench.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

linux('the bench smoke run measures direct, tunnel and MITM (HTTP/1.1 and h2) and writes the table', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tlswitness-bench-smoke-')), 'results.md');
  const { code, stdout, stderr } = await bench(['--smoke', '--out', out]);
  t.is(code, 0, stderr);
  const markdown = readFileSync(out, 'utf8');
  t.is(stdout, markdown, 'the table is printed and written');
  const row = (label: string) => {
    const line = markdown.split('\n').find((l) => l.startsWith(`| ${label} |`));
    t.truthy(line, `row "${label}"`);
    return line!
      .split('|')
      .slice(2, -1)
      .map((cell) => Number.parseFloat(cell));
  };
  t.true(markdown.includes('| metric | direct | tlswitness --mode tunnel | tlswitness (MITM) |'));
  for (const label of [
    'keep-alive: requests/s',
    'h2 keep-alive: requests/s',
    'new host, cold: first byte p50 (ms)',
    'new host, warm: connections/s',
    'origin closing each connection: new host, first byte p50 (ms)',
    'origin closing each connection: known host, first byte p50 (ms)',
    'delayed link: new host, first byte p50 (RTTs)',
    'delayed link: known host, first byte p50 (RTTs)',
    'bulk: MB/s',
  ]) {
    t.true(
      row(label).every((value) => value > 0),
      `${label}: a positive number for every contender`,
    );
  }
  for (const label of [
    'keep-alive: proxy CPU per request (µs)',
    'h2 keep-alive: proxy CPU per request (µs)',
    'RSS idle after start (MB)',
    'RSS holding 12 idle connections (MB)',
    'start to listening (ms)',
  ]) {
    const [direct, ...proxies] = row(label);
    t.true(Number.isNaN(direct), `${label}: nothing for direct`);
    t.true(
      proxies.every((value) => value > 0),
      `${label}: a positive number for each proxy`,
    );
  }
  t.deepEqual(row('idle connections still open when measured').slice(1), [12, 12]);
  // A fresh direct request over the delayed link needs at least TCP, TLS 1.3 and the request: 3 RTTs.
  t.true(row('delayed link: new host, first byte p50 (RTTs)')[0]! >= 2.9, 'the delayed link delays');
  t.regex(markdown, /\| tlswitness inspect \| \d+\.\d \| \d+\.\d\dx \|/);
  t.regex(markdown, /Load generator \(a separate Node process on the same machine\): \d+\.\d s CPU/);
  t.notRegex(markdown, /error\(s\)|left out/, 'no contender failed');
});

linux('a reference build runs beside this one, with per-repetition ratios and every sample kept', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tlswitness-bench-ref-')), 'results.md');
  const { code, stderr } = await bench([
    '--smoke',
    '--reps',
    '2',
    '--phases',
    'keep-alive,bulk',
    '--contenders',
    'mitm',
    '--ref-node-options=--max-semi-space-size=32',
    '--out',
    out,
  ]);
  t.is(code, 0, stderr);
  t.regex(stderr, /rep 1\/2: keep-alive, tlswitness \(MITM\) and tlswitness \(MITM, --ref-cli\)/, 'run side by side');
  const markdown = readFileSync(out, 'utf8');
  t.true(markdown.includes('| metric | tlswitness (MITM) | tlswitness (MITM, --ref-cli) |'));
  for (const label of ['keep-alive: proxy CPU per request', 'bulk: proxy CPU per MB'])
    t.regex(markdown, new RegExp(`\\| ${label}, ÷ the --ref-cli build run beside it \\| \\d+\\.\\d{3} \\| — \\|`));
  const samples = JSON.parse(readFileSync(out.replace(/\.md$/, '.json'), 'utf8')) as Record<string, number[]>;
  t.is(samples['kaProxyCpu/mitm']?.length, 2, 'one sample per repetition');
  t.is(samples['kaProxyCpu/mitm-ref']?.length, 2);
  t.is(samples['kaProxyCpuVsRef/mitm']?.length, 2);
  t.true(samples['bulkProxyCpu/mitm-ref']!.every((value) => value > 0));
});
