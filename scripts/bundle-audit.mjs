// The build's check on module copies: each command and what it loads on demand is bundled apart (build.mjs), so a
// source module that two output files need exists twice at run time. That is harmless for pure functions and
// constants; it splits module-level state, and `instanceof` fails across the copies of a class. Pure: the build
// passes in which source modules each output holds and the text of every source module.

/**
 * Module-level state that may exist once per output file, each with why: all are memos that nothing outside the
 * module reads, so two copies answer the same and cost only memory (or asking twice). A new entry needs as much.
 */
export const STATE_COPIES_ALLOWED = {
  'src/redact/secret-names.ts': 'a memo of which names are secret',
  'src/diagnose/interception-catalogue.ts': 'a memo of catalogue matches',
  'src/ca/certificate-parts.ts': "memos of a key's derived bytes",
  'src/address-ranges.ts': 'the block lists, built on first use',
  'src/trust/openssl-verdict.ts': "a table of OpenSSL's messages, built on first use",
  'src/tls/probe-context.ts': 'a memo of TLS contexts per trust store; another copy builds its own',
  'src/record/host-parser.ts': 'the public suffix parser, loaded on first use',
  'src/doctor/openssl-level.ts': 'the OpenSSL security level, asked once per copy',
  'src/trust/certifi-store.ts': "where Python's certifi is, asked once per copy",
};

// A top-level `let`, an object made with `new` (a collection, or any class's instance: a counter, a registry) or
// a symbol; an UPPER_CASE collection is a constant table (STYLE.md's naming). State shared on purpose is kept
// with oncePerProcess (src/cross-bundle.ts), which this does not match.
const STATE = [
  /^(?:export )?(?:let|var)\s/,
  /^(?:export )?const [a-z_$][\w$]*(?:\s*:[^=]+)?\s*=\s*new [\w$.]+/,
  /^(?:export )?const [\w$]+(?:\s*:[^=]+)?\s*=\s*Symbol\(/,
];

/**
 * The problems with the copies in a build: `outputs` maps each output file to the source modules bundled into it,
 * `sources` each source module (src/**) to its text. A class that any source module tests with `instanceof` must
 * be registered with sameAcrossBundles (src/cross-bundle.ts) when its module has copies.
 */
export function copyProblems(outputs, sources) {
  const holders = new Map();
  for (const [output, inputs] of Object.entries(outputs))
    for (const input of inputs.filter((path) => sources.has(path)))
      holders.set(input, [...(holders.get(input) ?? []), output]);
  const allText = [...sources.values()].join('\n');
  const problems = [];
  for (const [module, files] of holders) {
    if (files.length < 2) continue;
    const text = sources.get(module);
    const where = `${module} (in ${files.join(', ')})`;
    for (const [, name] of text.matchAll(/\bclass ([\w$]+)/g)) {
      const tested = new RegExp(`instanceof ${name.replace(/\$/g, '\\$')}\\b`).test(allText);
      if (tested && !text.includes(`sameAcrossBundles(this, '${name}')`))
        problems.push(`${where}: class ${name} is tested with instanceof; register it with sameAcrossBundles`);
    }
    const state = text.split('\n').find((line) => STATE.some((pattern) => pattern.test(line)));
    if (state && !(module in STATE_COPIES_ALLOWED))
      problems.push(`${where}: module-level state (${state.trim()}); share it or list it in STATE_COPIES_ALLOWED`);
  }
  return problems;
}
