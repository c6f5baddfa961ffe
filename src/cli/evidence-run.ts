// The run behind `tlswitness evidence`, loaded on demand.
import { probeCurl, probePython } from '../doctor/probes.js';
import { runClientChecks } from '../net/client-checks.js';
import { parseTarget } from '../net/target.js';
import { toolVersions } from '../report/environment.js';
import { writeEvidenceBundle } from '../report/evidence-bundle.js';
import { sendLine } from '../report/evidence-outcome.js';
import { observeHandshake } from '../record/observe.js';
import { connectPlan } from './connect-options.js';
import type { EvidenceArgs } from './evidence.js';
import { exitCodeFor } from './exit-codes.js';
import { oneLine, safeJson, safeLines } from '../report/terminal-safe.js';

/**
 * How long the version probes may take: beside the client checks, which may take the connection timeout
 * and 2 s more, as long (waiting for them then costs nothing, and python3 through a version manager's shim
 * can take seconds to start on a loaded machine); without them, doctor's 5 s.
 */
function probeTimeoutMs(args: EvidenceArgs, connectionTimeoutMs: number): number {
  return args['client-checks'] ? Math.max(5000, connectionTimeoutMs + 2000) : 5000;
}

export async function runEvidence(args: EvidenceArgs): Promise<void> {
  const target = parseTarget(args.target);
  const sanityTarget = /^(none|off|)$/i.test(args['sanity-host']) ? null : parseTarget(args['sanity-host']);
  const plan = connectPlan(args);
  const [record, sanity] = await Promise.all([
    observeHandshake({ ...plan.request, id: 'h-1', target, proxy: plan.proxyFor(target.host) }, plan.trust),
    sanityTarget
      ? observeHandshake(
          {
            ...plan.request,
            servername: undefined,
            client: null,
            fetchMissing: false,
            id: 'h-sanity',
            target: sanityTarget,
            proxy: plan.proxyFor(sanityTarget.host),
          },
          plan.trust,
        )
      : Promise.resolve(null),
  ]);
  if (record.interception.ownProxy) {
    // A bundle would blame someone for a chain tlswitness minted itself: say so and write nothing.
    const d = record.diagnosis;
    process.stderr.write(
      `Note: ${oneLine(`${d.summary}. ${d.action.charAt(0).toUpperCase()}${d.action.slice(1)}`)}. No bundle was written.\n`,
    );
    if (args.json)
      process.stdout.write(
        `${safeJson({ path: null, files: [], problem: d.problem, side: 'unclear', conclusion: d.summary, ownProxy: true }, 2)}\n`,
      );
    process.exitCode = exitCodeFor(d.problem, false);
    return;
  }
  // The clients go after the tool's own handshake so they reach the same address.
  // The versions a bug report asks for, found as doctor finds them (nothing here connects anywhere).
  const probe = { env: process.env, cwd: process.cwd(), timeoutMs: probeTimeoutMs(args, plan.request.timeoutMs) };
  const [clients, python, curl] = await Promise.all([
    args['client-checks']
      ? runClientChecks({
          host: target.host,
          port: target.port,
          servername: record.target.servername,
          address: record.target.address,
          proxy: plan.proxyFor(target.host),
          resolve: plan.request.resolve,
          timeoutMs: plan.request.timeoutMs,
        })
      : Promise.resolve([]),
    probePython(probe),
    probeCurl(probe),
  ]);
  const versions = toolVersions(process.versions.openssl, python, curl);
  const bundle = await writeEvidenceBundle({
    path: args.output,
    record,
    sanity,
    clients,
    publicRoots: args['public-roots'] ?? null,
    versions,
  });
  const decision = bundle.decision;
  if (args.json) {
    process.stdout.write(
      `${safeJson({ path: bundle.path, files: bundle.written, problem: record.diagnosis.problem, outcome: decision.outcome, side: bundle.comparison.side, conclusion: bundle.comparison.conclusion, recipient: decision.recipient }, 2)}\n`,
    );
  } else {
    process.stdout.write(
      safeLines([
        decision.headline,
        `Them or us: ${bundle.comparison.conclusion}`,
        `Wrote ${bundle.written.length} files to ${bundle.path}:`,
        ...bundle.written.map((file) => `  ${file}`),
        sendLine(decision, bundle.written),
        '',
      ]),
    );
  }
  process.exitCode = decision.exitCode;
}
