// The one decision behind an evidence bundle: whose side the problem is on (or that there is none),
// and from it the headline, the action, who the email goes to, its subject, what to send and the exit
// code, so that report.md, email.txt and the command's output never tell different stories; pure.
import { listed, type Comparison } from '../diagnose/comparison.js';
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord } from '../types.js';

/**
 * - server-fault: the server's chain or TLS setup is wrong; its administrator fixes it.
 * - our-fault: this machine or network stops verification (store, clock, name, port); IT fixes it.
 * - interception: something on our network re-signs TLS; IT exempts the host or hands out its CA.
 * - unreachable: no TLS handshake took place, so there is no certificate to judge.
 * - clients-refuse: the chain verifies, but this machine's own curl/python3/requests/httpx refuse it (their CA bundle).
 * - ok: the chain verifies and nothing here refuses it.
 * - not-measured: the chain came from tlswitness's own proxy, so it says nothing about the server.
 */
export type Outcome =
  'server-fault' | 'our-fault' | 'interception' | 'unreachable' | 'clients-refuse' | 'ok' | 'not-measured';

export interface EvidenceDecision {
  outcome: Outcome;
  /** The command's first line and the bundle's headline. */
  headline: string;
  /** What happened, in a sentence (report.md's Summary). */
  what: string;
  /** Whose side, in words for the email's reader: no actions, no tool flags. */
  finding: string;
  /** What the person running the tool does next. */
  action: string;
  /** Who email.txt is for; null when there is no one to write to (then there is no email.txt). */
  recipient: string | null;
  subject: string | null;
  exitCode: number;
}

export const IT_TEAM = 'IT support / network team';

export function decideOutcome(record: HandshakeRecord, comparison: Comparison): Outcome {
  if (record.interception.ownProxy) return 'not-measured';
  if (record.interception.detected) return 'interception';
  if (record.diagnosis.problem === 'connection-failed') return 'unreachable';
  if (record.diagnosis.problem === 'ok') return comparison.side === 'us' ? 'clients-refuse' : 'ok';
  if (comparison.side === 'them') return 'server-fault';
  if (comparison.side === 'us') return 'our-fault';
  return record.diagnosis.liability === 'server' ? 'server-fault' : 'our-fault';
}

/** The clients of the comparison that refused a chain the tool verified. */
export function refusingClients(comparison: Comparison): string[] {
  return comparison.refusing;
}

function clientsPhrase(clients: string[]): { names: string; verb: string } {
  return {
    names: clients.length ? listed(clients) : "this machine's clients",
    verb: clients.length === 1 ? 'refuses' : 'refuse',
  };
}

export function decideEvidence(record: HandshakeRecord, comparison: Comparison): EvidenceDecision {
  const outcome = decideOutcome(record, comparison);
  return {
    outcome,
    what: record.diagnosis.summary,
    finding: findingFor(outcome, record, comparison),
    ...wordingFor(outcome, record, comparison),
  };
}

/** What an outcome says and to whom; `what` only where the diagnosis summary alone is not the story. */
type Wording = Pick<EvidenceDecision, 'headline' | 'action' | 'recipient' | 'subject' | 'exitCode'> & { what?: string };

function wordingFor(outcome: Outcome, record: HandshakeRecord, comparison: Comparison): Wording {
  const where = formatHostPort(record.target);
  const d = record.diagnosis;
  const problem = d.problem.toUpperCase();
  switch (outcome) {
    case 'server-fault':
      return {
        headline: `${where}: ${problem}, their side: ${d.summary}`,
        action: d.action,
        recipient: `the administrator of ${where}`,
        subject: `${record.chain.length ? 'TLS certificate' : 'TLS handshake'} problem on ${where}: ${d.problem}`,
        exitCode: 1,
      };
    case 'our-fault':
      return {
        headline: `${where}: ${problem}, our side (this machine or network): ${d.summary}`,
        action: d.action,
        recipient: IT_TEAM,
        subject: `TLS to ${where} fails because of this machine or network: ${d.problem}`,
        exitCode: 1,
      };
    case 'interception': {
      const product = record.interception.product;
      return {
        headline: `${where}: INTERCEPTED${product ? ` by ${product}` : ''}, our side (network): ${d.summary}`,
        action: d.action,
        recipient: IT_TEAM,
        subject: `TLS inspection${product ? ` (${product})` : ''} breaks connections to ${where}`,
        exitCode: 1,
      };
    }
    case 'unreachable':
      return {
        headline: `${where}: UNREACHABLE: ${d.summary}; no TLS handshake, so no certificate to judge`,
        action: d.action,
        recipient: IT_TEAM,
        subject: `Cannot connect to ${where} from this machine`,
        exitCode: 3,
      };
    case 'clients-refuse': {
      const { names, verb } = clientsPhrase(refusingClients(comparison));
      return {
        headline: `${where}: the chain verifies, but ${names} on this machine ${verb} it: our side (their CA bundle)`,
        what: `${d.summary}, but ${names} on this machine ${verb} it`,
        action: `point ${names} at a complete CA bundle (tlswitness doctor shows which file each one reads; tlswitness bundle writes one)`,
        recipient: IT_TEAM,
        subject: `${names} on this machine ${verb} ${where}, whose certificate chain is valid`,
        exitCode: 1,
      };
    }
    case 'ok':
      return {
        headline: `${where}: OK: ${d.summary}`,
        action: 'nothing to fix here; if an app still fails, run tlswitness explain with its error message',
        recipient: null,
        subject: null,
        exitCode: 0,
      };
    case 'not-measured':
      return {
        headline: `${where}: NOT MEASURED: ${d.summary}`,
        action: d.action,
        recipient: null,
        subject: null,
        exitCode: 3,
      };
  }
}

function findingFor(outcome: Outcome, record: HandshakeRecord, comparison: Comparison): string {
  const where = formatHostPort(record.target);
  const d = record.diagnosis;
  switch (outcome) {
    case 'server-fault':
      return `the problem is on the server's side: ${d.summary}.`;
    case 'our-fault':
      return `the problem is on our side (this machine or network), not the server's: ${d.summary}.`;
    case 'interception':
      return `TLS to ${where} is re-signed on our network${record.interception.product ? ` by ${record.interception.product}` : ''}, so the server did not send this chain; the server is not at fault.`;
    case 'unreachable':
      return `${where} could not be reached from here (${record.failure?.message ?? 'no connection'}), so there is no certificate to judge.`;
    case 'clients-refuse': {
      const { names } = clientsPhrase(refusingClients(comparison));
      return `the server's chain verifies; the CA bundle ${names} ${comparison.refusing.length === 1 ? 'uses' : 'use'} on this machine lacks the root it leads to.`;
    }
    case 'ok':
      return `no problem seen: ${d.summary}.`;
    case 'not-measured':
      return `not measured: ${d.summary}.`;
  }
}

/** The command's last line: what to send to whom, naming only files the bundle has. */
export function sendLine(decision: EvidenceDecision, files: string[]): string {
  const has = (name: string): boolean => files.some((f) => f === name || f.endsWith(`/${name}`));
  if (!decision.recipient || !has('email.txt')) {
    return decision.outcome === 'ok'
      ? 'Nothing to send: no problem seen. The bundle records that it verified from here; MANIFEST holds the SHA-256 sums.'
      : 'Nothing to send: the target was not measured.';
  }
  const attach = ['report.md', 'served-chain.pem'].filter(has);
  return `Send email.txt (a draft) to ${decision.recipient}${attach.length ? `, with ${listed(attach)} attached` : ''}; MANIFEST holds the SHA-256 sums of every file.`;
}
