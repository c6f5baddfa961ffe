// docs/cli.md is what scripts/cli-reference.ts renders from the commands the binary registers, so it cannot drift
// from the flags; every command and subcommand has examples, each accepted by the binary's own (strict) parser.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import {
  CLI_REFERENCE,
  REGENERATE,
  collectCommands,
  parseInert,
  renderCliReference,
} from '../../scripts/cli-reference.js';
import { EXAMPLES } from '../../src/cli/examples.js';

const commands = await collectCommands();

test('docs/cli.md is current: the reference rendered from the command definitions, byte for byte', (t) => {
  let checkedIn = '';
  try {
    checkedIn = readFileSync(CLI_REFERENCE, 'utf8');
  } catch {
    t.fail(`docs/cli.md is missing: run \`${REGENERATE}\` and commit it`);
    return;
  }
  t.true(
    checkedIn === renderCliReference(commands),
    `docs/cli.md is out of date with the command definitions: run \`${REGENERATE}\` and commit docs/cli.md`,
  );
});

test('the reference holds every command and subcommand, each flag the parser knows, and the hidden ones not', (t) => {
  const paths = commands.map((c) => c.path.join(' '));
  t.deepEqual(paths.slice(0, 3), ['proxy', 'inspect', 'detect']);
  t.true(paths.includes('ca export') && paths.includes('ca uninstall'));
  const reference = renderCliReference(commands);
  const proxy = commands.find((c) => c.path[0] === 'proxy')!;
  t.true(
    proxy.options.some((o) => o.name === 'header-timeout'),
    'the recorder sees hidden flags...',
  );
  t.false(reference.includes('--header-timeout'), '...and the reference leaves them out');
  for (const doc of commands) {
    for (const { name, flag } of doc.options)
      if (!flag.hidden) t.true(reference.includes(`\`--${name}\``), `tlswitness ${doc.path.join(' ')} --${name}`);
  }
});

test('every command and subcommand has examples, and every example in src/cli/examples.ts belongs to one', (t) => {
  for (const doc of commands) {
    t.true(
      doc.examples.length > 0,
      `tlswitness ${doc.path.join(' ')} has no example: add its lines to EXAMPLES in src/cli/examples.ts`,
    );
  }
  const known = new Set(commands.map((c) => c.path.join(' ')));
  for (const key of Object.keys(EXAMPLES)) t.true(known.has(key), `EXAMPLES["${key}"] names no command`);
});

/** The words after `$0` up to a pipe, redirection or the end of a `$(...)`, unquoted. */
function exampleArgv(line: string): string[] {
  const words: string[] = [];
  const rest = line.slice(line.indexOf('$0') + 2);
  for (const match of rest.matchAll(/"([^"]*)"|'([^']*)'|([^\s"')]+)|(\))/g)) {
    if (match[4] || ['|', '<', '>', '>>', '&&'].includes(match[3] ?? '')) break;
    words.push(match[1] ?? match[2] ?? match[3]!);
  }
  return words;
}

test("every example is accepted by the binary's strict parser (known flags, valid choices, required arguments)", async (t) => {
  t.deepEqual(exampleArgv('eval "$($0 ca env --unset)"'), ['ca', 'env', '--unset']);
  t.deepEqual(exampleArgv('$0 explain "curl: (60) x" --json < build.log'), ['explain', 'curl: (60) x', '--json']);
  // The check itself refuses what it should.
  t.truthy((await parseInert(['inspect', 'api.example.com', '--no-such-flag'])).error);
  t.truthy((await parseInert(['ca', 'export', '--format', 'jks'])).error);
  for (const doc of commands) {
    for (const [line] of doc.examples) {
      t.true(line.includes('$0'), `${line}: examples run $0`);
      const { error } = await parseInert(exampleArgv(line));
      t.is(error?.message ?? null, null, `tlswitness ${doc.path.join(' ')} example: ${line}`);
    }
  }
});

test('examples name only placeholder hosts (example.com, names under a private-use suffix) and loopback or private addresses', (t) => {
  const files = /\.(pem|der|p12|crt|key|ndjson|log|gz|env)$/;
  for (const doc of commands) {
    for (const [line] of doc.examples) {
      for (const word of line.split(/[\s"'=,@/]+/)) {
        const host = word.replace(/:\d+$/, '').replace(/^\*\./, '');
        if (isIP(host)) t.regex(host, /^(127\.|10\.|192\.168\.)/, `${line}: ${host}`);
        else if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host) && !files.test(host))
          t.regex(
            host,
            /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost|internal|corp|home\.arpa)$/,
            `${line}: ${host}`,
          );
      }
    }
  }
});
