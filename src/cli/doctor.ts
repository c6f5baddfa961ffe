// `tlswitness doctor`: check this machine's CA variables, switched-off verification, proxy variables,
// system store, local CA, and the bundle each client really uses. Exit 1 when something is dangerous
// or broken. The checks are loaded only when the command runs.
import type { Argv } from 'yargs';
import type { ArgsOf, Command } from './command-module.js';
import { TlswitnessError } from '../errors.js';
import { EXIT_OK, EXIT_PROBLEM } from './exit-codes.js';
import { safeJson } from '../report/terminal-safe.js';
import { SCHEMA_VERSION } from '../schema-version.js';

const builder = (yargs: Argv<object>) =>
  yargs
    .option('extra-ca', {
      type: 'string',
      array: true,
      describe: "corporate CA PEM files to look for in each client's bundle (repeatable)",
    })
    .option('certs-dir', {
      type: 'string',
      describe:
        "where the local CA lives (default: $TLSWITNESS_CERTS_DIR, the checkout's certs/, or the per-user config dir)",
    })
    .option('timeout', {
      type: 'number',
      default: 5000,
      describe: 'per tool asked (python3, curl, git), in milliseconds',
    })
    .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' })
    .check((args) => {
      if (!Number.isFinite(args.timeout) || args.timeout <= 0)
        throw new TlswitnessError('bad-usage', '--timeout takes a positive number of milliseconds');
      return true;
    });

export const doctorCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'doctor',
  describe:
    'check this machine: CA variables, verification switched off, proxy variables, system store, what each client trusts',
  builder,
  handler: async (args) => {
    const [{ findCertsDir }, { gatherSnapshot }, { diagnoseMachine }, { doctorEnvironment }, { renderDoctorText }] =
      await Promise.all([
        import('../ca/certs-dir.js'),
        import('../doctor/gather.js'),
        import('../doctor/doctor.js'),
        import('../doctor/environment.js'),
        import('../report/doctor-text.js'),
      ]);
    const env = process.env;
    const snapshot = await gatherSnapshot({
      env,
      platform: process.platform,
      cwd: process.cwd(),
      certsDir: findCertsDir(args['certs-dir'], env),
      extraCaFiles: args['extra-ca'] ?? [],
      timeoutMs: args.timeout,
    });
    const report = diagnoseMachine(snapshot, new Date());
    if (args.json) {
      process.stdout.write(
        `${safeJson({ schemaVersion: SCHEMA_VERSION, ok: report.ok, findings: report.findings, environment: doctorEnvironment(snapshot, report.clients) }, 2)}\n`,
      );
    } else process.stdout.write(renderDoctorText(report.findings));
    process.exitCode = report.ok ? EXIT_OK : EXIT_PROBLEM;
  },
};
