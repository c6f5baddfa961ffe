// What a change to a trust store reports, and what it is given to act with: the machine's tools
// and directories, injectable so tests never touch the real stores.
import type { FoundCa } from './installed-cas.js';
import type { LocalCa } from './local-ca.js';
import { oneLine } from '../report/terminal-safe.js';

export interface StoreResult {
  store: string;
  /** done: changed; skipped: not on this machine (or nothing to remove); manual: the user must run what `detail` says. */
  status: 'done' | 'skipped' | 'manual' | 'failed';
  detail: string;
}

/** Install puts one CA in; uninstall takes every tlswitness CA out. */
export type TrustChange = { action: 'install'; ca: LocalCa } | { action: 'uninstall' };

export type Runner = (
  command: string,
  args: string[],
  as?: { uid: number; gid: number } | null,
) => Promise<{ stdout: string; stderr: string }>;

export interface LinuxFlavour {
  store: string;
  anchorDir: string;
  extension: string;
  update: [string, string[]];
}

/** Everything a change touches on this machine, injectable so tests never reach the real stores. */
export interface InstallContext {
  platform: NodeJS.Platform;
  run: Runner;
  /** The command's full path when it is on PATH. */
  which: (command: string) => string | null;
  isRoot: boolean;
  /** Whose NSS databases (Firefox, Chromium) to change: the invoking user's under sudo. */
  home: string;
  /** Under sudo: the user's NSS files are changed as that user, so root leaves no files of its own there. */
  runAs: { uid: number; gid: number } | null;
  linux: LinuxFlavour[];
}

/** File and alias name: unique per CA, so two installs never collide. */
export function caLabel(ca: LocalCa): string {
  return `tlswitness-${ca.cert.x509.fingerprint256.replace(/:/g, '').slice(0, 12).toLowerCase()}`;
}

/** The first line of a failed command's message. */
export function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0]!;
}

/** One line per CA removed (or to remove), for the report. */
export function listFound(found: FoundCa[]): string {
  // A subject is certificate data: a line break in it must not forge a line of the report.
  return found.map((ca) => `\n    ${oneLine(ca.id)}: ${oneLine(ca.subject)}, SHA-256 ${ca.sha256}`).join('');
}
