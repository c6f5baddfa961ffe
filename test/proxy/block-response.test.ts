// The block page's words follow what happened: a host that never answered TLS did not "fail TLS verification" and
// sent no chain; a host that answered with a broken chain did.
import test from 'ava';
import { blockResponse } from '../../src/proxy/block-response.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { HOSTILE_TEXT, rawControlAt } from '../helpers/hostile-pki.js';
import { observeScenarios } from '../helpers/records.js';
import type { HandshakeRecord } from '../../src/types.js';

let fixtures: Fixtures;
let records: Record<string, HandshakeRecord>;
test.before(async () => {
  fixtures = await makeFixtures();
  records = await observeScenarios(fixtures, ['expired']);
});
test.after.always(async () => fixtures?.close());

test('a refused connection: "could not be reached", no chain heading with a count of zero', (t) => {
  const page = blockResponse(records.unreachable!, undefined);
  t.is(page.status, 502);
  const [first] = page.body.split('\n');
  t.regex(
    first!,
    /^tlswitness blocked this request: 127\.0\.0\.1:\d+ could not be reached, so no TLS handshake took place\.$/,
  );
  t.notRegex(page.body, /failed TLS verification|Certificate chain as the server sent it/);
  t.regex(page.body, /^No certificate chain: 127\.0\.0\.1:\d+ sent none before the connection ended\.$/m);
  t.regex(page.body, /^Problem: +connection-failed \(fault: network/m);
});

test('a chain OpenSSL refused for its size: the page does not say none was sent', (t) => {
  const unreachable = records.unreachable!;
  const message = 'error:0A000098:SSL routines:read_state_machine:excessive message size';
  const record: HandshakeRecord = {
    ...unreachable,
    failure: { step: 'tls', code: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE', message },
  };
  const page = blockResponse(record, undefined);
  t.regex(page.body, /^No certificate chain recorded: OpenSSL refused the message that carried it, for its size\.$/m);
  t.notRegex(page.body, /sent none before the connection ended/);
});

test('a chain that fails verification keeps its headline and the chain as sent', (t) => {
  const page = blockResponse(records.expired!, 'text/html');
  t.regex(page.body, /expired\.example\.com:\d+ failed TLS verification\./);
  t.regex(page.body, /Certificate chain as the server sent it \(2\):/);
  t.is(page.contentType, 'text/html; charset=utf-8');
});

test('the headline names why the host was not reached: DNS, time, the upstream proxy', (t) => {
  const unreachable = records.unreachable!;
  const cases: Array<[NonNullable<HandshakeRecord['failure']>['step'], string, 502 | 504]> = [
    ['dns', 'could not be resolved', 502],
    ['timeout', 'did not answer in time', 504],
    ['proxy', 'could not be reached through the upstream proxy', 502],
    ['connect', 'could not be reached', 502],
  ];
  for (const [step, words, status] of cases) {
    const record: HandshakeRecord = {
      ...unreachable,
      failure: { ...unreachable.failure!, step, code: step === 'timeout' ? 'ETIMEDOUT' : unreachable.failure!.code },
    };
    const page = blockResponse(record, undefined);
    t.is(page.status, status, step);
    t.regex(page.body.split('\n')[0]!, new RegExp(`:\\d+ ${words}, so no TLS handshake took place\\.$`), step);
  }
});

test('names and messages from the network reach neither page raw: controls and bidi shown as escapes', (t) => {
  const expired = records.expired!;
  const record: HandshakeRecord = {
    ...expired,
    target: { ...expired.target, host: `h${HOSTILE_TEXT}` },
    diagnosis: { ...expired.diagnosis, summary: `summary ${HOSTILE_TEXT}` },
    verification: { ...expired.verification, detail: `detail ${HOSTILE_TEXT}` },
    chain: expired.chain.map((c) => ({ ...c, subject: `CN=${HOSTILE_TEXT}`, issuer: `CN=i${HOSTILE_TEXT}` })),
  };
  for (const accept of [undefined, 'text/html']) {
    const page = blockResponse(record, accept);
    t.is(rawControlAt(page.body), null, String(accept));
    t.true(page.body.includes('\\x1b]0;pwned\\x07\\x1b[2J\\u009b31m\\u202etxt.exe'), page.body);
    t.true(page.body.includes(expired.chain[0]!.pem.split('\n')[1]!), 'the PEM stays as it is');
  }
});
