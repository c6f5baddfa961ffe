// Every command the binary has, in the order `--help` lists them, each with its examples: scripts/cli-reference.ts
// renders docs/cli.md from them; yargs-main.ts loads only the ones a command line needs (command-index.ts).
import { bundleCommand } from './bundle.js';
import { caCommand } from './ca.js';
import type { AnyCommand } from './command-module.js';
import { certCommand } from './cert.js';
import { convertCommand } from './convert.js';
import { detectCommand } from './detect.js';
import { doctorCommand } from './doctor.js';
import { evidenceCommand } from './evidence.js';
import { withExamples } from './examples.js';
import { explainCommand } from './explain.js';
import { inspectCommand } from './inspect.js';
import { proxyCommand } from './proxy.js';
import { verifyCommand } from './verify.js';

export { USAGE } from './command-index.js';

const IN_HELP_ORDER: readonly AnyCommand[] = [
  proxyCommand,
  inspectCommand,
  detectCommand,
  evidenceCommand,
  explainCommand,
  verifyCommand,
  certCommand,
  convertCommand,
  bundleCommand,
  caCommand,
  doctorCommand,
];

export const COMMANDS: readonly AnyCommand[] = IN_HELP_ORDER.map((command) => withExamples(command));
