// report.md of an evidence bundle: the summary, "is it them or us", and the chain as sent; pure.
import type { Comparison } from '../diagnose/comparison.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord } from '../types.js';
import { validityState } from './certificate-text.js';
import { count } from '../plural.js';
import type { EvidenceDecision, Outcome } from './evidence-outcome.js';
import { interceptionText } from './handshake-text.js';

export interface ReportInput {
  record: HandshakeRecord;
  comparison: Comparison;
  decision: EvidenceDecision;
  /** Every file of the bundle: the Files section names only these. */
  files: string[];
  /** Names of the chain files, by position in the chain. */
  chainFiles: string[];
  toolVersion: string;
  now: Date;
  /** Said when the comparison checks were not run (e.g. a bundle written by the proxy). */
  comparisonNote?: string;
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  'server-fault': 'their side: the fix is on the server',
  'our-fault': 'our side: this machine or network stops verification, not the server',
  interception: 'our side (network): TLS is re-signed on the way; the server is not at fault',
  unreachable: 'unreachable: no TLS handshake took place, so there is no certificate to judge',
  'clients-refuse': "our side: the chain verifies, but this machine's own clients refuse it",
  ok: 'no problem seen',
  'not-measured': "not measured: the chain came from tlswitness's own proxy",
};

/** What each file is, for the Files section: only the bundle's own files are listed. */
const FILE_TEXT: Array<[string, string]> = [
  ['served-chain.pem', 'the certificates exactly as the server sent them, in its order'],
  ['chain/', 'each certificate as PEM and decoded text'],
  ['report.html', 'the chain drawn beside the path each trust store built: open it in a browser'],
  ['report.json', 'the full records and the environment (proxy credentials redacted)'],
  ['email.txt', 'a drafted message to whoever fixes it'],
  ['MANIFEST', 'SHA-256 of every file (`sha256sum -c MANIFEST`)'],
];

/** `|` and line breaks would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function evidenceReport(input: ReportInput): string {
  const { record, toolVersion, now } = input;
  return [
    `# TLS evidence: ${formatHostPort(record.target)}`,
    '',
    `Recorded ${record.time} by tlswitness ${toolVersion}; report written ${now.toISOString()}.`,
    '',
    ...summarySection(record, input.decision),
    ...comparisonSection(input.comparison, input.comparisonNote),
    ...verificationSection(record),
    ...clientCertificateSection(record),
    ...chainSection(record, input.chainFiles, now),
    ...connectionSection(record),
    ...filesSection(input.files),
  ].join('\n');
}

function summarySection(record: HandshakeRecord, decision: EvidenceDecision): string[] {
  const d = record.diagnosis;
  return [
    '## Summary',
    '',
    `- **Outcome:** ${OUTCOME_TEXT[decision.outcome]}`,
    `- **Problem:** ${d.problem.toUpperCase()} (fault: ${d.liability}, confidence: ${d.confidence})`,
    `- **What happened:** ${decision.what}`,
    `- **Action:** ${decision.action}`,
    ...(record.chain.length ? [`- **Interception:** ${interceptionText(record.interception)}`] : []),
    ...(decision.recipient ? [`- **Who fixes it:** ${decision.recipient} (email.txt is a draft to them)`] : []),
    '',
  ];
}

function comparisonSection(comparison: Comparison, comparisonNote: string | undefined): string[] {
  return [
    '## Is it them or us?',
    '',
    '| check | result |',
    '|---|---|',
    ...comparison.rows.map((row) => `| ${cell(row.check)} | ${cell(row.result)} |`),
    '',
    `**Conclusion:** ${comparison.conclusion}`,
    ...(comparisonNote ? ['', comparisonNote] : []),
    '',
  ];
}

function verificationSection(record: HandshakeRecord): string[] {
  const v = record.verification;
  const a = record.chainAnalysis;
  return [
    '## Verification',
    '',
    ...(record.chain.length
      ? [
          `- OpenSSL verify return code: ${v.opensslCode} (${v.message})`,
          `- Node error code: ${v.code ?? 'none'}`,
          ...(v.detail ? [`- Detail: ${v.detail}`] : []),
          ...(v.certificate
            ? [
                `- About: "${v.certificate.subject}" (from the ${v.certificate.from}${v.certificate.from === 'server' ? '' : ' store'}, depth ${v.depth ?? '?'})`,
              ]
            : []),
          `- Missing issuer: ${a.missingIssuer ?? 'none'}`,
          ...(a.fetched
            ? [
                `- Fetched from AIA ${a.fetched.url}: ${a.fetched.ok ? `${a.fetched.subject}${a.fetched.completesChain ? ', which completes the chain' : ', which does not complete the chain'}` : a.fetched.error}`,
              ]
            : []),
          `- Trust anchor: ${a.anchor ? `${a.anchor} (${a.anchorStore} store)` : 'none found'}`,
          `- Sent in order: ${a.inOrder ? 'yes' : 'NO'}; ${count(a.extraCerts, 'certificate')} not on the path; root sent too: ${a.containsAnchor ? 'yes' : 'no'}`,
        ]
      : ['No certificate was received, so nothing was verified.']),
    ...record.warnings.map((w) => `- Warning: ${w.message}${w.clients.length ? ` [${w.clients.join(', ')}]` : ''}`),
    '',
  ];
}

function clientCertificateSection(record: HandshakeRecord): string[] {
  if (!record.clientCertificate.requested) return [];
  return [
    '## Client certificate',
    '',
    `The server asked for a client certificate; accepted CAs: ${record.clientCertificate.acceptableCAs.join('; ') || '(any)'}; presented: ${record.clientCertificate.presented ?? 'none'}.`,
    '',
  ];
}

function chainSection(record: HandshakeRecord, chainFiles: string[], now: Date): string[] {
  const out = ['## The chain as sent', ''];
  if (!record.chain.length) out.push('No certificate was received.', '');
  record.chain.forEach((entry, i) => {
    out.push(
      `${i}. **${entry.subject}**`,
      `   - issuer: ${entry.issuer}`,
      `   - valid: ${entry.notBefore} to ${entry.notAfter} (${validityState(entry, now)})`,
      ...(entry.san.length ? [`   - SAN: ${entry.san.join(', ')}`] : []),
      `   - SHA-256: ${entry.sha256}`,
      `   - files: ${chainFiles[i]}.pem, ${chainFiles[i]}.txt`,
    );
  });
  return out;
}

function connectionSection(record: HandshakeRecord): string[] {
  const where = formatHostPort(record.target);
  return [
    '',
    '## Connection',
    '',
    `- Target: ${where}${record.target.servername && record.target.servername !== record.target.host ? ` (servername ${record.target.servername})` : ''}, address ${record.target.address ?? 'unknown'}, ${record.via === 'direct' ? 'direct' : `${record.via} ${record.proxy}`}`,
    `- TLS: ${record.tls.protocol ?? 'none'}${record.tls.cipher ? `, ${record.tls.cipher}` : ''}${record.tls.alpn ? `, ALPN ${record.tls.alpn}` : ''}`,
    ...(record.failure ? [`- Failed at ${record.failure.step}: ${record.failure.message}`] : []),
    `- Timing: connect ${record.timing.connectMs ?? '?'} ms, handshake ${record.timing.handshakeMs ?? '?'} ms`,
    '',
  ];
}

function filesSection(files: string[]): string[] {
  return [
    '## Files',
    '',
    ...FILE_TEXT.filter(([name]) => files.some((f) => f === name || f.startsWith(name))).map(
      ([name, text]) => `- \`${name}\`: ${text}`,
    ),
    '',
  ];
}
