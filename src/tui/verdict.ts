// The verdict word and tone of one host row: words first (they survive a terminal without colour,
// a screen reader and capture-pane), the tone only adds colour; pure.
import type { Problem } from '../types.js';
import type { HostRow } from './host-table.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'intercepted' | 'neutral';

export interface Verdict {
  word: string;
  tone: Tone;
  /** Counts as a problem for `p` (problems only) and the header. */
  problem: boolean;
}

const PROBLEM_WORDS: Record<Problem, string> = {
  ok: 'OK',
  'incomplete-chain': 'INCOMPLETE CHAIN',
  'unknown-ca': 'UNKNOWN CA',
  'self-signed': 'SELF-SIGNED',
  expired: 'EXPIRED',
  'not-yet-valid': 'NOT YET VALID',
  'hostname-mismatch': 'HOSTNAME MISMATCH',
  'wrong-order': 'WRONG ORDER',
  'weak-crypto': 'WEAK CRYPTO',
  'name-constraints': 'NAME CONSTRAINTS',
  'client-cert-required': 'CLIENT CERT REQUIRED',
  'handshake-failed': 'HANDSHAKE FAILED',
  'connection-failed': 'UNREACHABLE',
};

export function problemWord(problem: Problem): string {
  return PROBLEM_WORDS[problem];
}

/**
 * Interception explains every other symptom, so it wins; then the upstream's own problem; then an app
 * that refused the proxy's CA since its last exchange that got through (the upstream is fine, the app
 * is not); then OK.
 */
export function verdictOf(row: HostRow): Verdict {
  const record = row.record;
  if (record?.interception.ownProxy) return { word: 'VIA TLSWITNESS', tone: 'warn', problem: true };
  if (record?.interception.detected)
    return {
      word: record.interception.product ? `INTERCEPTED: ${record.interception.product}` : 'INTERCEPTED',
      tone: 'intercepted',
      problem: true,
    };
  if (record && record.diagnosis.problem !== 'ok') {
    // wrong-order still verifies (clients reorder): a problem to fix, not an outage.
    return {
      word: problemWord(record.diagnosis.problem),
      tone: record.diagnosis.problem === 'wrong-order' ? 'warn' : 'bad',
      problem: true,
    };
  }
  if (row.rejection) return { word: 'CLIENT REJECTED CA', tone: 'warn', problem: true };
  if (record) return { word: 'OK', tone: 'ok', problem: false };
  if (row.scheme === 'http') return { word: 'PLAIN HTTP', tone: 'neutral', problem: false };
  return { word: 'NOT RECORDED', tone: 'neutral', problem: false };
}
