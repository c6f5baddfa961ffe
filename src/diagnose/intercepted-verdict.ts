// The verdict when something re-signs the connection (an interceptor, or tlswitness's own CA): the
// chain's symptom is the interception's, not the server's; pure.
import type { Diagnosis } from '../types.js';
import type { UndiagnosedRecord } from './diagnose.js';
import { ownProxyStatement } from './interception.js';

export function ownProxyDiagnosis(record: UndiagnosedRecord): Diagnosis {
  const evidence = record.interception.evidence as { matched?: string } | null;
  const { summary, action } = ownProxyStatement(record, evidence?.matched ?? 'a tlswitness CA');
  // The target was never measured: as inconclusive as an unreachable one (exit 3), and the way out is a setting here.
  return { problem: 'connection-failed', liability: 'client', confidence: 'high', summary, action };
}

// The codes of a chain that anchors in no store: for an interceptor's chain that is its CA missing from
// the client's store (a leaf-only flight included), never a server that forgot its intermediate.
const UNTRUSTED_CODES = new Set([2, 18, 19, 20, 21]);

/**
 * When something re-signs the connection, the server never sent this chain: whatever the chain's
 * symptom, the cause is the interception (liability network), and the action goes to whoever runs it.
 */
export function interceptedDiagnosis(record: UndiagnosedRecord, base: Diagnosis): Diagnosis {
  const interception = record.interception;
  const product = interception.product;
  const by = product ?? 'an interceptor (a corporate proxy or antivirus)';
  const host = record.target.servername ?? record.target.host;
  const kind = (interception.evidence as { kind?: string } | null)?.kind ?? null;
  const v = record.verification;
  const problem = v.ok ? base.problem : UNTRUSTED_CODES.has(v.opensslCode) ? 'unknown-ca' : base.problem;
  const seen = v.ok
    ? `it verifies here only because this machine trusts the inspection CA${record.chainAnalysis.anchor ? ` "${record.chainAnalysis.anchor}" (${record.chainAnalysis.anchorStore} store)` : ''}; apps with their own CA bundle (Python's certifi, Node, Java) refuse it`
    : `apps refuse it (${v.code ?? v.message}) because they do not trust the interceptor's CA`;
  return {
    problem,
    liability: 'network',
    confidence: interception.confidence ?? (product ? 'high' : 'medium'),
    summary: `TLS to ${host} is re-signed by ${by}${kind ? ` (${kind})` : ''}, not served by ${host}: ${seen}. The server is not at fault`,
    action: interceptionAction(product, kind, host),
  };
}

/** Who to ask and how to confirm, by the kind of product (catalogue `kind`). */
export function interceptionAction(product: string | null, kind: string | null, host: string): string {
  const trust =
    "trust it on the app's behalf with --extra-ca CA.pem (or a combined bundle from tlswitness bundle -o bundle.pem --extra-ca CA.pem)";
  if (kind === 'debugging proxy') {
    return `${product} (a debugging proxy) is in the path: stop it or take it out of the proxy settings; if it is there on purpose, ${trust}`;
  }
  const scanner = kind === 'antivirus' ? `${product}'s HTTPS (SSL/TLS) scanning` : "the scanner's HTTPS inspection";
  const owner = kind === 'antivirus' ? `IT (or whoever manages ${product})` : 'IT';
  return `ask ${owner} for the inspection CA certificate and ${trust}, or for an exception (no inspection) for ${host}; to confirm, turn ${scanner} off and run this again`;
}
