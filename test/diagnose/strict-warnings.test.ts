// The strict-client warnings' wording: counts agree with their number.
import test from 'ava';
import { strictClientWarnings } from '../../src/diagnose/strict-warnings.js';

test('unrelated certificates: "1 certificate that is", "2 certificates that are"', (t) => {
  t.is(
    strictClientWarnings([], 1).find((w) => w.code === 'unrelated-certificates')?.message,
    'the server sent 1 certificate that is not part of its chain: remove it from the served bundle',
  );
  t.is(
    strictClientWarnings([], 2).find((w) => w.code === 'unrelated-certificates')?.message,
    'the server sent 2 certificates that are not part of its chain: remove them from the served bundle',
  );
});
