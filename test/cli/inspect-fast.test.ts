// The fast `inspect` parser against yargs, differentially: for every command line of a corpus (each flag in its
// `=` and space forms, repeated, camelCase spellings, `--`, odd values, misplaced positionals), the fast parser
// either declines or gives exactly the arguments the binary's yargs parser hands inspect's handler.
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { commandsFor } from '../../src/cli/command-index.js';
import { commandName } from '../../src/cli/examples.js';
import { fastInspectArgs } from '../../src/cli/inspect-fast.js';
import { cliParser } from '../../src/cli/parser.js';
import {
  cleanEnv,
  closedPort,
  makeFixtures,
  ROOT,
  runCli,
  withScenarioServer,
  type Fixtures,
} from '../helpers/fixtures.js';
import { watchLoadedFiles } from '../helpers/loaded-files.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

type Outcome = { args: Record<string, unknown> } | { error: string };

/** What the binary's yargs parser does with `argv`: the arguments inspect's handler gets, or its failure. */
async function viaYargs(argv: string[]): Promise<Outcome> {
  let handled: Record<string, unknown> | undefined;
  const commands = (await commandsFor(argv)).map((module) => ({
    ...module,
    handler: (args: Record<string, unknown>) => {
      if (commandName(module) === 'inspect') handled = { ...args };
    },
  }));
  return new Promise((resolve) => {
    let failure: string | undefined;
    const parser = cliParser(argv, commands)
      .exitProcess(false)
      .fail((message, error) => {
        failure = error?.message ?? message;
      });
    void parser.parse([...argv], {}, (error, _argv, output) => {
      const why = failure ?? error?.message ?? (output ? 'printed help or version' : 'no handler ran');
      resolve(handled && !failure ? { args: handled } : { error: why });
    });
  });
}

const TARGET = 'api.example.com:8443';

/** Each flag with values yargs takes, refuses or reads otherwise; `null`: a boolean given alone. */
const FLAG_VALUES: Readonly<Record<string, ReadonlyArray<string | null>>> = {
  resolve: ['api.example.com:8443:127.0.0.1', 'a:1:[::1]', 'x=y', ''],
  'extra-ca': ['corp.pem', 'dir with space/root.pem', '-', '"quoted.pem"'],
  'public-roots': ['roots.pem', ''],
  'upstream-proxy': ['http://proxy.example.com:3128', 'http://u:p@127.0.0.1:8080', 'not a url'],
  'env-proxy': [null, 'true', 'false'],
  'tls-min': ['1.0', '1.2', '1.3', '1.4', 'TLSv1.2', ''],
  'tls-max': ['1.2', '1.3', '1.1', 'x'],
  timeout: ['5000', '5e3', '0x10', '1.5', '0', '-5', 'abc', '', ' 12 ', 'Infinity', '1_000'],
  'certs-dir': ['/tmp/certs', '~/certs'],
  servername: ['api.example.com', 'a b', '', '127.0.0.1', 'xn--bcher-kva.example', 'true', '123'],
  'fetch-missing': [null, 'false'],
  'http-probe': [null, 'true'],
  'client-cert': ['me.pem', 'me.p12'],
  'client-key': ['me-key.pem'],
  password: ['secret', '', '--json', '=x'],
  json: [null, 'true', 'false', '1'],
  'save-chain': ['served.pem', '', 'a=b.pem'],
  html: ['chain.html', '-'],
};

function flagForms(name: string, value: string | null): string[][] {
  if (value === null) return [[`--${name}`]];
  return [[`--${name}`, value], [`--${name}=${value}`]];
}

function corpus(): string[][] {
  const lines: string[][] = [];
  for (const [name, values] of Object.entries(FLAG_VALUES)) {
    for (const value of values) {
      for (const form of flagForms(name, value)) {
        lines.push(['inspect', TARGET, ...form], ['inspect', ...form, TARGET]);
        if (name !== 'client-key') lines.push(['inspect', TARGET, '--client-cert', 'c.pem', ...form]);
      }
    }
    // Given twice; a negation; the camelCase spelling yargs also accepts.
    const value = values[0] ?? null;
    const once = flagForms(name, value)[0]!;
    lines.push(['inspect', TARGET, ...once, ...once], ['inspect', TARGET, `--no-${name}`]);
    lines.push(['inspect', TARGET, `--${name.replace(/-(.)/g, (_d, c: string) => c.toUpperCase())}`, ...once.slice(1)]);
  }
  const targets = [
    'example.com',
    'version',
    'completion',
    'inspect',
    'proxy',
    "'x'",
    '[::1]:443',
    'https://a.example.com/x?y',
    '443',
    '-',
    '',
    'ca',
    'help',
    'true',
  ];
  for (const target of targets) lines.push(['inspect', target], ['inspect', target, '--json']);
  lines.push(
    ['inspect'],
    ['inspect', '--json'],
    ['inspect', TARGET, 'second.example.com'],
    ['inspect', '--', TARGET],
    ['inspect', TARGET, '--', '--json'],
    ['inspect', TARGET, '--help'],
    ['inspect', '--version'],
    ['inspect', TARGET, '-h'],
    ['inspect', TARGET, '-j'],
    ['inspect', '--target', TARGET],
    ['inspect', TARGET, '--resolve', 'a:1:127.0.0.1', 'b:2:127.0.0.2'],
    ['inspect', '--resolve', 'a:1:127.0.0.1', TARGET],
    ['inspect', '--extra-ca', 'a.pem', '--extra-ca', 'b.pem', TARGET, '--resolve=a:1:127.0.0.1', '--resolve=b:2:::1'],
    ['inspect', '--json', 'false', TARGET],
    ['inspect', '--json', TARGET, '--save-chain', 'x.pem', '--html', 'x.html', '--timeout', '250'],
    ['inspect', TARGET, '--tls-min', '1.3', '--tls-max', '1.2'],
    ['inspect', TARGET, '--tls-min=1.0', '--tls-max=1.1', '--no-env-proxy', '--no-http-probe'],
    ['inspect', TARGET, '--resolve.x', 'y'],
    ['inspect', TARGET, '--timeout', '1', '--timeout', '2'],
    ['--json', 'inspect', TARGET],
    ['detect', TARGET],
  );
  return [...lines, ...combinations(400)];
}

/**
 * `count` command lines of 1-4 flags drawn from FLAG_VALUES in either form, the target at a random place
 * among them: how flags interact (an array flag before the target, a boolean before `false`). Seeded, so a
 * failure repeats.
 */
function combinations(count: number): string[][] {
  let seed = 19;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const forms = Object.entries(FLAG_VALUES).flatMap(([name, values]) =>
    values.flatMap((value) => flagForms(name, value)),
  );
  return Array.from({ length: count }, () => {
    const parts = Array.from({ length: 1 + random(4) }, () => forms[random(forms.length)]!);
    parts.splice(random(parts.length + 1), 0, [TARGET]);
    return ['inspect', ...parts.flat()];
  });
}

test('the fast parser declines or agrees with yargs on every command line of the corpus', async (t) => {
  const lines = corpus();
  const disagreements: unknown[] = [];
  let agreed = 0;
  for (const argv of lines) {
    const fast = fastInspectArgs(argv);
    if (!fast) continue;
    const yargs = await viaYargs(argv);
    if ('args' in yargs && isDeepStrictEqual({ ...fast }, yargs.args)) agreed++;
    else disagreements.push({ argv, fast, yargs });
  }
  t.deepEqual(disagreements, []);
  t.log(`${agreed} of ${lines.length} command lines parsed by both, the rest left to yargs`);
  t.true(agreed > lines.length / 3, `only ${agreed} of ${lines.length} taken by the fast parser`);
});

test('the common command lines take the fast path', (t) => {
  for (const argv of [
    ['inspect', TARGET],
    ['inspect', TARGET, '--json'],
    ['inspect', TARGET, '--resolve', 'api.example.com:8443:127.0.0.1', '--extra-ca', 'root.pem'],
    ['inspect', '--extra-ca=a.pem', '--servername', 'b.example.com', TARGET, '--extra-ca', 'b.pem'],
    ['inspect', TARGET, '--client-cert', 'me.pem', '--client-key', 'me-key.pem', '--tls-max', '1.2'],
    ['inspect', TARGET, '--save-chain', 'served.pem', '--html', 'chain.html', '--timeout', '3000', '--fetch-missing'],
  ])
    t.truthy(fastInspectArgs(argv), JSON.stringify(argv));
});

test('what the fast parser leaves to yargs: help, version, negations, unknown flags, failed checks', (t) => {
  for (const argv of [
    ['inspect', TARGET, '--help'],
    ['inspect', '--version'],
    ['inspect', TARGET, '--no-json'],
    ['inspect', TARGET, '--jsno'],
    ['inspect', TARGET, '--tls-min', '1.3', '--tls-max', '1.2'],
    ['inspect', TARGET, '--client-key', 'k.pem'],
    ['inspect', TARGET, '--timeout', 'soon'],
    ['inspect', TARGET, '--resolve', 'a:1:127.0.0.1', 'b.example.com'],
    ['inspect'],
    ['detect', TARGET],
  ])
    t.is(fastInspectArgs(argv), null, JSON.stringify(argv));
});

/** The files of dist/ the built binary loads for `argv`, relative to the checkout, and how it ended. */
async function distFilesLoaded(argv: string[]): Promise<{ files: string[]; code: number; stderr: string }> {
  const watch = watchLoadedFiles();
  const result = await runCli(argv, cleanEnv({ NODE_OPTIONS: watch.nodeOptions }));
  const files = watch
    .loaded()
    .map((url) => relative(ROOT, fileURLToPath(url)))
    .filter((path) => path.startsWith('dist/'));
  return { files, code: result.code, stderr: result.stderr };
}

// The built binary: an ordinary inspect compiles its own bundle and never yargs's; help goes through yargs.
test('the built inspect runs from its own bundle without loading yargs; --help still goes through yargs', async (t) => {
  await withScenarioServer(fixtures.pki.scenarios.valid!, async (server) => {
    const host = fixtures.pki.scenarios.valid!.host ?? '127.0.0.1';
    const fast = await distFilesLoaded([
      'inspect',
      `${host}:${server.port}`,
      '--resolve',
      `${host}:${server.port}:127.0.0.1`,
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--json',
    ]);
    t.is(fast.code, 0, fast.stderr);
    // The bundle itself is a script run by node:vm (src/cli/cached-script.ts), not a module the hook sees.
    t.deepEqual(fast.files.slice(0, 1), ['dist/tlswitness.cjs']);
    t.false(
      fast.files.some((path) => /yargs-main/.test(path)),
      fast.files.join(' '),
    );
    t.true(fast.files.length <= 4, `${fast.files.length} files: ${fast.files.join(' ')}`);
  });
  const help = await distFilesLoaded(['inspect', '--help']);
  t.is(help.code, 0, help.stderr);
  t.true(
    help.files.some((path) => /yargs-main/.test(path)),
    help.files.join(' '),
  );
});

// An install that lacks inspect's own bundle (a partial copy, a packager that dropped it) still runs inspect,
// through yargs and the main build, with the same output and exit code.
test('without dist/inspect-fast.cjs the built inspect runs through yargs, the same', async (t) => {
  const copy = mkdtempSync(join(tmpdir(), 'tlswitness-no-inspect-bundle-'));
  cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  rmSync(join(copy, 'dist', 'inspect-fast.cjs'));
  const target = `127.0.0.1:${await closedPort()}`;
  const run = (cli: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [cli, 'inspect', target],
        { env: cleanEnv(), timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      ),
    );
  const whole = await run(join(ROOT, 'dist', 'tlswitness.cjs'));
  const partial = await run(join(copy, 'dist', 'tlswitness.cjs'));
  t.is(whole.code, 3, whole.stderr);
  t.deepEqual(partial, whole);
});
