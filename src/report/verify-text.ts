// Human text for `tlswitness verify`: the chain as given, each store's verdict, the Verify return
// code and the diagnosis, laid out as `inspect` lays out a handshake; pure.
import type { OfflineVerdict } from '../diagnose/offline-verdict.js';
import { chainLines, diagnosisLines, trustLine, verifyLines, warningLines } from './handshake-text.js';
import { safeLines } from './terminal-safe.js';

export interface VerifyHeading {
  file: string;
  format: string;
  /** The name checked, or null when none was. */
  name: string | null;
  at: Date;
  /** With --ca: the only anchors, shown as the extra store. */
  caOnly: boolean;
}

export function renderVerify(verdict: OfflineVerdict, heading: VerifyHeading): string {
  const name = heading.name ? `name ${heading.name}` : 'no name checked (--host or --ip checks one)';
  const out = [
    `${heading.file}: ${heading.format.toUpperCase()}, ${name}, at ${heading.at.toISOString()}${heading.caOnly ? ', trusting only --ca (the extra store)' : ''}`,
    '',
  ];
  out.push(...chainLines(verdict, heading.at, 'given'), '');
  out.push(trustLine(verdict), ...verifyLines(verdict), '');
  out.push(...diagnosisLines(verdict), ...warningLines(verdict));
  return `${safeLines(out)}\n`;
}
