// `tlswitness evidence TARGET -o PATH`: the handshake, a sanity host and the machine's own clients,
// written as a bundle IT can act on (directory, or .tar.gz).
import type { Argv } from 'yargs';
import { TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { withConnectOptions } from './connect-options.js';

/** A site nearly every network lets through with a publicly trusted chain. */
export const DEFAULT_SANITY_HOST = 'www.google.com';

const builder = (yargs: Argv<object>) =>
  withConnectOptions(yargs)
    .positional('target', {
      type: 'string',
      demandOption: true,
      describe: 'host, host:port, [v6addr]:port or https:// URL',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      demandOption: true,
      describe: 'a new directory, or a file ending in .tar.gz',
    })
    .option('sanity-host', {
      type: 'string',
      default: DEFAULT_SANITY_HOST,
      describe: 'a host that should verify from anywhere, to tell "them" from "us" ("none" skips it)',
    })
    .option('client-checks', {
      type: 'boolean',
      default: true,
      describe: "also run this machine's curl and python3 against the target (--no-client-checks skips them)",
    })
    .check((args) => {
      if (!args.output.trim())
        throw new TlswitnessError('bad-usage', '-o needs a path: a new directory, or a file ending in .tar.gz');
      return true;
    });

export type EvidenceArgs = ArgsOf<typeof builder>;

export const evidenceCommand: Command<object, EvidenceArgs> = {
  command: 'evidence <target>',
  describe: 'write an evidence bundle for IT: the served chain, the verdicts, a report and a drafted email',
  builder,
  // Loaded on demand: other commands do not pay for the report writers.
  handler: async (args) => (await import('./evidence-run.js')).runEvidence(args),
};
