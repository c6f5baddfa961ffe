// 400 generated malformed inputs (scripts/malformed-traffic.ts) against the built CLI proxy run as a
// child process, so a crash shows as an exit, while a well-behaved client keeps using it. The 2,000-case
// run is in `npm run test:stress`; the long run (100,000) is scripts/malformed-long-run.ts.
import test from 'ava';
import { malformedRun } from '../helpers/malformed.js';

test(malformedRun, 400, 20);
