// SPEC exit codes: 0 all good, 1 a problem found, 2 bad usage or input, 3 could not connect.
import type { Problem } from '../types.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

export function exitCodeFor(problem: Problem): number {
  if (problem === 'ok') return EXIT_OK;
  if (problem === 'connection-failed') return EXIT_UNREACHABLE;
  return EXIT_PROBLEM;
}
