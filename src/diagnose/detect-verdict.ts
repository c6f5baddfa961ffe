// The overall `detect` verdict from per-target records; pure. SPEC: interception seen anywhere is
// `intercepted` (exit 1) even when other targets were unreachable; unreachable targets with no
// interception seen make it `inconclusive` (exit 3), never `clean`.
import type { HandshakeRecord, Via } from '../types.js';

export type DetectVerdict = 'intercepted' | 'clean' | 'inconclusive';

export interface DetectResult {
  verdict: DetectVerdict;
  product: string | null;
  path: Via;
  targets: HandshakeRecord[];
}

export function detectVerdict(records: HandshakeRecord[], path: Via): DetectResult {
  const intercepted = records.filter((r) => r.interception.detected);
  if (intercepted.length) {
    const named = intercepted.find((r) => r.interception.product);
    return { verdict: 'intercepted', product: named?.interception.product ?? null, path, targets: records };
  }
  const judged = records.filter((r) => r.chain.length > 0 && r.failure?.step !== 'dns' && r.failure?.step !== 'connect' && r.failure?.step !== 'timeout' && r.failure?.step !== 'proxy');
  const unreachable = records.length - judged.length;
  return { verdict: unreachable > 0 || judged.length === 0 ? 'inconclusive' : 'clean', product: null, path, targets: records };
}

export function detectExitCode(result: DetectResult): number {
  return result.verdict === 'intercepted' ? 1 : result.verdict === 'inconclusive' ? 3 : 0;
}
