// The proxy's full collection: it collects, and leaves no global `gc` behind.
import test from 'ava';
import { runInNewContext } from 'node:vm';
import { fullGc } from '../../src/cli/full-gc.js';

test('fullGc collects what nothing holds any more, and exposes no gc to other contexts', async (t) => {
  const collect = fullGc();
  t.truthy(collect, 'Node offers a full collection');
  let target: object | null = { big: new Array(1000).fill('x') };
  const ref = new WeakRef(target);
  target = null;
  // A WeakRef's target is kept for the rest of the job that created or read it.
  await new Promise((resolve) => setImmediate(resolve));
  collect!();
  t.is(ref.deref(), undefined);
  t.is(runInNewContext('typeof gc'), 'undefined');
});
