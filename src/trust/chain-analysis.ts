// What the served chain looks like against the path built from it: order, extras, anchor; pure.
import type { ChainAnalysis, FetchedIssuer } from '../types.js';
import type { ParsedCertificate } from './certificate.js';
import type { ChainVerdict } from './verify.js';

export function analyseChain(
  sent: ParsedCertificate[],
  verdict: ChainVerdict,
  fetched: FetchedIssuer | null,
): ChainAnalysis {
  const onPath = verdict.path.map((node) => node.sentIndex).filter((i): i is number => i !== null);
  // RFC 5246 7.4.2: each certificate must certify the one before it; RFC 8446 4.4.2 relaxes this but
  // still wants the leaf first. Certificates off the path are counted as extras, not as disorder.
  const inOrder = onPath[0] === 0 && onPath.every((index, i) => i === 0 || index > onPath[i - 1]!);
  const top = verdict.path[verdict.path.length - 1]!;
  return {
    missingIssuer: verdict.missingIssuer,
    fetched,
    extraCerts: sent.length - onPath.length,
    containsAnchor: sent.length > 1 && sent.slice(1).some((c) => c.selfSigned),
    inOrder,
    path: onPath,
    anchor: verdict.trusted ? top.cert.subject : null,
    anchorStore: verdict.trusted ? top.store : null,
    anchorSpkiSha256: top.cert.spkiSha256,
    aiaCaIssuers: (verdict.missingIssuer ? top.cert : sent[0])?.details.aia.caIssuers ?? [],
  };
}
