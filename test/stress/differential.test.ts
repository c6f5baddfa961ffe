// Stress: the differential test of verifyChain on the named chains plus 500 seeded random mutations
// (`scripts/verify-differential.ts --seed 1 --mutations 500` reproduces it). npm test runs the named
// chains with 50 mutations (test/trust/differential.test.ts).
import test from 'ava';
import { differentialRun } from '../helpers/differential.js';

test(differentialRun, 500);
