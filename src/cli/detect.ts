// `tlswitness detect [TARGET...]`: is TLS being intercepted on this network, and by what.
import type { Argv, CommandModule } from 'yargs';
import { detectExitCode, detectVerdict, type DetectResult } from '../diagnose/detect-verdict.js';
import { formatHostPort, parseTarget } from '../net/target.js';
import { observeHandshake } from '../tls/observe.js';
import type { Via } from '../types.js';
import { connectPlan, withConnectOptions, type ConnectArgs } from './connect-options.js';

interface DetectArgs extends ConnectArgs {
  targets?: string[];
}

// Well-known public sites whose certificates come from different CAs (Let's Encrypt, DigiCert,
// Google Trust Services, Sectigo, Amazon), so one CA's trouble does not look like interception.
export const DEFAULT_TARGETS = ['www.google.com', 'github.com', 'letsencrypt.org', 'www.wikipedia.org', 'www.amazon.com'];

function render(result: DetectResult): string {
  const lines: string[] = [];
  const headline =
    result.verdict === 'intercepted'
      ? `INTERCEPTED${result.product ? ` by ${result.product}` : ''}: TLS on this network is re-signed`
      : result.verdict === 'clean'
        ? 'CLEAN: every target presented a chain that anchors in the public roots'
        : 'INCONCLUSIVE: not every target could be reached, and no interception was seen on the others';
  lines.push(headline, `path: ${result.path}${result.targets[0]?.proxy ? ` (${result.targets[0].proxy})` : ''}`, '');
  for (const record of result.targets) {
    const where = formatHostPort(record.target);
    const state = record.interception.detected
      ? `intercepted${record.interception.product ? ` by ${record.interception.product}` : ''}`
      : record.chain.length
        ? 'clean'
        : 'unreachable';
    lines.push(`${where.padEnd(32)} ${state.padEnd(26)} ${record.chain[0]?.issuer ?? record.failure?.message ?? ''}`);
    if (record.interception.detected) lines.push(`${''.padEnd(33)}${record.interception.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export const detectCommand: CommandModule<object, DetectArgs> = {
  command: 'detect [targets..]',
  describe: 'is TLS being intercepted on this network, and by what',
  builder: (yargs) =>
    withConnectOptions(yargs as Argv<object>).positional('targets', { type: 'string', array: true, describe: `hosts to probe (default: ${DEFAULT_TARGETS.join(', ')})` }) as unknown as Argv<DetectArgs>,
  handler: async (args) => {
    const targets = (args.targets?.length ? args.targets : DEFAULT_TARGETS).map(parseTarget);
    const plan = connectPlan(args);
    // One run's memory: an issuer re-signing unrelated public hosts is a sign of interception.
    const resigned = new Map<string, Set<string>>();
    const records = await Promise.all(targets.map((target, i) => observeHandshake({ ...plan.request, id: `h-${i + 1}`, target, proxy: plan.proxyFor(target.host), resigned }, plan.trust)));
    const path: Via = records[0]?.via ?? 'direct';
    const result = detectVerdict(records, path);
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : render(result));
    process.exitCode = detectExitCode(result);
  },
};
