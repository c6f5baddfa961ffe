// Human text for one handshake record, in the spirit of `openssl s_client`: the chain as sent,
// each store's verdict, the diagnosis and the `Verify return code` line; pure.
import { CERTIFI_WARNING } from '../diagnose/certifi-lag.js';
import { formatHostPort } from '../host-port.js';
import type { ChainEntry, HandshakeRecord } from '../types.js';
import { safeLines } from './terminal-safe.js';

const DAY = 86_400_000;

/** `2026-01-01 to 2027-01-01 (300 days left)`, or EXPIRED / NOT YET VALID. */
export function validity(entry: ChainEntry, now: Date): string {
  const left = Math.floor((Date.parse(entry.notAfter) - now.getTime()) / DAY);
  const state =
    Date.parse(entry.notBefore) > now.getTime()
      ? 'NOT YET VALID'
      : left < 0
        ? `EXPIRED ${-left} days ago`
        : `${left} days left`;
  return `${entry.notBefore.slice(0, 10)} to ${entry.notAfter.slice(0, 10)} (${state})`;
}

/** The parts of a record that judge a chain, shared with `tlswitness verify`'s text. */
export type ChainVerdictParts = Pick<
  HandshakeRecord,
  'chain' | 'chainAnalysis' | 'verification' | 'trust' | 'diagnosis' | 'warnings' | 'weakCrypto'
>;

export function chainLines(record: ChainVerdictParts, now: Date, as = 'sent'): string[] {
  const lines = [`Certificate chain as ${as} (${record.chain.length}):`];
  const onPath = new Set(record.chainAnalysis.path);
  record.chain.forEach((entry, i) => {
    const tag = onPath.has(i)
      ? ''
      : record.verification.ok || record.chainAnalysis.path.length
        ? '  [not on the path]'
        : '';
    lines.push(` ${i} s: ${entry.subject}${tag}`);
    lines.push(`   i: ${entry.issuer}`);
    lines.push(`   valid: ${validity(entry, now)}`);
    if (entry.san.length) lines.push(`   SAN: ${entry.san.join(', ')}`);
    lines.push(
      `   key: ${entry.keyType} ${entry.keyBits ?? '?'} bits${entry.isCA ? ', CA' : ''}${entry.selfSigned ? ', self-signed' : ''}`,
    );
    lines.push(`   SHA-256: ${entry.sha256}`);
  });
  return lines;
}

export function renderHandshake(record: HandshakeRecord, now: Date): string {
  const out: string[] = [];
  const where = formatHostPort(record.target);
  const via =
    record.via === 'direct'
      ? `direct${record.target.address ? ` to ${record.target.address}` : ''}`
      : `${record.via} ${record.proxy}`;
  out.push(
    `${where}${record.target.servername && record.target.servername !== record.target.host ? ` (servername ${record.target.servername})` : ''}, ${via}`,
  );
  if (record.tls.protocol) {
    out.push(
      `TLS: ${record.tls.protocol}, ${record.tls.cipher ?? '?'}${record.tls.alpn ? `, ALPN ${record.tls.alpn}` : ''}; connect ${record.timing.connectMs ?? '?'} ms, handshake ${record.timing.handshakeMs ?? '?'} ms`,
    );
  }
  if (record.failure) out.push(`Failed at ${record.failure.step}: ${record.failure.message}`);
  out.push('');
  if (record.chain.length) {
    out.push(...chainLines(record, now), '');
    out.push(trustLine(record));
  }
  if (record.clientCertificate.requested) {
    const cas = record.clientCertificate.acceptableCAs;
    out.push(
      `Client certificate requested; accepted CAs: ${cas.length ? cas.join('; ') : '(any)'}; presented: ${record.clientCertificate.presented ?? 'none'}`,
    );
  }
  out.push(...verifyLines(record), '');
  // A chain tlswitness's own proxy minted says nothing about the target: no diagnosis of it.
  if (record.interception.ownProxy)
    out.push(`Not measured: ${record.diagnosis.summary}`, `Action: ${record.diagnosis.action}`);
  else out.push(...diagnosisLines(record));
  if (record.chain.length) out.push(`Interception: ${interceptionText(record.interception)}`);
  out.push(...warningLines(record));
  // Subjects, SANs, failure texts and what is derived from them come from the network.
  return `${safeLines(out)}\n`;
}

/** The interception verdict in words: detected, possible (low confidence), tlswitness's own proxy, or none. */
export function interceptionText(i: HandshakeRecord['interception']): string {
  if (i.ownProxy)
    return `not judged: the chain was minted by tlswitness, not by an interceptor (${(i.evidence as { where?: string } | null)?.where ?? 'a tlswitness CA'})`;
  if (i.detected)
    return `DETECTED${i.product ? ` (${i.product})` : ''}${i.confidence ? `, ${i.confidence} confidence` : ''}: ${i.reason}`;
  if (i.possible) return `POSSIBLE, ${i.confidence ?? 'low'} confidence: ${i.reason.replace(/^possible: /, '')}`;
  return `none seen (${i.reason})`;
}

/** Each store's verdict; certifi's only when the record has one (records from before it do not). */
export function trustLine(record: Pick<HandshakeRecord, 'trust'>): string {
  const { trust } = record;
  return `Trust: public ${trust.public} | system ${trust.system} | extra ${trust.extra}${trust.certifi === undefined ? '' : ` | certifi ${trust.certifi}`}`;
}

export function verifyLines(record: ChainVerdictParts): string[] {
  const code = record.verification.opensslCode;
  // The verdict is Node's (security level 1): say so when a stricter level refuses what it accepts.
  const level = record.verification.ok && record.weakCrypto?.refusedBy.length ? ", at Node's security level 1" : '';
  return code >= 0 ? [`Verify return code: ${code} (${record.verification.message})${level}`] : [];
}

export function diagnosisLines(record: ChainVerdictParts): string[] {
  const d = record.diagnosis;
  // Which clients' security levels refuse it, each with what it prints (Node's verdict above is level 1's).
  const refused = (record.weakCrypto?.refusedBy ?? []).map((r) => `  Refused by ${r.client}: "${r.message}"`);
  // A chain that verifies yet fails in Python's requests is what "it works in curl" tickets are about: said here, not among the warnings.
  const python = record.warnings.filter((w) => w.code === CERTIFI_WARNING).map((w) => `  Python: ${w.message}`);
  return [
    `Diagnosis: ${d.problem.toUpperCase()} (fault: ${d.liability}, confidence: ${d.confidence})`,
    `  ${d.summary}`,
    ...refused,
    ...python,
    `Action: ${d.action}`,
  ];
}

export function warningLines(record: ChainVerdictParts): string[] {
  return record.warnings
    .filter((w) => w.code !== CERTIFI_WARNING)
    .map((warning) => `Warning: ${warning.message}${warning.clients.length ? ` [${warning.clients.join(', ')}]` : ''}`);
}
