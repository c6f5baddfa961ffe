import test from 'ava';
import { oncePerProcess, sameAcrossBundles } from '../src/cross-bundle.js';
import { TlswitnessError } from '../src/errors.js';

/** Two copies of one class, as two files of the built binary each hold: the same source, evaluated twice. */
function copies(name: string) {
  const make = () =>
    class Copy extends Error {
      static {
        sameAcrossBundles(this, name);
      }
    };
  return [make(), make()] as const;
}

test('an instance made by one copy of a registered class is an instance of the other copy', (t) => {
  const [first, second] = copies('TestCopy');
  t.true(new first() instanceof second);
  t.true(new second() instanceof first);
  t.true(new first() instanceof Error);
});

test('another class, another name or a plain value is not an instance', (t) => {
  const [first] = copies('TestOne');
  const [other] = copies('TestOther');
  t.false(new other() instanceof first);
  t.false(new Error('x') instanceof first);
  t.false(Object.create(null) instanceof first);
  t.false((null as unknown) instanceof first);
  t.false(('TestOne' as unknown) instanceof first);
});

test('a subclass keeps the ordinary test: an instance of its parent is not one of it', (t) => {
  const [parent] = copies('TestParent');
  class Child extends parent {}
  t.true(new Child() instanceof parent);
  t.true(new Child() instanceof Child);
  t.false(new parent() instanceof Child);
});

test('TlswitnessError is registered: a copy of it from another file of the binary passes exit.ts’s test', (t) => {
  const copy = { __proto__: { [Symbol.for('tlswitness.class.TlswitnessError')]: true } };
  t.true(copy instanceof TlswitnessError);
  t.true(new TlswitnessError('bad-usage', 'x') instanceof TlswitnessError);
});

test('oncePerProcess: every copy of a module gets the value the first one made', (t) => {
  let made = 0;
  const make = () => ({ made: ++made });
  const first = oncePerProcess('test.once', make);
  t.is(oncePerProcess('test.once', make), first);
  t.is(made, 1);
  t.not(oncePerProcess('test.other', make), first);
});
