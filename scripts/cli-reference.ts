// Renders docs/cli.md, the reference of every command and flag, from the commands the binary registers
// (src/cli/commands.ts): each builder runs inside a real yargs parser asked for `--help`, so no handler ever runs.
// Usage: node --import=tsx scripts/cli-reference.ts [--write]   (`npm run docs` writes docs/cli.md)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv, type Options, type PositionalOptions } from 'yargs';
import { COMMANDS, USAGE } from '../src/cli/commands.js';
import type { AnyCommand } from '../src/cli/command-module.js';
import { commandName } from '../src/cli/examples.js';
import { TOOL_VERSION } from '../src/version.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_REFERENCE = join(ROOT, 'docs', 'cli.md');
export const REGENERATE = 'npm run docs';

type Flag = Options & PositionalOptions;

/** What one command's builder declared, in its order. */
export interface CommandDoc {
  /** Command words after `tlswitness`, e.g. `['ca', 'export']`. */
  path: string[];
  command: string;
  aliases: string[];
  describe: string;
  positionals: Array<{ name: string; flag: Flag }>;
  options: Array<{ name: string; flag: Flag }>;
  examples: Array<[string, string]>;
  subcommands: string[];
}

type AnyModule = AnyCommand;

/** The module with its builder recording into `doc` (through to the real parser) and a handler that does nothing. */
function recording(module: AnyModule, parent: string[], found: Map<string, CommandDoc>): AnyModule {
  const path = [...parent, commandName(module)];
  const commands = Array.isArray(module.command) ? module.command : [module.command ?? ''];
  const doc: CommandDoc = {
    path,
    command: commands[0]!,
    aliases: commands.slice(1),
    describe: typeof module.describe === 'string' ? module.describe : '',
    positionals: [],
    options: [],
    examples: [],
    subcommands: [],
  };
  return {
    ...module,
    builder: (real: Argv<object>) => {
      found.set(path.join(' '), doc);
      const recorder: Argv<object> = new Proxy(real, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (key === 'option' || key === 'options') {
              const declared =
                typeof args[0] === 'string' ? { [args[0]]: args[1] as Flag } : (args[0] as Record<string, Flag>);
              for (const [name, flag] of Object.entries(declared)) doc.options.push({ name, flag });
            } else if (key === 'positional') {
              doc.positionals.push({ name: args[0] as string, flag: args[1] as Flag });
            } else if (key === 'example') {
              doc.examples.push([args[0] as string, (args[1] as string | undefined) ?? '']);
            } else if (key === 'command' && typeof args[0] === 'object' && args[0] !== null) {
              const sub = args[0] as AnyModule;
              doc.subcommands.push(commandName(sub));
              args[0] = recording(sub, path, found);
            }
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result === target ? recorder : result;
          };
        },
      });
      module.builder(recorder);
      return real;
    },
    handler: () => undefined,
  };
}

/** The binary's parser (as src/cli/parser.ts builds it), with recording builders and handlers that do nothing. */
export function inertParser(found = new Map<string, CommandDoc>()): Argv<object> {
  return yargs()
    .scriptName('tlswitness')
    .usage(USAGE)
    .command(COMMANDS.map((c) => recording(c, [], found)))
    .version(TOOL_VERSION)
    .strict()
    .exitProcess(false)
    .wrap(null);
}

/** Runs the parser on `argv` and returns what it printed (help, or the usage error) and the error, if any. */
export function parseInert(
  argv: string[],
  found?: Map<string, CommandDoc>,
): Promise<{ output: string; error: Error | null }> {
  return new Promise((resolve) => {
    let failure: Error | null = null;
    const parser = inertParser(found).fail((message, error) => {
      failure = error ?? new Error(message);
    });
    void parser.parse(argv, {}, (error, _argv, output) => resolve({ output, error: failure ?? error ?? null }));
  });
}

/** Every command and subcommand, in the order `--help` lists them. */
export async function collectCommands(): Promise<CommandDoc[]> {
  const found = new Map<string, CommandDoc>();
  const docs: CommandDoc[] = [];
  const visit = async (path: string[]) => {
    await parseInert([...path, '--help'], found);
    const doc = found.get(path.join(' '));
    if (!doc) throw new Error(`tlswitness ${path.join(' ')} --help did not run its builder`);
    docs.push(doc);
    for (const sub of doc.subcommands) await visit([...path, sub]);
  };
  for (const module of COMMANDS) await visit([commandName(module)]);
  return docs;
}

/** Text in a table cell or paragraph: nothing in it is read as Markdown or HTML. */
function text(value: string): string {
  return value.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

function code(value: string): string {
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

/** GitHub's anchor for a heading. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function flagNames(name: string, flag: Flag): string {
  const aliases = (Array.isArray(flag.alias) ? flag.alias : flag.alias ? [flag.alias] : []).map((a) =>
    code(a.length === 1 ? `-${a}` : `--${a}`),
  );
  const names = [...aliases, code(`--${name}`)];
  if (flag.type === 'boolean' && flag.default === true) names.push(code(`--no-${name}`));
  return names.join(', ');
}

function valueOf(flag: Flag): string {
  const repeat = flag.array ? ', repeatable' : '';
  if (flag.choices) return `${(flag.choices as readonly unknown[]).map((c) => code(String(c))).join(' \\| ')}${repeat}`;
  return `${flag.type ?? 'string'}${repeat}`;
}

function defaultOf(flag: Flag): string {
  if (flag.demandOption) return 'required';
  if (flag.defaultDescription) return text(flag.defaultDescription);
  if (flag.default === undefined) return '';
  if (flag.type === 'boolean') return flag.default ? 'on' : 'off';
  return code(typeof flag.default === 'string' ? flag.default || '""' : JSON.stringify(flag.default));
}

function section(doc: CommandDoc): string[] {
  const name = `tlswitness ${doc.path.join(' ')}`;
  const usage = `tlswitness ${[...doc.path.slice(0, -1), doc.command].join(' ')}`;
  const sentence = `${doc.describe.charAt(0).toUpperCase()}${doc.describe.slice(1)}.`;
  const lines = [`${'#'.repeat(doc.path.length + 1)} ${name}`, '', text(sentence), ''];
  lines.push(
    `Usage: ${code(usage)}${doc.aliases.includes('$0') ? ' (also plain `tlswitness`: this is the default command)' : ''}`,
    '',
  );
  if (doc.positionals.length) {
    lines.push('| argument | value | description |', '|---|---|---|');
    for (const { name: arg, flag } of doc.positionals)
      lines.push(
        `| ${code(arg)} | ${valueOf(flag)}${flag.demandOption ? ', required' : ''} | ${text(flag.describe ?? '')} |`,
      );
    lines.push('');
  }
  const options = doc.options.filter((o) => !o.flag.hidden);
  if (options.length) {
    lines.push('| flag | value | default | description |', '|---|---|---|---|');
    for (const { name: option, flag } of options)
      lines.push(
        `| ${flagNames(option, flag)} | ${valueOf(flag)} | ${defaultOf(flag)} | ${text(flag.describe ?? '')} |`,
      );
    lines.push('');
  }
  if (doc.path.length > 1) lines.push(`The flags of \`tlswitness ${doc.path.slice(0, -1).join(' ')}\` apply too.`, '');
  if (doc.subcommands.length) {
    lines.push(`Subcommands: ${doc.subcommands.map((s) => `[${s}](#${slug(`${name} ${s}`)})`).join(', ')}.`, '');
  }
  if (doc.examples.length) {
    const width = Math.max(...doc.examples.map(([command]) => command.length)) + 2;
    lines.push('```sh');
    for (const [command, description] of doc.examples)
      lines.push(`${command.replaceAll('$0', 'tlswitness').padEnd(width + 'tlswitness'.length - 2)}# ${description}`);
    lines.push('```', '');
  }
  return lines;
}

export function renderCliReference(docs: CommandDoc[]): string {
  const lines = [
    '# Command-line reference',
    '',
    `<!-- Generated from the command definitions by \`${REGENERATE}\` (scripts/cli-reference.ts): edit those, not this file. -->`,
    '',
    'Every command and flag of `tlswitness`, with examples. `tlswitness COMMAND --help` prints the same on a',
    'terminal. Every command also takes `--help` and `--version`. What the exit codes mean:',
    '[exit codes](exit-codes.md); TARGET is `host`, `host:port` (port 443 by default), `[v6addr]:port` or an',
    '`https://` URL.',
    '',
    '| command | what it does |',
    '|---|---|',
    ...docs.map(
      (d) =>
        `| [${code(`tlswitness ${d.path.join(' ')}`)}](#${slug(`tlswitness ${d.path.join(' ')}`)}) | ${text(d.describe)} |`,
    ),
    '',
    ...docs.flatMap(section),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reference = renderCliReference(await collectCommands());
  if (process.argv.includes('--write')) {
    const before = (() => {
      try {
        return readFileSync(CLI_REFERENCE, 'utf8');
      } catch {
        return '';
      }
    })();
    writeFileSync(CLI_REFERENCE, reference);
    process.stdout.write(before === reference ? `${CLI_REFERENCE} is up to date\n` : `Wrote ${CLI_REFERENCE}\n`);
  } else {
    process.stdout.write(reference);
  }
}
