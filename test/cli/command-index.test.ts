// A command line loads the command it names and the default one (proxy); help with no command named loads all,
// in the order of the full list docs/cli.md is rendered from.
import test from 'ava';
import { COMMAND_LOADERS, commandsFor } from '../../src/cli/command-index.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { commandName } from '../../src/cli/examples.js';
import { runCli } from '../helpers/fixtures.js';

const names = async (argv: string[]) => (await commandsFor(argv)).map((module) => commandName(module));

test('the loaders name every command, in the order --help lists them, and load each one', async (t) => {
  t.deepEqual(
    Object.keys(COMMAND_LOADERS),
    COMMANDS.map((module) => commandName(module)),
  );
  for (const [name, load] of Object.entries(COMMAND_LOADERS)) t.is(commandName(await load()), name);
});

test('a named command loads with the default command only', async (t) => {
  t.deepEqual(await names(['inspect', 'example.com', '--json']), ['proxy', 'inspect']);
  t.deepEqual(await names(['--certs-dir', '/tmp/x', 'ca', 'path']), ['proxy', 'ca']);
  t.deepEqual(await names(['inspect', '--help']), ['proxy', 'inspect']);
});

test('no command named: the default; with --help, every command', async (t) => {
  t.deepEqual(await names([]), ['proxy']);
  t.deepEqual(await names(['--port', '9090', '--no-tui']), ['proxy']);
  t.deepEqual(await names(['--help']), Object.keys(COMMAND_LOADERS));
});

// The built binary, which registers only what commandsFor gives it.
test("--help lists every command; a command's --help shows its examples; a typo is a one-line usage error", async (t) => {
  const all = await runCli(['--help']);
  t.is(all.code, 0);
  for (const name of Object.keys(COMMAND_LOADERS)) t.regex(all.stdout, new RegExp(`tlswitness ${name}\\b`));
  const inspect = await runCli(['inspect', '--help']);
  t.is(inspect.code, 0);
  t.regex(inspect.stdout, /tlswitness inspect api\.example\.com:8443 --json/);
  const typo = await runCli(['inspct', 'example.com']);
  t.is(typo.code, 2);
  t.regex(typo.stderr, /^Error: Unknown argument/);
});
