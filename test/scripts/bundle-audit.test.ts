import test from 'ava';
// @ts-expect-error: a JavaScript module of the build, without types
import { copyProblems } from '../../scripts/bundle-audit.mjs';

const problems = (outputs: Record<string, string[]>, sources: Record<string, string>): string[] =>
  copyProblems(outputs, new Map(Object.entries(sources)));

const THROWER = `export class Refusal extends Error {}\nexport const REFUSED = new Set([1, 2]);\n`;
const TESTER = `if (error instanceof Refusal) block();\n`;

test('a class tested with instanceof in a module two files hold must be registered', (t) => {
  const found = problems(
    { 'a.mjs': ['src/x.ts'], 'b.mjs': ['src/x.ts', 'src/y.ts'] },
    { 'src/x.ts': THROWER, 'src/y.ts': TESTER },
  );
  t.is(found.length, 1);
  t.regex(found[0]!, /^src\/x\.ts \(in a\.mjs, b\.mjs\): class Refusal is tested with instanceof/);
});

test('no problem: one file holds the module, or the class is registered, or nothing tests it', (t) => {
  t.deepEqual(problems({ 'a.mjs': ['src/x.ts', 'src/y.ts'] }, { 'src/x.ts': THROWER, 'src/y.ts': TESTER }), []);
  const registered = THROWER.replace('{}', "{ static { sameAcrossBundles(this, 'Refusal'); } }");
  t.deepEqual(
    problems({ 'a.mjs': ['src/x.ts'], 'b.mjs': ['src/x.ts'] }, { 'src/x.ts': registered, 'src/y.ts': TESTER }),
    [],
  );
  t.deepEqual(problems({ 'a.mjs': ['src/x.ts'], 'b.mjs': ['src/x.ts'] }, { 'src/x.ts': THROWER }), []);
});

test('module-level state in a module with copies is a problem unless listed; constant tables are not state', (t) => {
  const outputs = { 'a.mjs': ['src/x.ts', 'node_modules/p/i.js'], 'b.mjs': ['src/x.ts', 'node_modules/p/i.js'] };
  const states = [
    'let count = 0;',
    'const seen = new Map<string, boolean>();',
    "export const key = Symbol('k');",
    'export const relayCollector = new YoungCollector();',
    'const counter: Counter = new counters.Counter(1);',
  ];
  for (const state of states)
    t.regex(problems(outputs, { 'src/x.ts': `${state}\n` })[0] ?? '', /module-level state/, state);
  t.deepEqual(problems(outputs, { 'src/x.ts': 'const CODES = new Set([1]);\nfunction f() {\n  let x = 1;\n}\n' }), []);
  t.deepEqual(problems(outputs, { 'src/redact/secret-names.ts': 'const seen = new Map();\n' }), []);
});

test('state shared on purpose through oncePerProcess is not a problem', (t) => {
  const outputs = { 'a.mjs': ['src/x.ts'], 'b.mjs': ['src/x.ts'] };
  const shared = "export const relayCollector: YoungCollector = oncePerProcess('relay', () => new YoungCollector());\n";
  t.deepEqual(problems(outputs, { 'src/x.ts': shared }), []);
});
