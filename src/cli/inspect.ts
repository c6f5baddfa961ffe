// `tlswitness inspect TARGET`: one handshake, like `openssl s_client`, with chain, trust and diagnosis.
import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { fileProblem, ToolError } from '../errors.js';
import { parseTarget } from '../net/target.js';
import { renderHandshake } from '../report/handshake-text.js';
import { observeHandshake } from '../tls/observe.js';
import type { HandshakeRecord } from '../types.js';
import { connectPlan, withConnectOptions, type ConnectArgs } from './connect-options.js';
import { exitCodeFor } from './exit-codes.js';
import { safeJson } from '../report/terminal-safe.js';

interface InspectArgs extends ConnectArgs {
  target: string;
  'save-chain'?: string;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <target>',
  describe: 'one TLS handshake: the chain as sent, each trust store, and what is wrong',
  builder: (yargs) =>
    withConnectOptions(yargs as Argv<object>)
      .positional('target', { type: 'string', demandOption: true, describe: 'host, host:port, [v6addr]:port or https:// URL' })
      .option('save-chain', { type: 'string', describe: 'write the served chain as PEM (as openssl s_client -showcerts)' }) as unknown as Argv<InspectArgs>,
  handler: async (args) => {
    const target = parseTarget(args.target);
    const plan = connectPlan(args);
    const record = await observeHandshake({ ...plan.request, id: 'h-1', target, proxy: plan.proxyFor(target.host) }, plan.trust);
    if (args['save-chain']) await saveChain(record, args['save-chain']);
    process.stdout.write(args.json ? `${safeJson(record, 2)}\n` : renderHandshake(record));
    process.exitCode = exitCodeFor(record.diagnosis.problem, record.interception.detected);
  },
};

async function saveChain(record: HandshakeRecord, path: string): Promise<void> {
  if (!record.chain.length) {
    process.stderr.write(`Warning: no certificate was received, so ${path} was not written\n`);
    return;
  }
  try {
    await writeFile(path, record.chain.map((c) => c.pem).join(''));
  } catch (error) {
    throw new ToolError('unreadable-file', `--save-chain ${path}: ${fileProblem(error)}`);
  }
}
