// `doctor`'s judgement of a machine snapshot: every check, in the order they are shown; pure.
import { checkCaVariables } from './ca-variables.js';
import { checkCertifi, checkMacInstallCertificates } from './certifi.js';
import { checkClients } from './client-findings.js';
import { checkEnvFiles } from './env-files.js';
import { resolveClients, type ClientTrust } from './client-trust.js';
import { finding, isFailing, type Finding } from './findings.js';
import { checkJava, javaTool } from './java-trust.js';
import { checkLocalCa } from './local-ca.js';
import { checkOwnProxy } from './own-proxy.js';
import { checkPipCerts } from './pip-config.js';
import { checkProxyVariables } from './proxy-variables.js';
import type { DoctorSnapshot, Probe } from './snapshot.js';
import { checkSystemStore } from './system-store.js';
import { checkVerificationOff } from './verification-off.js';

export interface DoctorReport {
  ok: boolean;
  findings: Finding[];
  clients: ClientTrust[];
}

function tool<T>(name: string, probe: Probe<T>, describe: (facts: T) => string): Finding {
  if (probe.state === 'missing') return finding('tool', 'info', name, 'not installed, skipped');
  if (probe.state === 'failed') return finding('tool', 'info', name, `could not be asked (${probe.error}), skipped`);
  return finding('tool', 'info', name, describe(probe.facts));
}

function tools(snapshot: DoctorSnapshot): Finding[] {
  return [
    tool(
      'python3',
      snapshot.python,
      (p) =>
        `Python ${p.version} (${p.executable}), ${p.openssl}; certifi ${p.certifi ? (p.certifi.version ?? 'installed') : 'not installed'}; requests ${p.requests?.version ?? 'not installed'}`,
    ),
    finding('tool', 'info', 'node', `Node ${snapshot.nodeVersion} (the one running tlswitness)`),
    tool(
      'curl',
      snapshot.curl,
      (c) =>
        `curl ${c.version}${c.tls ? ` with ${c.tls}` : ''}; built-in bundle ${c.builtinBundle ?? 'unknown (no curl-config)'}`,
    ),
    tool('git', snapshot.git, (g) => `git ${g.version}`),
    ...javaTool(snapshot.java),
  ];
}

export function diagnoseMachine(snapshot: DoctorSnapshot, now: Date): DoctorReport {
  const clients = resolveClients(snapshot);
  const findings = [
    ...checkVerificationOff(snapshot),
    ...checkCaVariables(snapshot, now),
    ...checkPipCerts(snapshot, now),
    ...checkEnvFiles(snapshot, now),
    ...checkProxyVariables(snapshot.env),
    ...checkOwnProxy(snapshot),
    ...checkSystemStore(snapshot, now),
    ...checkLocalCa(snapshot.localCa, now),
    ...checkClients(clients, snapshot, now),
    ...checkMacInstallCertificates(snapshot),
    ...checkCertifi(snapshot),
    ...checkJava(snapshot),
    ...tools(snapshot),
  ];
  return { ok: !findings.some(isFailing), findings, clients };
}
