// Text reports of a differential run: one case in detail, and the disagreements grouped by what differs.
import { isIP } from 'node:net';
import { opensslFinal, type DiffCase } from './compare.js';
import type { DifferentialRun } from './run.js';
import type { CertSpec, ExtSpec, NameSpec } from './spec.js';

function nameText(name: NameSpec): string {
  if (name.length === 0) return '(empty)';
  return name
    .map((rdn) =>
      (Array.isArray(rdn) ? rdn : [rdn])
        .map((a) => `${a.type}=${JSON.stringify(a.value)}${a.tag ? `:${a.tag}` : ''}`)
        .join('+'),
    )
    .join(', ');
}

function extText(e: ExtSpec): string {
  const { type, critical, corrupt, ...rest } = e;
  const body = JSON.stringify(rest);
  return `${critical ? '!' : ''}${type}${body === '{}' ? '' : body}${corrupt ? `~${corrupt}` : ''}`;
}

function certText(c: CertSpec): string {
  return [
    `    ${c.id}: subject ${nameText(c.subject)}; issued by ${c.issuer}${c.issuerName ? ` as ${nameText(c.issuerName)}` : ''}; key ${c.key}${c.signKey ? `, signed with ${c.signKey}` : ''}${c.digest ? ` ${c.digest}` : ''}${c.version === 1 ? ' v1' : ''}; days ${c.notBefore}..${c.notAfter}`,
    ...(c.version === 1 ? [] : c.extensions.map((e) => `      ${extText(e)}`)),
  ].join('\n');
}

export function describeCase(c: DiffCase, now: Date): string {
  const s = c.chain.spec;
  const lines = [
    `#${c.index} ${s.name} [${s.category}]`,
    `  sent ${s.sent.join(',')}; anchors ${s.anchors.join(',')}; ${isIP(s.host) ? 'ip' : 'host'} ${s.host}; at ${now.toISOString()}`,
    ...s.certs.map(certText),
    `  openssl: ${c.openssl.loaded ? (c.openssl.ok ? 'ok' : c.openssl.errors.map((e) => `${e.code}@${e.depth} ${e.text}`).join(' | ')) : `unloadable: ${c.openssl.output.trim().split('\n')[0]}`}`,
    ...(c.opensslAuthLevel1
      ? [
          `  openssl -auth_level 1: ${c.opensslAuthLevel1.ok ? 'ok' : c.opensslAuthLevel1.errors.map((e) => `${e.code}@${e.depth} ${e.text}`).join(' | ')}`,
        ]
      : []),
    `  node:    ${!c.node.servable ? `not servable (${c.node.serveError})` : c.node.handshakeError !== null ? `no handshake (${c.node.handshakeError})` : c.node.code === null ? 'ok' : `${c.node.code} ${JSON.stringify(c.node.message)}`}`,
    `  ours:    ${c.subject.thrown !== null ? `THREW ${c.subject.thrown}` : c.subject.ok ? 'ok' : `${c.subject.opensslCode}@${c.subject.depth} ${c.subject.code} ${JSON.stringify(c.subject.message)}`}`,
    ...c.differences.map((d) => `  => ${d.allowedBy ? `allowed (${d.allowedBy})` : 'DIFFERS'}: ${d.detail}`),
  ];
  return lines.join('\n');
}

/** A short signature of how a case differs, to group similar disagreements. */
function signature(c: DiffCase, kind: string): string {
  const final = opensslFinal(c.openssl);
  const ours = c.subject.thrown !== null ? 'throws' : c.subject.ok ? 'ok' : `${c.subject.opensslCode}`;
  if (kind === 'thrown') return `throws: ${c.subject.thrown!.replace(/\d+/g, 'N').slice(0, 80)}`;
  if (kind === 'ok') return `ok: ours ${ours}, openssl ${final ? final.code : 'ok'}`;
  return `code: ours ${ours}${c.subject.code ? ` ${c.subject.code}` : ''}, node ${c.node.code ?? 'ok'}${c.node.code === 'UNSPECIFIED' ? ` (${c.node.message})` : ''}`;
}

export function disagreementReport(
  run: DifferentialRun,
  meta: { seeds: number[]; mutations: number; elapsedMs: number },
): string {
  const s = run.summary;
  const groups = new Map<string, { count: number; examples: string[] }>();
  for (const c of run.cases) {
    for (const d of c.differences) {
      if (d.allowedBy) continue;
      const key = `[${c.chain.spec.category}] ${signature(c, d.kind)}`;
      const g = groups.get(key) ?? { count: 0, examples: [] };
      g.count++;
      if (g.examples.length < 6) g.examples.push(c.chain.spec.name);
      groups.set(key, g);
    }
  }
  const sorted = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const allowed = new Map<string, string[]>();
  for (const c of run.cases)
    for (const d of c.differences)
      if (d.allowedBy) allowed.set(d.allowedBy, [...(allowed.get(d.allowedBy) ?? []), c.chain.spec.name]);
  const failingChains = run.cases.filter((c) => c.differences.some((d) => !d.allowedBy)).length;
  return [
    `# Differential verification status`,
    ``,
    `Run at ${run.now.toISOString()}: seed ${meta.seeds.join(',')}, ${meta.mutations} mutations per seed, ${Math.round(meta.elapsedMs / 100) / 10} s (${Object.entries(
      run.timings,
    )
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ')}).`,
    ``,
    `- chains: ${s.total} (openssl loaded ${s.loaded}; the others have no verdict and are only checked for a throw while verifying)`,
    `- ok agrees with openssl verify: ${s.okAgree}/${s.loaded}`,
    `- code agrees with the Node handshake: ${s.codeAgree}/${s.codeCompared} (not servable ${s.notServable}, no handshake ${s.noHandshake})`,
    `- threw: ${s.thrown}`,
    `- depth agrees with openssl where the final codes agree: ${s.depthAgree}/${s.depthCompared}`,
    `- openssl and Node contradict each other on ok: ${s.oraclesContradict}`,
    `- allowed: ${Object.entries(s.allowed)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- failing differences: ${s.failures} in ${failingChains} chains`,
    ``,
    `Reproduce one chain in detail: \`node --import=tsx scripts/verify-differential.ts --seed ${meta.seeds.join(',')} --mutations ${meta.mutations} --filter 'NAME' --all\` (named chains need no mutations: \`--mutations 0\`).`,
    ``,
    `## Disagreements by category (count, examples)`,
    ``,
    `Each line: [chain category] what differs: ours vs the oracle. "ok:" lines compare with openssl verify, "code:" lines with the Node handshake.`,
    ``,
    ...sorted.map(([key, g]) => `- ${key}: ${g.count} — ${g.examples.join('; ')}`),
    ``,
    `## Allowed differences (openssl and Node contradict each other)`,
    ``,
    ...[...allowed.entries()].map(([rule, names]) => `- ${rule}: ${names.length} — ${names.slice(0, 12).join('; ')}`),
    ``,
  ].join('\n');
}
