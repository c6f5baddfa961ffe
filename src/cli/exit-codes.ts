// SPEC exit codes: 0 all good, 1 a problem found, 2 bad usage or input, 3 could not connect.
import type { Problem } from '../types.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

export function exitCodeFor(problem: Problem, interceptionDetected = false): number {
  if (problem === 'connection-failed') return EXIT_UNREACHABLE;
  if (problem === 'ok' && !interceptionDetected) return EXIT_OK;
  return EXIT_PROBLEM;
}
