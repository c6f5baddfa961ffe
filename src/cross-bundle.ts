// `instanceof` for classes whose instances pass from one file of the built binary to another: each command and
// what it loads on demand is bundled apart (scripts/build.mjs), each file with its own copy of the modules it
// shares, so an error thrown by one copy of a class reaches code that tests it against another copy.

/**
 * Makes `value instanceof cls` true for an instance of any copy of `cls` registered under the same `name`, by a
 * symbol from the runtime-wide registry (Symbol.for) on the prototype. Called in the class's static block.
 */
export function sameAcrossBundles(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`tlswitness.class.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
      // A subclass inherits this method: it keeps the ordinary test (it registers itself to be shared).
      return this === cls && typeof value === 'object' && value !== null && brand in value;
    },
  });
}

/**
 * The one value of `name` in this process, made by `make` the first time any copy of the calling module asks:
 * module-level state that must be shared by every file of the built binary holding a copy of its module (each
 * copy's own `const` would be a second one). Kept under a runtime-wide symbol (Symbol.for) on globalThis.
 */
export function oncePerProcess<T>(name: string, make: () => T): T {
  const slots = globalThis as unknown as Record<symbol, T | undefined>;
  return (slots[Symbol.for(`tlswitness.shared.${name}`)] ??= make());
}
