// The verdict on a handshake the server ended with a TLS alert that names its cause: no application
// protocol (120), unrecognized name (112), internal error (80), access denied (49); pure.
import type { Diagnosis, Failure } from '../types.js';
import type { UndiagnosedRecord } from './diagnose.js';

/**
 * The server's TLS alert 120 (no_application_protocol, RFC 7301 3.2): it speaks none of the protocols the
 * client offered in ALPN. Typically an HTTP/2-only server (gRPC servers enforce it) asked for HTTP/1.1.
 */
function noApplicationProtocol(failure: Pick<Failure, 'code' | 'message'>): boolean {
  return /NO_APPLICATION_PROTOCOL|no application protocol|alert number 120\b/i.test(
    `${failure.code} ${failure.message}`,
  );
}

/** The diagnosis for the alert that ended `record`'s handshake, or null for an alert without a rule of its own. */
export function alertVerdict(record: UndiagnosedRecord, where: string): Diagnosis | null {
  const failure = record.failure!;
  const text = `${failure.code} ${failure.message}`;
  if (noApplicationProtocol(failure)) {
    return {
      problem: 'handshake-failed',
      liability: 'client',
      confidence: 'high',
      summary: `${where} speaks none of the application protocols the client offered (TLS alert 120, no_application_protocol): it serves only another one, typically HTTP/2 alone (as gRPC servers do) to a client that offered HTTP/1.1; not a certificate problem`,
      action: `the app must offer what the server speaks: HTTP/2 for an HTTP/2-only or gRPC server (curl --http2, a gRPC client); tlswitness inspect ${where} offers h2 and http/1.1 and shows which the server chooses`,
    };
  }
  if (/TLSV1_ALERT_INTERNAL_ERROR|alert internal error/i.test(text)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'medium',
      summary: `${where} gave up on the handshake with an internal error (TLS alert 80): it failed on its own side, most often for want of a certificate or key for the name asked (${record.target.servername ?? 'no SNI'})`,
      action: `tlswitness inspect ${where} --servername NAME with another name it serves shows whether the name is the cause; the server admin should look at its TLS error log`,
    };
  }
  if (/TLSV1_ALERT_ACCESS_DENIED|alert access denied/i.test(text)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'medium',
      summary: `${where} refused this client during the handshake (TLS alert 49, access denied): its client certificate was not allowed, or a policy (the client's address, a firewall or gateway rule) blocks it`,
      action: 'ask the server admin which rule refused this client, and from which address it is allowed',
    };
  }
  if (/UNRECOGNIZED_NAME/.test(failure.code)) {
    return {
      problem: 'handshake-failed',
      liability: 'client',
      confidence: 'medium',
      summary: `${where} does not serve the name ${record.target.servername ?? '(no SNI)'}`,
      action: 'check the host name, or pass the name the server expects with --servername',
    };
  }
  return null;
}
