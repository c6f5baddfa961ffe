// The house rules in eslint.config.js bite: fixture files that break them, linted as if they lived
// in src/, are reported by the rule that encodes them (and are not where the rule allows them).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const root = new URL('..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });
const fixture = (name: string) => readFileSync(new URL(`fixtures/lint/${name}`, import.meta.url), 'utf8');

/** The rule ids reported for `text` linted as if it were the file at `filePath` (relative to the repo). */
async function rulesFor(text: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

test('src/trust/ may not import a layer above it', async (t) => {
  t.true(
    (await rulesFor(fixture('imports-up.fixture'), 'src/trust/lint-fixture.ts')).includes('no-restricted-imports'),
  );
});

test('src/report/ may not import the network layer', async (t) => {
  t.true(
    (await rulesFor(fixture('imports-up.fixture'), 'src/report/lint-fixture.ts')).includes('no-restricted-imports'),
  );
});

test('the same import is allowed where the layers permit it', async (t) => {
  t.deepEqual(await rulesFor(fixture('imports-up.fixture'), 'src/cli/lint-fixture.ts'), []);
});

test('only the adapter imports http-mitm-proxy and only the screen imports blessed', async (t) => {
  const text = fixture('third-party.fixture');
  const [elsewhere] = await eslint.lintText(text, { filePath: 'src/tui/lint-fixture.ts' });
  const messages = (elsewhere?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
  t.true(
    messages.some((m) => m.includes('http-mitm-proxy')),
    messages.join('\n'),
  );
  t.true(
    messages.some((m) => m.includes('blessed')),
    messages.join('\n'),
  );
  const [adapter] = await eslint.lintText(text, { filePath: 'src/proxy/library-adapter.ts' });
  t.deepEqual(
    (adapter?.messages ?? []).map((m) => m.message).filter((m) => m.includes('http-mitm-proxy')),
    [],
  );
  const [screen] = await eslint.lintText(text, { filePath: 'src/tui/screen.ts' });
  t.deepEqual(
    (screen?.messages ?? []).map((m) => m.message).filter((m) => m.includes('blessed')),
    [],
  );
});

test('a src/ file over 300 lines, or a function over 80, is reported', async (t) => {
  const statements = (n: number) => Array.from({ length: n }, (_, i) => `  total += ${i};`).join('\n');
  const longFunction = `export function long(): number {\n  let total = 0;\n${statements(90)}\n  return total;\n}\n`;
  t.true((await rulesFor(longFunction, 'src/trust/lint-fixture.ts')).includes('max-lines-per-function'));
  const constants = Array.from({ length: 310 }, (_, i) => `export const c${i} = ${i};`).join('\n');
  const rules = await rulesFor(`${constants}\n`, 'src/trust/lint-fixture.ts');
  t.true(rules.includes('max-lines'));
  t.false(rules.includes('max-lines-per-function'));
});

test('the size limits count raw lines: blank lines and comments are lines too', async (t) => {
  const padded = (n: number) =>
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `  total += ${i};` : '  // a note\n')).join('\n');
  const longFunction = `export function long(): number {\n  let total = 0;\n${padded(60)}\n  return total;\n}\n`;
  t.true((await rulesFor(longFunction, 'src/trust/lint-fixture.ts')).includes('max-lines-per-function'));
  const commented = Array.from({ length: 160 }, (_, i) => `// c${i}\nexport const c${i} = ${i};\n`).join('');
  t.true((await rulesFor(commented, 'src/trust/lint-fixture.ts')).includes('max-lines'));
});
