// The verdict a person acts on: problem, whose fault, how sure, and the one thing to do next; pure.
import type { Diagnosis, HandshakeRecord } from '../types.js';
import { chainProblem, weakCryptoDiagnosis } from './chain-verdict.js';
import { connectionFailed, handshakeFailed } from './failure-verdict.js';
import { interceptedDiagnosis, ownProxyDiagnosis } from './intercepted-verdict.js';

export type UndiagnosedRecord = Omit<HandshakeRecord, 'diagnosis'>;

const CLIENT_CERT_ALERTS =
  /CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_HANDSHAKE_FAILURE|ALERT_CERTIFICATE_UNKNOWN|ALERT_ACCESS_DENIED|ECONNRESET/;

/** The verdict for a server that refused us for want of a client certificate; `through` names the proxy's flag instead of inspect's. */
export function clientCertRequired(
  record: UndiagnosedRecord,
  confidence: Diagnosis['confidence'],
  through: 'cli' | 'proxy' = 'cli',
): Diagnosis {
  const cc = record.clientCertificate;
  const accepted = cc.acceptableCAs.length ? ` It accepts certificates from: ${cc.acceptableCAs.join('; ')}.` : '';
  const check =
    cc.httpCheck?.outcome === 'required'
      ? ` It completed the handshake ${cc.presented ? 'with it' : 'without one'}, but ${cc.httpCheck.reason}.`
      : '';
  const summary = cc.presented
    ? `the server asked for a client certificate and refused the one presented (${cc.presented}).${check}${accepted}`
    : `the server requires a client certificate (mutual TLS) and none was presented.${check}${accepted}`;
  const host = record.target.servername ?? record.target.host;
  const action =
    through === 'proxy'
      ? `give the proxy a certificate issued by one of the accepted CAs for this host: --upstream-client-cert ${host}=CERT.pem,KEY.pem`
      : `present a certificate issued by one of the accepted CAs: --client-cert FILE --client-key FILE (or a PKCS#12 with --password); through the proxy, --upstream-client-cert ${host}=CERT.pem,KEY.pem`;
  return { problem: 'client-cert-required', liability: 'client', confidence, summary, action };
}

export function diagnose(record: UndiagnosedRecord): Diagnosis {
  const interception = record.interception;
  // SPEC: a chain minted by tlswitness's own CA says nothing about the server or the network.
  if (interception?.ownProxy) return ownProxyDiagnosis(record);
  const base = diagnoseChain(record);
  if (!interception?.detected || !record.chain.length || NOT_ABOUT_THE_CHAIN.has(base.problem)) return base;
  return interceptedDiagnosis(record, base);
}

const NOT_ABOUT_THE_CHAIN = new Set<Diagnosis['problem']>([
  'connection-failed',
  'handshake-failed',
  'client-cert-required',
]);

function diagnoseChain(record: UndiagnosedRecord): Diagnosis {
  if (record.failure && record.failure.step !== 'tls') return connectionFailed(record);
  const cc = record.clientCertificate;
  if (record.failure) {
    const refusedClient = cc.requested && CLIENT_CERT_ALERTS.test(record.failure.code);
    if (refusedClient)
      return clientCertRequired(record, /CERTIFICATE_REQUIRED/.test(record.failure.code) ? 'high' : 'medium');
    if (record.chain.length === 0) return handshakeFailed(record);
  }
  if (record.chain.length === 0) return handshakeFailed(record);
  if (!record.verification.ok) return chainProblem(record);
  if (record.failure) return handshakeFailed(record);
  // The handshake went on without a certificate (or with one the server did not take), and the HTTP
  // answer refused us (nginx's 400, a 403, 495/496).
  if (cc.requested && cc.httpCheck?.outcome === 'required') return clientCertRequired(record, cc.httpCheck.confidence);
  // Node (level 1) accepts it, but a stricter client's security level does not (RSA-1024 at level 2).
  if (record.weakCrypto?.refusedBy.length) return weakCryptoDiagnosis(record);
  if (!record.chainAnalysis.inOrder) {
    return {
      problem: 'wrong-order',
      liability: 'server',
      confidence: 'high',
      summary:
        'the chain verifies, but the server sends its certificates out of order; clients that do not reorder (older Java, embedded TLS stacks) fail',
      action: 'the admin must serve leaf, then the intermediate that signed it, then the next one up',
    };
  }
  const named = record.target.servername ?? record.target.host;
  return {
    problem: 'ok',
    liability: 'none',
    confidence: 'high',
    summary: `the chain verifies${record.chainAnalysis.anchor ? ` to "${record.chainAnalysis.anchor}" (${record.chainAnalysis.anchorStore} store)` : ''}${named ? ' and the name matches' : ' (no name was checked)'}`,
    action: 'nothing to fix here; if an app still fails, run tlswitness explain with its error message',
  };
}
