// Oracle 1: `openssl verify -purpose sslserver` on each chain (leaf, -untrusted rest, -CAfile anchors,
// -verify_hostname/-verify_ip, -attime), a few processes at a time; returns ok and every reported error.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPem, type BuiltChain } from './der-builder.js';
import { mapLimit } from './limit.js';

export interface OpensslError {
  code: number;
  depth: number;
  text: string;
}

export interface OpensslAnswer {
  /** False when openssl could not even load the files (no verdict). */
  loaded: boolean;
  ok: boolean;
  /** Every `error N at D depth lookup` line, in order; the last one is the final error. */
  errors: OpensslError[];
  output: string;
}

const ERROR_LINE = /^error (\d+) at (\d+) depth lookup: ?(.*)$/gm;

export interface OpensslOptions {
  concurrency?: number;
  /** Extra arguments, e.g. ['-auth_level', '1']. */
  extraArgs?: string[];
}

export async function opensslVerifyAll(
  chains: BuiltChain[],
  now: Date,
  options: OpensslOptions = {},
): Promise<OpensslAnswer[]> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-diff-'));
  try {
    return await mapLimit(chains, options.concurrency ?? 2, (chain, i) =>
      opensslVerify(chain, now, join(dir, String(i)), options.extraArgs ?? []),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function opensslVerify(
  chain: BuiltChain,
  now: Date,
  prefix: string,
  extraArgs: string[],
): Promise<OpensslAnswer> {
  const anchors = `${prefix}-anchors.pem`;
  const rest = `${prefix}-untrusted.pem`;
  const leaf = `${prefix}-leaf.pem`;
  await writeFile(anchors, chain.anchors.map(toPem).join(''));
  await writeFile(leaf, toPem(chain.sent[0]!));
  const untrusted = chain.sent.slice(1);
  if (untrusted.length > 0) await writeFile(rest, untrusted.map(toPem).join(''));
  const host = chain.spec.host;
  const args = [
    'verify',
    '-purpose',
    'sslserver',
    '-attime',
    String(Math.floor(now.getTime() / 1000)),
    // Only these anchors, as Node's `ca:` replaces the default roots: no default directory or store.
    '-no-CApath',
    '-no-CAstore',
    '-CAfile',
    anchors,
    ...(untrusted.length > 0 ? ['-untrusted', rest] : []),
    ...(isIP(host) ? ['-verify_ip', host] : ['-verify_hostname', host]),
    ...extraArgs,
    leaf,
  ];
  const { stdout, stderr } = await run('openssl', args);
  const output = `${stdout}${stderr}`;
  const errors = [...output.matchAll(ERROR_LINE)].map((m) => ({
    code: Number(m[1]),
    depth: Number(m[2]),
    text: m[3]!,
  }));
  const ok = stdout.includes(': OK');
  // Without an OK and without an error line, openssl failed before verifying (an unloadable file).
  return { loaded: ok || errors.length > 0, ok, errors, output };
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
      (_error, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
}
