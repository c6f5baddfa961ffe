// Stress: 2,000 generated malformed inputs (scripts/malformed-traffic.ts) against the built CLI proxy.
// npm test runs the 200-case smoke (test/proxy/malformed.test.ts); the long run (100,000) is
// scripts/malformed-long-run.ts.
import test from 'ava';
import { malformedRun } from '../helpers/malformed.js';

test(malformedRun, 2000, 20);
