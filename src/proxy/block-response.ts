// The 502 (504 for a timeout) an app gets when its upstream fails verification or cannot be reached: host, problem,
// action and the served chain, as plain text, or HTML for clients that accept it; pure.
import { chainTooLarge } from '../diagnose/failure-verdict.js';
import { formatHostPort } from '../host-port.js';
import { esc } from '../report/html-text.js';
import { safeLines } from '../report/terminal-safe.js';
import type { HandshakeRecord, OpensslVerdict } from '../types.js';

export interface BlockResponse {
  /** 504 when the upstream did not answer in time (a gateway timeout), else 502. */
  status: 502 | 504;
  contentType: string;
  body: string;
}

/** What happened, in the headline's words: a host that never answered TLS did not fail verification. */
function headline(record: HandshakeRecord): string {
  switch (record.diagnosis.problem) {
    case 'connection-failed':
      return `${unreachedBecause(record)}, so no TLS handshake took place`;
    case 'handshake-failed':
      return 'did not complete a TLS handshake';
    case 'weak-crypto':
      return "serves a key or signature too weak for a careful client's security level";
    case 'name-constraints':
      return 'serves a certificate from a CA that is not allowed to issue for this name';
    default:
      return 'failed TLS verification';
  }
}

function unreachedBecause(record: HandshakeRecord): string {
  switch (record.failure?.step) {
    case 'dns':
      return 'could not be resolved';
    case 'timeout':
      return 'did not answer in time';
    case 'proxy':
      return 'could not be reached through the upstream proxy';
    default:
      return 'could not be reached';
  }
}

function chainHeading(record: HandshakeRecord): string {
  if (record.chain.length) return `Certificate chain as the server sent it (${record.chain.length}):`;
  if (chainTooLarge(record.failure))
    return `No certificate chain recorded: OpenSSL refused the message that carried it, for its size.`;
  return `No certificate chain: ${formatHostPort(record.target)} sent none before the connection ended.`;
}

function textBody(record: HandshakeRecord): string {
  const d = record.diagnosis;
  const lines = [
    `tlswitness blocked this request: ${formatHostPort(record.target)} ${headline(record)}.`,
    '',
    `Problem:   ${d.problem} (fault: ${d.liability}, confidence: ${d.confidence})`,
    `Summary:   ${d.summary}`,
    `Action:    ${d.action}`,
    ...(record.weakCrypto?.refusedBy.length
      ? [`Refused by: ${record.weakCrypto.refusedBy.map((r) => `${r.client} ("${r.message}")`).join('; ')}`]
      : []),
    ...(record.interception.detected || record.interception.ownProxy || record.interception.possible
      ? [`Interception: ${interceptionWords(record)}`]
      : []),
    `Verify:    ${record.verification.opensslCode} (${record.verification.message})`,
    `Trust:     public ${record.trust.public}, system ${record.trust.system}, extra ${record.trust.extra}`,
    ...(record.verification.openssl
      ? [`OpenSSL:   ${opensslLine(record.verification.openssl)} (on the live connection)`]
      : []),
    ...(record.verification.detail ? [`Detail:    ${record.verification.detail}`] : []),
    '',
    chainHeading(record),
  ];
  record.chain.forEach((c, i) =>
    lines.push(` ${i} s: ${c.subject}`, `   i: ${c.issuer}`, `   valid until ${c.notAfter}`),
  );
  // `curl -x` prints this body to a terminal: names, messages and the host come from the network, so
  // each line goes through the terminal-safe escaping. PEM is base64 and keeps its own line breaks.
  return [safeLines(lines), '', ...record.chain.map((c) => c.pem.trimEnd()), ''].join('\n');
}

function interceptionWords(record: HandshakeRecord): string {
  const i = record.interception;
  if (i.ownProxy) return `none: the chain came from a tlswitness proxy (${i.reason})`;
  return `${i.detected ? 'DETECTED' : 'POSSIBLE'}${i.product ? ` (${i.product})` : ''}: ${i.reason}`;
}

function opensslLine(verdict: OpensslVerdict): string {
  if (verdict.ok) return 'ok';
  return `refused: ${verdict.code ?? 'error'}${verdict.opensslCode !== null ? ` (${verdict.opensslCode})` : ''}, ${verdict.message}`;
}

export function blockResponse(record: HandshakeRecord, accept: string | undefined): BlockResponse {
  const text = textBody(record);
  const status = record.failure?.code === 'ETIMEDOUT' ? 504 : 502;
  if (accept && /text\/html/i.test(accept)) {
    const title = `TLS problem: ${record.diagnosis.problem} at ${formatHostPort(record.target)}`;
    return {
      status,
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><pre>${text.split('\n').map(esc).join('\n')}</pre>\n`,
    };
  }
  return { status, contentType: 'text/plain; charset=utf-8', body: text };
}
