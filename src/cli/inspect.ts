// `tlswitness inspect TARGET`: one handshake, like `openssl s_client`, with chain, trust and diagnosis.
import type { Argv } from 'yargs';
import { fileProblem, TlswitnessError } from '../errors.js';
import { parseTarget } from '../net/target.js';
import { renderHandshake } from '../report/handshake-text.js';
import { observeHandshake } from '../record/observe.js';
import type { HandshakeRecord } from '../types.js';
import { TOOL_VERSION } from '../version.js';
import type { ArgsOf, Command } from './command-module.js';
import { connectPlan, withConnectOptions } from './connect-options.js';
import { exitCodeFor } from './exit-codes.js';
import { safeJson } from '../report/terminal-safe.js';

const builder = (yargs: Argv<object>) =>
  withConnectOptions(yargs)
    .positional('target', {
      type: 'string',
      demandOption: true,
      describe: 'host, host:port, [v6addr]:port or https:// URL',
    })
    .option('save-chain', {
      type: 'string',
      describe: 'write the served chain as PEM (as openssl s_client -showcerts)',
    })
    .option('html', {
      type: 'string',
      describe: 'write the chain as one self-contained HTML page (no scripts; opens from disk)',
    });

export const inspectCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'inspect <target>',
  describe: 'one TLS handshake: the chain as sent, each trust store, and what is wrong',
  builder,
  handler: async (args) => {
    const target = parseTarget(args.target);
    // The stores load once the handshake has begun: reading them then overlaps the server's answer.
    let begun!: () => void;
    const plan = connectPlan(args, process.env, new Promise<void>((resolve) => (begun = resolve)));
    const record = await observeHandshake(
      { ...plan.request, id: 'h-1', target, proxy: plan.proxyFor(target.host), begun },
      plan.trust,
    );
    if (args['save-chain']) await saveChain(record, args['save-chain']);
    if (args.html) await saveHtml(record, args.html, args['public-roots'] ?? null);
    process.stdout.write(args.json ? `${safeJson(record, 2)}\n` : renderHandshake(record, new Date()));
    process.exitCode = exitCodeFor(record.diagnosis.problem, record.interception.detected);
  },
};

async function saveChain(record: HandshakeRecord, path: string): Promise<void> {
  if (!record.chain.length) {
    process.stderr.write(`Warning: no certificate was received, so ${path} was not written\n`);
    return;
  }
  try {
    // Loaded for --save-chain and --html only: node:fs/promises costs ~1 ms of CPU to load.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, record.chain.map((c) => c.pem).join(''));
  } catch (error) {
    throw new TlswitnessError('unreadable-file', `--save-chain ${path}: ${fileProblem(error)}`);
  }
}

/** Owner-only, like the evidence bundles: the page names the user's hosts and addresses. */
async function saveHtml(record: HandshakeRecord, path: string, publicRoots: string | null): Promise<void> {
  // Loaded only for --html: the page's code is a tenth of inspect's bundle, compiled at every start otherwise.
  const [{ compareVerdicts }, { chainHtml }, { writeFile }] = await Promise.all([
    import('../diagnose/comparison.js'),
    import('../report/chain-html.js'),
    import('node:fs/promises'),
  ]);
  const comparison = compareVerdicts(record, null, [], { publicRoots });
  try {
    await writeFile(path, chainHtml({ record, now: new Date(), comparison, toolVersion: TOOL_VERSION }), {
      mode: 0o600,
    });
  } catch (error) {
    throw new TlswitnessError(
      'unreadable-file',
      `--html ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
