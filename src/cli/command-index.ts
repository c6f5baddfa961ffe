// The command modules a command line needs, each loaded on demand: a run compiles the code of the command it
// names and of the default (proxy), not of all eleven. `--help` alone lists every command, so it loads them all.
import type { AnyCommand } from './command-module.js';
import { withExamples } from './examples.js';
// The default command is always registered: its flags are in the entry file rather than a chunk of their own.
import { proxyCommand } from './proxy.js';

export const USAGE =
  '$0 <command> [options]\n\nRecords TLS handshakes and certificate chains exactly as servers send them, and says what is wrong.';

/** Each command's module by its name, in the order `--help` lists them (commands.ts holds the same list, loaded). */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<AnyCommand>>> = {
  proxy: () => Promise.resolve(proxyCommand),
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  detect: async () => (await import('./detect.js')).detectCommand,
  evidence: async () => (await import('./evidence.js')).evidenceCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  cert: async () => (await import('./cert.js')).certCommand,
  convert: async () => (await import('./convert.js')).convertCommand,
  bundle: async () => (await import('./bundle.js')).bundleCommand,
  ca: async () => (await import('./ca.js')).caCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
};

const DEFAULT_COMMAND = 'proxy';
const HELP = new Set(['--help', 'help']);

/**
 * The commands to register for these arguments: yargs runs the one the first positional names, so every
 * argument that is a command's name counts (a superset: `inspect ca` loads ca too, harmlessly), plus the
 * default command, which runs when none is named. Help with no command named lists them all.
 */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const named = Object.keys(COMMAND_LOADERS).filter((name) => argv.includes(name));
  const all = !named.length && argv.some((arg) => HELP.has(arg));
  const wanted = Object.keys(COMMAND_LOADERS).filter((name) => all || name === DEFAULT_COMMAND || named.includes(name));
  return Promise.all(wanted.map(async (name) => withExamples(await COMMAND_LOADERS[name]!())));
}
