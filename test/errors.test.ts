// The one error class and vocabulary: codes, causes and exit codes; the event codes documented where users read
// them. Secrets in URLs never reach a message.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_ERROR_CODES, TlswitnessError, USAGE_ERROR_CODES, type ProxyFailureCode } from '../src/errors.js';
import { redactText } from '../src/redact/url.js';

test('redactText removes credentials, including @ in passwords, and keeps hints and IPv6 hosts', (t) => {
  t.is(redactText('proxy http://alice:s3cret@proxy:3128 failed'), 'proxy http://***@proxy:3128 failed');
  t.is(redactText('http://alice:p@ss@proxy:3128/x'), 'http://***@proxy:3128/x');
  t.is(redactText('http://u:p@[::1]:8080'), 'http://***@[::1]:8080');
  t.is(redactText('use http://[user:pass@]host:port'), 'use http://[user:pass@]host:port');
  t.is(redactText('http://proxy:3128'), 'http://proxy:3128');
  t.is(
    redactText('target "https://h/?token=s1" is not a valid URL'),
    'target "https://h/?token=REDACTED" is not a valid URL',
  );
});

test('TlswitnessError keeps its code, message and cause; a usage error exits 2, a connection error 3', (t) => {
  const cause = new Error('ENOENT');
  const error = new TlswitnessError('unreadable-file', '--log x: ENOENT', { cause });
  t.like(error, { code: 'unreadable-file', message: '--log x: ENOENT', cause, exitCode: 2, name: 'TlswitnessError' });
  for (const code of USAGE_ERROR_CODES) t.is(new TlswitnessError(code, 'x').exitCode, 2, code);
  t.is(new TlswitnessError('UPSTREAM_DNS', 'x').exitCode, 3);
  t.is(new TlswitnessError('MINT_FAILED', 'x').exitCode, 1);
});

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

test("every error event code is in docs/record.md's table and in events.schema.json, and nothing else is", (t) => {
  const record = readFileSync(join(ROOT, 'docs', 'record.md'), 'utf8');
  const section = record.slice(
    record.indexOf('\n## error\n'),
    record.indexOf('\n## ', record.indexOf('\n## error\n') + 1),
  );
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  const inTable = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
  t.deepEqual([...inTable].sort(), [...EVENT_ERROR_CODES].sort());
  const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'schema', 'events.schema.json'), 'utf8')) as {
    oneOf: Array<{ properties?: { type?: { const?: string }; code?: { examples?: string[] } } }>;
  };
  const errorBranch = schema.oneOf.find((branch) => branch.properties?.type?.const === 'error');
  t.deepEqual(errorBranch?.properties?.code?.examples, [...EVENT_ERROR_CODES]);
});

test("the upstream proxy's failure codes are documented with the record's failure field", (t) => {
  const record = readFileSync(join(ROOT, 'docs', 'record.md'), 'utf8');
  const failureRow = record.split('\n').find((line) => line.startsWith('| `failure` |')) ?? '';
  const documented: Record<Exclude<ProxyFailureCode, `EPROXY${number}`>, true> = {
    EPROXYAUTH: true,
    EPROXYPROTO: true,
    EPROXYHEAD: true,
    EPROXYREQUEST: true,
  };
  for (const code of [...Object.keys(documented), 'EPROXY403']) t.true(failureRow.includes(`\`${code}\``), code);
});
