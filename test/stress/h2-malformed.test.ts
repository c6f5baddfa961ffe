// Stress: the malformed-h2 cases in 10 rounds (10 seeds for the random ones) through the built CLI
// proxy; npm test runs one round (test/proxy/h2-malformed.test.ts).
import test from 'ava';
import { throughProxy } from '../helpers/h2-malformed.js';

test(throughProxy, 10);
