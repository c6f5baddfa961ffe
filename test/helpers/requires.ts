// Tests that need something this machine may lack (a tool, /proc, IPv6 loopback): decided when the
// test file loads, so a missing tool makes a skipped test, listed with the reason in its title,
// never a test that passes without running.
import test, { type ExecutionContext } from 'ava';
import { accessSync, constants } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { delimiter, join } from 'node:path';

/** The path of an executable named `name` on PATH, or at one of `extra` (absolute paths); null when none. No process is started. */
export function findExecutable(name: string, extra: string[] = []): string | null {
  const candidates = [
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name)),
    ...extra,
  ];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether this machine has an IPv6 loopback address to listen on. */
export function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => a.address === '::1'));
}

type Implementation = (t: ExecutionContext) => unknown;

export interface Needs {
  /** Run serially (test.serial). */
  serial?: boolean;
  /** CI installs it (.ci/run): there a missing one fails the test instead of skipping it. */
  inCi?: boolean;
}

/**
 * `test` when `missing` is null; otherwise `test.skip`, with "skipped: <missing>" in the title (ava
 * lists skipped tests by title), or, under CI with `inCi`, a test that fails naming what is missing.
 */
export function testNeeding(
  missing: string | null,
  needs: Needs = {},
): (title: string, implementation: Implementation) => void {
  const run = needs.serial ? test.serial : test;
  return (title, implementation) => {
    if (!missing) run(title, implementation);
    else if (needs.inCi && process.env.CI) run(title, (t) => t.fail(`${missing} (.ci/run installs it)`));
    else run.skip(`${title} (skipped: ${missing})`, implementation);
  };
}
