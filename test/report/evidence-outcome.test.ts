// One decision per bundle: for each outcome, report.md, email.txt, the command's send line and the
// exit code tell the same story, and every file named is a file the bundle has. Real records from
// fixture servers on loopback, judged with explicit stores.
import test from 'ava';
import type { ClientCheck } from '../../src/diagnose/comparison.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { environmentSnapshot } from '../../src/report/environment.js';
import { evidenceFiles, type Evidence } from '../../src/report/evidence-files.js';
import { sendLine, type Outcome } from '../../src/report/evidence-outcome.js';
import type { HandshakeRecord } from '../../src/types.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { observeScenarios } from '../helpers/records.js';

let fixtures: Fixtures;
let records: Record<string, HandshakeRecord>;
test.before(async () => {
  fixtures = await makeFixtures();
  records = await observeScenarios(fixtures, ['valid', 'expired', 'unknownRoot']);
});
test.after.always(async () => fixtures?.close());

const environment = environmentSnapshot(
  {},
  { platform: 'linux', release: '6', arch: 'x64', node: 'v20' },
  '0.0.0-test',
);
const now = new Date('2026-12-01T00:00:00Z');

function client(name: ClientCheck['client'], accepted: boolean): ClientCheck {
  return accepted
    ? { client: name, available: true, command: name, exitCode: 0, accepted: true, error: null }
    : {
        client: name,
        available: true,
        command: name,
        exitCode: name === 'curl' ? 60 : 1,
        accepted: false,
        error: `${name}: certificate verify failed`,
      };
}

/** The record as the record stage makes it when the interception verdict is this one: diagnosed again. */
function rejudged(record: HandshakeRecord, interception: HandshakeRecord['interception']): HandshakeRecord {
  const undiagnosed = { ...record, interception };
  return { ...undiagnosed, diagnosis: diagnose(undiagnosed) };
}

interface Case {
  outcome: Outcome;
  /** Told apart from the other cases of the same outcome. */
  variant?: string;
  target: () => HandshakeRecord;
  clients?: ClientCheck[];
  exitCode: number;
  /** Expected `To:` of email.txt; null: no email.txt. */
  to: RegExp | null;
  subject?: RegExp;
  /** report.md's Summary Outcome line. */
  summary: RegExp;
  conclusion: RegExp;
  /** What the email asks, when there is one. */
  ask?: RegExp;
}

const cases: Case[] = [
  {
    outcome: 'server-fault',
    target: () => records.expired!,
    exitCode: 1,
    to: /^To: the administrator of expired\.example\.com:\d+$/m,
    subject: /^Subject: TLS certificate problem on expired\.example\.com:\d+: expired$/m,
    summary: /\*\*Outcome:\*\* their side/,
    conclusion: /\*\*Conclusion:\*\* Their side/,
    ask: /Please renew the certificate/,
  },
  {
    // The server refused the handshake before sending a certificate: its fault, and no chain to attach.
    outcome: 'server-fault',
    variant: 'handshake refused, no certificate',
    target: () =>
      ({
        ...records.unreachable!,
        failure: {
          step: 'tls',
          code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
          message: 'sslv3 alert handshake failure',
        },
        diagnosis: {
          problem: 'handshake-failed',
          liability: 'server',
          confidence: 'medium',
          summary: 'the server refused the handshake: no cipher in common',
          action: 'ask the server admin to enable modern TLS 1.2/1.3 cipher suites',
        },
      }) as HandshakeRecord,
    exitCode: 1,
    to: /^To: the administrator of 127\.0\.0\.1:\d+$/m,
    subject: /^Subject: TLS handshake problem on 127\.0\.0\.1:\d+: handshake-failed$/m,
    summary: /\*\*Outcome:\*\* their side/,
    conclusion: /\*\*Conclusion:\*\* Their side/,
    ask: /Please check the TLS configuration of 127\.0\.0\.1:\d+/,
  },
  {
    outcome: 'our-fault',
    target: () => records.unknownRoot!,
    exitCode: 1,
    to: /^To: IT support \/ network team$/m,
    subject: /^Subject: TLS to unknown-root\.example\.com:\d+ fails because of this machine or network: unknown-ca$/m,
    summary: /\*\*Outcome:\*\* our side: this machine or network/,
    conclusion: /\*\*Conclusion:\*\* Our side \(client\)/,
    // In IT's terms: their trust store, not this tool's flags.
    ask: /If that is our organisation's CA, please install it in this machine's trust store/,
  },
  {
    outcome: 'interception',
    target: () =>
      rejudged(records.valid!, {
        detected: true,
        product: 'Avast',
        confidence: 'high',
        reason: 'Avast Web/Mail Shield Root',
        evidence: { kind: 'antivirus' },
      }),
    exitCode: 1,
    to: /^To: IT support \/ network team$/m,
    subject: /^Subject: TLS inspection \(Avast\) breaks connections to valid\.example\.com:\d+$/m,
    summary: /\*\*Outcome:\*\* our side \(network\)/,
    conclusion: /\*\*Conclusion:\*\* Our side \(network\)/,
    ask: /exempt valid\.example\.com:\d+ from TLS inspection in Avast/,
  },
  {
    outcome: 'unreachable',
    target: () => records.unreachable!,
    exitCode: 3,
    to: /^To: IT support \/ network team$/m,
    subject: /^Subject: Cannot connect to 127\.0\.0\.1:\d+ from this machine$/m,
    summary: /\*\*Outcome:\*\* unreachable: no TLS handshake/,
    conclusion: /could not be reached from here/,
    ask: /reachable from our network/,
  },
  {
    outcome: 'clients-refuse',
    target: () => records.valid!,
    clients: [client('curl', false), client('python3', false)],
    exitCode: 1,
    to: /^To: IT support \/ network team$/m,
    subject:
      /^Subject: curl and python3 on this machine refuse valid\.example\.com:\d+, whose certificate chain is valid$/m,
    summary: /\*\*Outcome:\*\* our side: the chain verifies, but this machine's own clients refuse it/,
    conclusion: /\*\*Conclusion:\*\* Our side: .* curl and python3 on this machine refuse it/,
    ask: /use a complete, current CA bundle/,
  },
  {
    outcome: 'clients-refuse',
    target: () => records.valid!,
    clients: [client('curl', true), client('python3', false)],
    exitCode: 1,
    to: /^To: IT support/m,
    subject: /^Subject: python3 on this machine refuses valid\.example\.com:\d+/m,
    summary: /\*\*Outcome:\*\* our side: the chain verifies/,
    conclusion: /python3 on this machine refuses it: its trust store/,
  },
  {
    // python3's ssl reads SSL_CERT_FILE and accepts; requests reads its own bundle and refuses: not "no problem".
    outcome: 'clients-refuse',
    target: () => records.valid!,
    clients: [client('curl', false), client('python3', true), client('requests', false)],
    exitCode: 1,
    to: /^To: IT support/m,
    subject: /^Subject: curl and requests on this machine refuse valid\.example\.com:\d+/m,
    summary: /\*\*Outcome:\*\* our side: the chain verifies/,
    conclusion: /curl and requests on this machine refuse it: their trust stores/,
  },
  {
    outcome: 'clients-refuse',
    target: () => records.valid!,
    clients: [client('curl', false), client('python3', false), client('requests', false)],
    exitCode: 1,
    to: /^To: IT support/m,
    subject: /^Subject: curl, python3 and requests on this machine refuse valid\.example\.com:\d+/m,
    summary: /\*\*Outcome:\*\* our side: the chain verifies/,
    conclusion: /curl, python3 and requests on this machine refuse it/,
  },
  {
    outcome: 'ok',
    target: () => records.valid!,
    clients: [client('curl', true), client('python3', true)],
    exitCode: 0,
    to: null,
    summary: /\*\*Outcome:\*\* no problem seen/,
    conclusion: /\*\*Conclusion:\*\* No problem seen/,
  },
  {
    outcome: 'not-measured',
    target: () =>
      rejudged(records.valid!, {
        detected: false,
        ownProxy: true,
        product: 'tlswitness',
        reason: 'minted by tlswitness',
        evidence: { matched: 'tlswitness local CA' },
      }),
    exitCode: 3,
    to: null,
    summary: /\*\*Outcome:\*\* not measured/,
    conclusion: /\*\*Conclusion:\*\* Not measured/,
  },
];

function file(evidence: Evidence, path: string): string | undefined {
  return evidence.files.find((f) => f.path === path)?.content;
}

for (const c of cases) {
  test(`${c.outcome}${c.variant ? ` (${c.variant})` : ''}${c.clients ? ` (${c.clients.map((x) => `${x.client} ${x.accepted ? 'accepts' : 'refuses'}`).join(', ')})` : ''}: every text follows from one decision`, (t) => {
    const sanity = c.target().chain.length ? records.valid! : null;
    const evidence = evidenceFiles({ record: c.target(), sanity, clients: c.clients ?? [], environment, now });
    const names = evidence.files.map((f) => f.path);
    const { decision } = evidence;
    t.is(decision.outcome, c.outcome);
    t.is(decision.exitCode, c.exitCode);

    const report = file(evidence, 'report.md')!;
    t.regex(report, c.summary);
    t.regex(report, c.conclusion);
    // Only an ok bundle says there is nothing to fix.
    t.is(/nothing to fix/i.test(report), c.outcome === 'ok', report);

    const email = file(evidence, 'email.txt');
    if (c.to === null) {
      t.is(email, undefined);
      t.is(decision.recipient, null);
    } else {
      t.truthy(email);
      t.regex(email!, c.to);
      if (c.subject) t.regex(email!, c.subject);
      if (c.ask) t.regex(email!.split('What we ask')[1]!, c.ask);
      t.notRegex(email!, /nothing to fix|: ok$/im);
      // Tool flags mean nothing to the team that gets it.
      t.notRegex(email!, /--extra-ca|--public-roots|tlswitness /);
      t.true(report.includes(`**Who fixes it:** ${decision.recipient}`));
    }

    // Every file named anywhere is one the bundle has.
    const hasChain = c.target().chain.length > 0;
    t.is(names.includes('served-chain.pem'), hasChain);
    const filesSection = report.split('## Files')[1]!;
    for (const named of filesSection.matchAll(/`([^`]+)`:/g))
      t.true(
        names.some((n) => n === named[1] || n.startsWith(named[1]!)),
        `report.md lists ${named[1]}`,
      );
    for (const named of (email ?? '').matchAll(/\b([\w-]+\.(?:pem|md|json|txt))\b/g))
      t.true(names.includes(named[1]!), `email.txt names ${named[1]}`);
    const send = sendLine(decision, names);
    for (const named of send.matchAll(/\b([\w-]+\.(?:pem|md|json|txt))\b/g))
      t.true(names.includes(named[1]!), `the send line names ${named[1]}`);
    t.is(/^Send email\.txt/.test(send), c.to !== null, send);
    if (c.to !== null) t.true(send.includes(decision.recipient!));
    t.is(file(evidence, 'MANIFEST')!.trim().split('\n').length, names.length - 1);
  });
}

test('unreachable: the email claims no verification and no recorded certificates', (t) => {
  const evidence = evidenceFiles({ record: records.unreachable!, sanity: null, clients: [], environment, now });
  const email = file(evidence, 'email.txt')!;
  t.notRegex(
    email,
    /fail TLS certificate verification|certificates exactly as the server sends|^To: the administrator/m,
  );
  t.regex(email, /Certificates sent by the server: none \(no TLS handshake completed\)/);
  t.deepEqual(
    evidence.files.map((f) => f.path),
    ['report.md', 'report.html', 'email.txt', 'report.json', 'MANIFEST'],
  );
  const report = file(evidence, 'report.md')!;
  t.notRegex(report, /served-chain\.pem|chain\/|Interception:|fails: no-certificate|verify return code/);
  t.regex(
    report,
    /\| 127\.0\.0\.1:\d+ against Mozilla's roots \(bundled in Node\) \| not judged: no certificate was received \|/,
  );
  t.regex(report, /No certificate was received, so nothing was verified\./);
});
