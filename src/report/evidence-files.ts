// The files of an evidence bundle, in memory: served chain, one PEM and text per certificate,
// report.md, report.html, email.txt, report.json and the MANIFEST of SHA-256 sums; pure.
import { createHash } from 'node:crypto';
import { compareVerdicts, type ClientCheck, type Comparison } from '../diagnose/comparison.js';
import type { HandshakeRecord } from '../types.js';
import { adminEmail } from './admin-email.js';
import { certificateText } from './certificate-text.js';
import type { EnvironmentSnapshot } from './environment.js';
import { decideEvidence, type EvidenceDecision } from './evidence-outcome.js';
import { evidenceReport } from './evidence-report.js';
import { chainHtml } from './chain-html.js';
import { chainFileStem } from './file-names.js';
import { displayCopy, safeJson, terminalText } from './terminal-safe.js';

export interface EvidenceInput {
  record: HandshakeRecord;
  sanity: HandshakeRecord | null;
  clients: ClientCheck[];
  environment: EnvironmentSnapshot;
  now: Date;
  comparisonNote?: string;
  /** The file given to --public-roots, when it replaced Node's bundled Mozilla roots. */
  publicRoots?: string | null;
}

export interface EvidenceFile {
  path: string;
  content: string;
}

export interface Evidence {
  files: EvidenceFile[];
  comparison: Comparison;
  decision: EvidenceDecision;
}

export function evidenceFiles(input: EvidenceInput): Evidence {
  const { record, sanity, clients, environment, now } = input;
  const comparison = compareVerdicts(record, sanity, clients, { publicRoots: input.publicRoots });
  const decision = decideEvidence(record, comparison);
  const stems = record.chain.map((entry, i) => chainFileStem(i, entry.subject));
  const files: EvidenceFile[] = [];
  if (record.chain.length) files.push({ path: 'served-chain.pem', content: record.chain.map((c) => c.pem).join('') });
  record.chain.forEach((entry, i) => {
    files.push({ path: `${stems[i]}.pem`, content: entry.pem });
    files.push({ path: `${stems[i]}.txt`, content: certificateText(entry, now) });
  });
  // Every file the bundle will hold, known before any text names one.
  const names = [
    ...files.map((f) => f.path),
    'report.md',
    'report.html',
    ...(decision.recipient ? ['email.txt'] : []),
    'report.json',
    'MANIFEST',
  ];
  // The text files are read with cat and pasted into mail: names, URLs and error texts from the
  // network are escaped field by field (no forged lines), and the whole text once more.
  const shown = displayCopy({ record, comparison, decision });
  files.push({
    path: 'report.md',
    content: terminalText(
      evidenceReport({
        ...shown,
        files: names,
        chainFiles: stems,
        toolVersion: environment.tool,
        now,
        comparisonNote: input.comparisonNote,
      }),
    ),
  });
  // The picture escapes for HTML itself, from the exact record.
  files.push({
    path: 'report.html',
    content: chainHtml({ record, now, comparison, verdict: decision, toolVersion: environment.tool }),
  });
  const email = adminEmail(shown.record, shown.comparison, shown.decision, names);
  if (email) files.push({ path: 'email.txt', content: terminalText(email) });
  const json = {
    tool: 'tlswitness',
    version: environment.tool,
    generated: now.toISOString(),
    target: record,
    sanity,
    clients,
    comparison,
    decision,
    environment,
  };
  files.push({ path: 'report.json', content: `${safeJson(json, 2)}\n` });
  files.push({ path: 'MANIFEST', content: manifest(files) });
  return { files, comparison, decision };
}

/** `sha256sum` format, so `sha256sum -c MANIFEST` checks the bundle. */
export function manifest(files: EvidenceFile[]): string {
  return files.map((file) => `${createHash('sha256').update(file.content).digest('hex')}  ${file.path}\n`).join('');
}
