// Differential test of verifyChain against openssl verify and a real Node 20 handshake: the named
// chains plus 50 seeded random mutations (the 500-mutation run is in `npm run test:stress`).
import test from 'ava';
import { differentialRun } from '../helpers/differential.js';

test(differentialRun, 50);
