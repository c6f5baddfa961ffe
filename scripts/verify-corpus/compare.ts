// Compares the verifier with both oracles, chain by chain: ok against `openssl verify`, the code (and the
// message for UNSPECIFIED) against the Node handshake; exceptions are failures. Pure over the three answers.
import { ALLOW_LIST } from './allow-list.js';
import type { BuiltChain } from './der-builder.js';
import type { NodeAnswer } from './node-oracle.js';
import type { OpensslAnswer } from './openssl-oracle.js';
import type { SubjectAnswer } from './subject.js';

export interface Difference {
  kind: 'ok' | 'code' | 'thrown';
  detail: string;
  /** The allow-list rule that accepts it, or null (a failure). */
  allowedBy: string | null;
}

export interface DiffCase {
  index: number;
  chain: BuiltChain;
  openssl: OpensslAnswer;
  /** `openssl verify -auth_level 1`, run only where the plain CLI accepts what Node refuses. */
  opensslAuthLevel1: OpensslAnswer | null;
  node: NodeAnswer;
  subject: SubjectAnswer;
  differences: Difference[];
}

export interface Summary {
  total: number;
  /** Chains openssl could load (the others have no verdict to compare). */
  loaded: number;
  okAgree: number;
  /** Chains with a Node verify result (served, handshake completed). */
  codeCompared: number;
  codeAgree: number;
  notServable: number;
  noHandshake: number;
  /** The verifier threw where it must answer (chains openssl can load, or any throw while verifying). */
  thrown: number;
  /** Where the final codes agree with openssl's last error, whether the depth does too (informational). */
  depthCompared: number;
  depthAgree: number;
  /** openssl and Node themselves disagree on ok. */
  oraclesContradict: number;
  allowed: Record<string, number>;
  failures: number;
}

export function opensslFinal(answer: OpensslAnswer): { code: number; depth: number } | null {
  const last = answer.errors.at(-1);
  return answer.ok || !last ? null : { code: last.code, depth: last.depth };
}

const show = (v: unknown) => JSON.stringify(v);

export function differencesOf(c: Omit<DiffCase, 'differences'>): Difference[] {
  const out: Omit<Difference, 'allowedBy'>[] = [];
  const { openssl, node, subject } = c;
  if (subject.thrown !== null) {
    // A certificate openssl itself cannot load may fail to parse here too; verifying must never throw.
    if (openssl.loaded || subject.thrown.startsWith('verify')) out.push({ kind: 'thrown', detail: subject.thrown });
  } else {
    if (openssl.loaded && subject.ok !== openssl.ok) {
      const final = opensslFinal(openssl);
      out.push({
        kind: 'ok',
        detail: `ok: ours ${subject.ok} (${subject.opensslCode} at ${subject.depth}), openssl ${openssl.ok}${final ? ` (${final.code} at ${final.depth})` : ''}`,
      });
    }
    if (node.servable && node.handshakeError === null) {
      const sameCode = subject.code === node.code;
      const sameMessage = node.code !== 'UNSPECIFIED' || subject.message === node.message;
      if (!sameCode || !sameMessage) {
        out.push({
          kind: 'code',
          detail: `code: ours ${show(subject.code)} ${show(subject.message)}, node ${show(node.code)} ${show(node.message)}`,
        });
      }
    }
  }
  const base = { ...c, differences: [] };
  return out.map((d) => ({
    ...d,
    allowedBy: ALLOW_LIST.find((rule) => rule.applies(base, { ...d, allowedBy: null }))?.id ?? null,
  }));
}

export function summarize(cases: DiffCase[]): Summary {
  const s: Summary = {
    total: cases.length,
    loaded: 0,
    okAgree: 0,
    codeCompared: 0,
    codeAgree: 0,
    notServable: 0,
    noHandshake: 0,
    thrown: 0,
    depthCompared: 0,
    depthAgree: 0,
    oraclesContradict: 0,
    allowed: Object.fromEntries(ALLOW_LIST.map((r) => [r.id, 0])),
    failures: 0,
  };
  for (const c of cases) {
    const kinds = new Set(c.differences.map((d) => d.kind));
    if (kinds.has('thrown')) s.thrown++;
    if (c.openssl.loaded) {
      s.loaded++;
      if (!kinds.has('ok') && !kinds.has('thrown')) s.okAgree++;
    }
    if (!c.node.servable) s.notServable++;
    else if (c.node.handshakeError !== null) s.noHandshake++;
    else {
      s.codeCompared++;
      if (!kinds.has('code') && !kinds.has('thrown')) s.codeAgree++;
      if (c.openssl.loaded && c.openssl.ok !== (c.node.authorized && c.node.code === null)) s.oraclesContradict++;
    }
    const final = opensslFinal(c.openssl);
    if (final && c.subject.opensslCode === final.code) {
      s.depthCompared++;
      if (c.subject.depth === final.depth) s.depthAgree++;
    }
    for (const d of c.differences) {
      if (d.allowedBy) s.allowed[d.allowedBy] = (s.allowed[d.allowedBy] ?? 0) + 1;
      else s.failures++;
    }
  }
  return s;
}
