// The verdict when no chain could be judged: the connection or the TLS handshake failed; pure.
import { formatHostPort } from '../host-port.js';
import type { Diagnosis, Failure } from '../types.js';
import type { UndiagnosedRecord } from './diagnose.js';
import { alertVerdict } from './alert-verdict.js';

export function connectionFailed(record: UndiagnosedRecord): Diagnosis {
  const failure = record.failure!;
  const where = formatHostPort(record.target);
  const base = { problem: 'connection-failed' as const, confidence: 'high' as const, summary: failure.message };
  switch (failure.step) {
    case 'dns':
      return {
        ...base,
        liability: 'network',
        action: `check the spelling of ${record.target.host} and this machine's DNS, or pin an address with --resolve ${record.target.host}:${record.target.port}:ADDRESS`,
      };
    case 'connect':
      return {
        ...base,
        liability: 'network',
        action: `nothing accepts connections on ${where}: check the port, that the service runs, and any firewall in between`,
      };
    case 'timeout':
      return {
        ...base,
        liability: 'network',
        action: `${where} did not answer in time: a firewall may drop the traffic, or a proxy is required (--upstream-proxy)`,
      };
    case 'proxy':
      return {
        ...base,
        liability: failure.proxyStatus === 407 ? 'client' : 'network',
        action:
          failure.proxyStatus === 407
            ? 'give the proxy credentials (or use a local NTLM relay) and try again'
            : `check the proxy ${record.proxy ?? ''} and whether it allows CONNECT to ${where}`.replace('  ', ' '),
      };
    default:
      return { ...base, liability: 'network', action: `check that ${where} is reachable from here` };
  }
}

/**
 * OpenSSL refused a handshake message over its limit (a certificate list over 100 KiB, max_cert_list) before
 * reading it: in practice a chain file that holds a whole CA bundle. curl and openssl s_client fail alike.
 */
export function chainTooLarge(failure: Pick<Failure, 'code' | 'message'> | null | undefined): boolean {
  return !!failure && /EXCESSIVE_MESSAGE_SIZE|excessive message size/i.test(`${failure.code} ${failure.message}`);
}

export function handshakeFailed(record: UndiagnosedRecord): Diagnosis {
  const failure = record.failure!;
  const code = failure.code;
  const where = formatHostPort(record.target);
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|not TLS/i.test(code + failure.message)) {
    return {
      problem: 'handshake-failed',
      liability: 'client',
      confidence: 'medium',
      summary: `${where} does not speak TLS (${failure.message})`,
      action: `check the port: ${where} may be plain HTTP or another protocol`,
    };
  }
  if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE/.test(code)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'high',
      summary: `no TLS version in common with ${where} (${failure.message})`,
      action: 'the server should support TLS 1.2 or 1.3; to test an old server anyway use --tls-min 1.0',
    };
  }
  if (/HANDSHAKE_FAILURE|NO_SHARED_CIPHER|INSUFFICIENT_SECURITY/.test(code)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'medium',
      summary: `${where} refused the handshake: no cipher or parameters in common (${failure.message})`,
      action: 'ask the server admin to enable modern TLS 1.2/1.3 cipher suites',
    };
  }
  if (chainTooLarge(failure)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'high',
      summary: `${where} sent a handshake message larger than OpenSSL accepts, almost always a certificate chain over its 100 KiB limit, such as a whole CA bundle served as the chain (${failure.message})`,
      action: `the server admin should serve only the leaf and its intermediates, not a CA bundle; openssl s_client -connect ${where} fails the same way`,
    };
  }
  const alerted = alertVerdict(record, where);
  if (alerted) return alerted;
  if (code === 'ETIMEDOUT') {
    return {
      problem: 'handshake-failed',
      liability: 'network',
      confidence: 'medium',
      summary: `TCP connected but ${where} did not complete a TLS handshake in time`,
      action: 'a middlebox may be swallowing TLS; try another network or through the proxy in use',
    };
  }
  return {
    problem: 'handshake-failed',
    liability: 'server',
    confidence: 'low',
    summary: `the TLS handshake with ${where} failed: ${failure.message}`,
    action: `retry with tlswitness inspect ${where} --tls-max 1.2, and compare with openssl s_client -connect ${where}`,
  };
}
