// `tlswitness detect [TARGET...]`: is TLS being intercepted on this network, and by what.
import type { Argv } from 'yargs';
import {
  detectExitCode,
  detectVerdict,
  settleRun,
  type DetectResult,
  type TargetState,
} from '../diagnose/detect-verdict.js';
import { parseTarget } from '../net/target.js';
import { EMPTY_RESIGNED } from '../diagnose/resigned-memory.js';
import { hostParserIfLoaded } from '../record/host-parser.js';
import { gatherHandshake, judgeHandshake } from '../record/observe.js';
import { SCHEMA_VERSION } from '../schema-version.js';
import type { Via } from '../types.js';
import type { ArgsOf, Command } from './command-module.js';
import { connectPlan, withConnectOptions } from './connect-options.js';
import { safeJson, safeLines } from '../report/terminal-safe.js';

// Well-known public sites whose certificates come from different CAs (Let's Encrypt, DigiCert,
// Google Trust Services, Sectigo, Amazon), so one CA's trouble does not look like interception.
export const DEFAULT_TARGETS = [
  'www.google.com',
  'github.com',
  'letsencrypt.org',
  'www.wikipedia.org',
  'www.amazon.com',
];

const STATE_WORDS: Record<TargetState, string> = {
  intercepted: 'intercepted',
  clean: 'clean',
  possible: 'possible (CA you gave)',
  'own-proxy': 'tlswitness proxy',
  unanchored: 'no public anchor',
  unreachable: 'unreachable',
  'no-certificate': 'no certificate',
};

function render(result: DetectResult): string {
  const lines: string[] = [];
  const word =
    result.verdict === 'intercepted'
      ? `INTERCEPTED${result.product ? ` by ${result.product}` : ''}`
      : result.verdict.toUpperCase();
  lines.push(
    `${word}: ${result.reason}`,
    `path: ${result.path}${result.targets[0]?.proxy ? ` (${result.targets[0].proxy})` : ''}`,
    '',
  );
  result.targets.forEach((record, i) => {
    const verdict = result.verdicts[i]!;
    const state =
      verdict.state === 'intercepted' && record.interception.product
        ? `intercepted by ${record.interception.product}`
        : STATE_WORDS[verdict.state];
    lines.push(`${verdict.target.padEnd(32)} ${state.padEnd(26)} ${record.chain[0]?.issuer ?? ''}`);
    lines.push(`${''.padEnd(33)}${verdict.reason}`);
  });
  return `${safeLines(lines)}\n`;
}

const builder = (yargs: Argv<object>) =>
  withConnectOptions(yargs).positional('targets', {
    type: 'string',
    array: true,
    describe: `hosts to probe (default: ${DEFAULT_TARGETS.join(', ')})`,
  });

export const detectCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'detect [targets..]',
  describe: 'is TLS being intercepted on this network, and by what',
  builder,
  handler: async (args) => {
    const targets = (args.targets?.length ? args.targets : DEFAULT_TARGETS).map(parseTarget);
    const plan = connectPlan(args);
    // One run's memory: an issuer re-signing unrelated public hosts is a sign of interception.
    let resigned = EMPTY_RESIGNED;
    const observed = await Promise.all(
      targets.map(async (target, i) => {
        const gathered = await gatherHandshake(
          { ...plan.request, id: `h-${i + 1}`, target, proxy: plan.proxyFor(target.host) },
          plan.trust,
        );
        const judged = judgeHandshake(gathered, resigned);
        resigned = judged.resigned;
        return judged.record;
      }),
    );
    // Judged again once all are in, so the verdict does not depend on which answer came first.
    const records = settleRun(observed, resigned, hostParserIfLoaded());
    const path: Via = records[0]?.via ?? 'direct';
    const result = detectVerdict(records, path);
    process.stdout.write(args.json ? `${safeJson({ schemaVersion: SCHEMA_VERSION, ...result }, 2)}\n` : render(result));
    process.exitCode = detectExitCode(result);
  },
};
