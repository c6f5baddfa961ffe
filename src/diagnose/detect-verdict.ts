// The `detect` verdict: each target's state and reason from its own record, and the overall verdict
// from the targets; pure. SPEC: interception seen anywhere is `intercepted` (exit 1) even when other
// targets were unreachable. `clean` needs every target to anchor in the public roots: a target that
// anchors nowhere, or that could not be reached, is not evidence of a clean network (`inconclusive`, exit 3).
import { diagnose } from './diagnose.js';
import {
  anchorsInPublicRoots,
  registrableDomain,
  resignedInterception,
  resigningIssuer,
  type ParseHost,
} from './interception.js';
import { resignedDomains, type ResignedMemory } from './resigned-memory.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord, Via } from '../types.js';

export type DetectVerdict = 'intercepted' | 'clean' | 'inconclusive';

/** One target's part in the verdict. */
export type TargetState =
  'intercepted' | 'clean' | 'possible' | 'own-proxy' | 'unanchored' | 'unreachable' | 'no-certificate';

export interface TargetVerdict {
  target: string;
  state: TargetState;
  reason: string;
}

export interface DetectResult {
  verdict: DetectVerdict;
  product: string | null;
  path: Via;
  /** Why the verdict is what it is, in one sentence. */
  reason: string;
  verdicts: TargetVerdict[];
  targets: HandshakeRecord[];
}

const CONNECT_STEPS = new Set(['dns', 'connect', 'timeout', 'proxy', 'target']);

export function targetVerdict(record: HandshakeRecord): TargetVerdict {
  const target = formatHostPort(record.target);
  const i = record.interception;
  if (i.ownProxy) return { target, state: 'own-proxy', reason: i.reason };
  if (i.detected) return { target, state: 'intercepted', reason: i.reason };
  if (!record.chain.length) {
    const message = record.failure?.message ?? 'no certificate was received';
    return {
      target,
      state: record.failure && CONNECT_STEPS.has(record.failure.step) ? 'unreachable' : 'no-certificate',
      reason: message,
    };
  }
  const problem = record.diagnosis.problem;
  if (anchorsInPublicRoots(record)) {
    const anchor = record.chainAnalysis.anchor ? ` ("${record.chainAnalysis.anchor}")` : '';
    return {
      target,
      state: 'clean',
      reason: `not re-signed: the chain anchors in the public roots${anchor}${problem === 'ok' ? '' : `; the server's own problem: ${problem}`}`,
    };
  }
  if (i.possible) return { target, state: 'possible', reason: i.reason };
  return {
    target,
    state: 'unanchored',
    reason: `the chain anchors in no public root (${problem}), so it says nothing about interception: ${i.reason}`,
  };
}

/**
 * One run's re-signing rule, order-independent: once every target is observed, each target whose issuer
 * signed unrelated public hosts in the run (the memory `detectInterception` filled) is intercepted,
 * whichever was seen first.
 */
export function settleRun(
  records: HandshakeRecord[],
  resigned: ResignedMemory,
  parseHost: ParseHost | null,
): HandshakeRecord[] {
  if (!parseHost) return records;
  return records.map((record) => {
    const i = record.interception;
    if (i.detected || i.ownProxy || !record.chain.length) return record;
    const issuer = resigningIssuer(record);
    // The memory keeps each issuer's first domains, so the host that came first (the one to settle) is among them.
    const domains = resignedDomains(resigned, issuer);
    const host = record.target.servername ?? record.target.host;
    if (domains.length < 2 || !domains.includes(registrableDomain(parseHost, host))) return record;
    const a = record.chainAnalysis;
    const interception = resignedInterception(issuer, domains, {
      anchor: a.anchor,
      anchorStore: a.anchorStore,
      anchorSpkiSha256: a.anchorSpkiSha256 ?? null,
    });
    const judged = { ...record, interception };
    return { ...judged, diagnosis: diagnose(judged) };
  });
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export function detectVerdict(records: HandshakeRecord[], path: Via): DetectResult {
  const verdicts = records.map(targetVerdict);
  const base = { path, verdicts, targets: records };
  const intercepted = records.filter((r) => r.interception.detected);
  if (intercepted.length) {
    const named = intercepted.find((r) => r.interception.product);
    const product = named?.interception.product ?? null;
    return {
      ...base,
      verdict: 'intercepted',
      product,
      reason: `${count(intercepted.length, 'target')} of ${records.length} re-signed${product ? ` by ${product}` : ''}`,
    };
  }
  const own = records.find((r) => r.interception.ownProxy);
  if (own)
    return {
      ...base,
      verdict: 'inconclusive',
      product: null,
      reason: `${own.diagnosis.summary}; ${own.diagnosis.action}`,
    };
  const by = (state: TargetState) => verdicts.filter((v) => v.state === state).length;
  const clean = by('clean');
  if (records.length > 0 && clean === records.length)
    return {
      ...base,
      verdict: 'clean',
      product: null,
      reason: 'every target presented a chain that anchors in the public roots',
    };
  const gaps = [
    by('unreachable') + by('no-certificate')
      ? `${count(by('unreachable') + by('no-certificate'), 'target')} gave no certificate`
      : '',
    by('unanchored')
      ? `${count(by('unanchored'), 'target')} anchored in no public root without a sign of interception`
      : '',
    by('possible') ? `${count(by('possible'), 'target')} anchored only in a CA you gave (possible interception)` : '',
  ].filter(Boolean);
  return {
    ...base,
    verdict: 'inconclusive',
    product: null,
    reason: `${gaps.join('; ')}; ${clean} of ${records.length} anchored in the public roots`,
  };
}

export function detectExitCode(result: DetectResult): number {
  return result.verdict === 'intercepted' ? 1 : result.verdict === 'inconclusive' ? 3 : 0;
}
