// Does a server that asked for a client certificate and went on without one require it? Judged from
// its HTTP answer on the same connection (status, body, or a close before any answer); pure.
import type { ClientCertCheck, HandshakeRecord, HttpAnswer } from '../types.js';
import { clientCertRequired } from './diagnose.js';

/**
 * Statuses a server gives a client without the certificate it requires: nginx answers 400 ("No required
 * SSL certificate was sent") and logs 496, and uses 495 for one it refused; Apache httpd and API
 * gateways answer 403 (https://nginx.org/en/docs/http/ngx_http_ssl_module.html#errors).
 */
const REFUSED = new Set([400, 403, 495, 496]);
/** Answers that reached the application (or its routing/authentication), so the certificate is not enforced. */
const SERVED = (status: number) =>
  (status >= 200 && status < 400) || status === 401 || status === 404 || status === 405 || status === 501;
/** A mention of a certificate in the status line, headers or body: the refusal says why. */
const MENTIONS_CERTIFICATE = /certificate|\bcert\b|mutual tls|\bmtls\b|client auth/i;

export function judgeClientCertAnswer(answer: HttpAnswer): ClientCertCheck {
  const base = { request: answer.request, status: answer.status };
  const sent = answer.request ?? 'the request';
  if (answer.status !== null) {
    const line = `${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
    if (REFUSED.has(answer.status)) {
      const mentioned =
        answer.status === 495 ||
        answer.status === 496 ||
        MENTIONS_CERTIFICATE.test(`${answer.statusText}\n${answer.head}`);
      return {
        ...base,
        outcome: 'required',
        confidence: mentioned ? 'high' : 'medium',
        reason: `${sent} was answered ${line}${quoteOf(answer.head)}`,
      };
    }
    if (SERVED(answer.status)) {
      return {
        ...base,
        outcome: 'optional',
        confidence: 'high',
        reason: `${sent} was answered ${line}: a client without a certificate is served`,
      };
    }
    return {
      ...base,
      outcome: 'inconclusive',
      confidence: 'low',
      reason: `${sent} was answered ${line}, which neither confirms nor rules out that the certificate is required`,
    };
  }
  switch (answer.end) {
    case 'closed':
    case 'reset':
    case 'alert':
      return {
        ...base,
        outcome: 'required',
        confidence: 'medium',
        reason: `the server ${answer.end === 'alert' ? 'sent an alert' : answer.end === 'reset' ? 'reset the connection' : 'closed the connection'} after ${sent} without answering${answer.error ? ` (${answer.error})` : ''}`,
      };
    case 'not-http':
      return {
        ...base,
        outcome: 'inconclusive',
        confidence: 'low',
        reason: `the server did not answer ${sent} in HTTP: it may speak another protocol on this port`,
      };
    default:
      return {
        ...base,
        outcome: 'inconclusive',
        confidence: 'low',
        reason: `the server did not answer ${sent} in time: it may speak another protocol on this port`,
      };
  }
}

/** The first line of an HTML title or text body that names a certificate, quoted, for the summary. */
function quoteOf(head: string): string {
  const body = head
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n');
  const title = /<title>([^<]{1,200})<\/title>/i.exec(body)?.[1] ?? /<h\d>([^<]{1,200})<\/h\d>/i.exec(body)?.[1];
  const text = [title, ...body.split(/\r?\n/)].find((line) => line && MENTIONS_CERTIFICATE.test(line));
  return text
    ? ` ("${text
        .replace(/<[^>]*>/g, '')
        .trim()
        .slice(0, 160)}")`
    : '';
}

/**
 * The proxy's record of a host that asked for a client certificate, reached without one, after the
 * app's own exchange was refused (an HTTP answer, or a close before any): the same record (same id)
 * with the diagnosis `client-cert-required`; null when the answer does not say so or the record
 * already has another story (a failed handshake, a chain problem, a certificate presented).
 */
export function withAppRefusal(record: HandshakeRecord, answer: HttpAnswer): HandshakeRecord | null {
  const cc = record.clientCertificate;
  if (!cc.requested || cc.presented || record.failure || record.diagnosis.problem !== 'ok') return null;
  const check = judgeClientCertAnswer(answer);
  if (check.outcome !== 'required') return null;
  const amended: HandshakeRecord = {
    ...record,
    clientCertificate: { ...cc, httpCheck: check },
    // The "asked, went on without one" warning is now answered.
    warnings: record.warnings.filter(
      (w) => w.code !== 'client-certificate-requested' && w.code !== 'client-certificate-optional',
    ),
  };
  return { ...amended, diagnosis: clientCertRequired(amended, check.confidence, 'proxy') };
}
