// V8's gc extension reached at run time, and a user's own --expose-gc left as it was.
import test from 'ava';
import { runInNewContext } from 'node:vm';
import { lookUpGcExtension } from '../src/gc-extension.js';

test.serial('without --expose-gc: a working gc, and none left in contexts made afterwards', (t) => {
  t.is(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  const gc = lookUpGcExtension();
  t.is(typeof gc, 'function');
  t.notThrows(() => gc!({ type: 'minor' }));
  t.is(runInNewContext('typeof gc'), 'undefined');
});

// The process's own gc (as --expose-gc installs it) is taken as is: turning the flag off after a lookup would
// take gc away from contexts the user's code makes later.
test.serial('with a global gc, as --expose-gc makes: that one, and the flag untouched', (t) => {
  const own = () => undefined;
  (globalThis as { gc?: unknown }).gc = own;
  try {
    t.is(lookUpGcExtension(), own);
  } finally {
    delete (globalThis as { gc?: unknown }).gc;
  }
});
