// Every TLS client .ci/run installs (curl, wget, python3 urllib and requests, node, openssl s_client,
// git, Java) is run against each broken loopback server; `explain` must name the server's problem
// (or list it among the alternatives) in what the client printed.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CASES,
  CLIENTS,
  CORPUS,
  recordClientMessages,
  type ClientMessage,
  type Recording,
} from '../../scripts/client-messages.js';
import { explain } from '../../src/diagnose/explain.js';
import { makeFixtures } from '../helpers/fixtures.js';
import { testNeeding } from '../helpers/requires.js';

// pyenv's python3 (the one on PATH) cannot get requests from .ci/run: no PyPI here, and Debian's
// python3-requests goes to /usr/bin/python3. Every other client is installed by .ci/run.
const OPTIONAL = new Set(['python3-requests']);
// Decided when the file loads, so a machine without it shows a skipped test, not a passing one.
const requestsMissing =
  spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore', timeout: 20_000 }).status === 0
    ? null
    : 'python3 cannot import requests';

let recording: Recording;
let elapsed = 0;
test.before(async (t) => {
  t.timeout(240_000);
  const fixtures = await makeFixtures();
  try {
    const started = Date.now();
    recording = await recordClientMessages(fixtures.pki, mkdtempSync(join(tmpdir(), 'tlswitness-clients-')));
    elapsed = Date.now() - started;
  } finally {
    await fixtures.close();
  }
});

test('every client .ci/run installs is here', (t) => {
  t.log(
    `${recording.messages.length} runs of ${CLIENTS.length - recording.missing.length} clients against ${CASES.length} servers in ${(elapsed / 1000).toFixed(1)} s`,
  );
  for (const { client, reason } of recording.missing) if (OPTIONAL.has(client)) t.log(`skipped ${client}: ${reason}`);
  const required = recording.missing.filter(({ client }) => !OPTIONAL.has(client));
  t.deepEqual(
    required.map(({ client, reason }) => `${client} cannot run: ${reason} (.ci/run installs it)`),
    [],
  );
});

for (const client of CLIENTS) {
  testNeeding(OPTIONAL.has(client.name) ? requestsMissing : null)(
    `explain maps what ${client.name} prints against each broken server`,
    (t) => {
      const messages = recording.messages.filter((m) => m.client === client.name);
      if (!messages.length) {
        t.fail(
          `${client.name} did not run here: ${recording.missing.find((m) => m.client === client.name)?.reason ?? 'no message recorded'}`,
        );
        return;
      }
      // The harness really reaches the servers and trusts the fixture root: the one chain that verifies
      // (sent out of order, which clients repair) is accepted, and the expired one refused.
      t.true(
        messages.find((m) => m.case === 'wrong-order')?.accepted,
        `${client.name} accepted the valid chain sent out of order`,
      );
      t.false(messages.find((m) => m.case === 'expired')?.accepted, `${client.name} refused the expired certificate`);
      let mapped = 0;
      const refused = messages.filter((m) => !m.accepted);
      for (const m of refused) {
        const result = explain(m.message);
        const classes = [result.problem, ...result.alternatives];
        if (result.recognized && classes.includes(m.expected)) mapped += 1;
        t.true(
          result.recognized && classes.includes(m.expected),
          `${client.name} ${m.case}: expected ${m.expected}, got ${classes.join('/')} for «${m.message.slice(-400)}»`,
        );
      }
      // Another version of a client may say other things than the recorded corpus: tell, so it can be refreshed.
      const corpus: ClientMessage[] = JSON.parse(readFileSync(CORPUS, 'utf8'));
      const reading = (m: ClientMessage | undefined) =>
        m ? (m.accepted ? 'accepted' : JSON.stringify(explain(m.message))) : 'absent';
      const changed = messages
        .filter((m) => reading(m) !== reading(corpus.find((c) => c.client === m.client && c.case === m.case)))
        .map((m) => m.case);
      if (changed.length)
        t.log(
          `${client.name} differs from test/fixtures/client-messages.json for ${changed.join(', ')} (node --import=tsx scripts/client-messages.ts --write refreshes it)`,
        );
      const accepted = messages.filter((m) => m.accepted).map((m) => m.case);
      t.log(
        `${client.name} (${messages[0]!.version}): explain maps ${mapped}/${refused.length} refusals; accepted: ${accepted.join(', ')}`,
      );
    },
  );
}
