// `ca install` / `ca uninstall` result lines: a tool's message or a certificate name with terminal
// controls in it is shown escaped; a line break in a name does not forge a line.
import test from 'ava';
import { listFound } from '../../src/ca/store-change.js';
import { resultLine } from '../../src/cli/ca-trust.js';
import { HOSTILE_TEXT, rawControlAt } from '../helpers/hostile-pki.js';

test('a store result carries no raw control, whatever the detail holds', (t) => {
  const line = resultLine({
    store: 'Java (cacerts)',
    status: 'failed',
    detail: `keytool error: alias ${HOSTILE_TEXT}`,
  });
  t.is(rawControlAt(line), null);
  t.true(line.startsWith('✘ Java (cacerts): keytool error: alias \\x1b]0;pwned'), line);
});

test('the CAs found stay one per line; a name cannot add one', (t) => {
  const detail = `removed 2:${listFound([
    { id: 'a1', subject: `CN=tlswitness CA ${HOSTILE_TEXT}\n✔ forged: done`, sha256: 'AA' },
    { id: 'b2', subject: 'CN=tlswitness CA 2', sha256: 'BB' },
  ] as Parameters<typeof listFound>[0])}`;
  const text = resultLine({ store: 'system', status: 'done', detail });
  t.is(rawControlAt(text), null);
  t.deepEqual(
    text.split('\n').map((l) => l.slice(0, 10)),
    ['✔ system: ', '    a1: CN', '    b2: CN'],
  );
});
