// The session's HAR on disk: rewritten whole through a temporary file and a rename (never a partial
// document), 0600, on a schedule while exchanges come in, synchronously when the process must exit
// at once; a directory it cannot write is reported once.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exchange } from '../../src/events.js';
import { SessionHar } from '../../src/report/session-har.js';

function exchange(url: string): Exchange {
  return {
    event: {
      type: 'request',
      schemaVersion: '1.0',
      id: url,
      handshakeId: null,
      time: '2026-12-06T12:00:00.000Z',
      method: 'GET',
      url,
      status: 200,
      bytes: { response: 3 },
      timing: { totalMs: 1 },
    },
    startedDateTime: '2026-12-06T12:00:00.000Z',
    httpVersion: 'HTTP/1.1',
    requestHeaders: [],
    responseHeaders: [],
  };
}

const urlsIn = (path: string) =>
  (JSON.parse(readFileSync(path, 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } }).log.entries.map(
    (e) => e.request.url,
  );

test('flush writes the exchanges so far; close writes the rest; 0600, no temporary file left', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-har-'));
  const har = new SessionHar(dir, new Date('2026-12-06T12:00:00Z'), (message) => t.fail(message), {
    intervalMs: 60_000,
    costFactor: 20,
  });
  har.add(exchange('https://a.example/1'));
  t.is(await har.flush(), join(dir, 'tlswitness-session-2026-12-06T12-00-00-000Z.har'));
  t.deepEqual(urlsIn(har.path), ['https://a.example/1']);
  har.add(exchange('https://a.example/2'));
  await har.close();
  t.deepEqual(urlsIn(har.path), ['https://a.example/1', 'https://a.example/2']);
  t.is(statSync(har.path).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(dir), ['tlswitness-session-2026-12-06T12-00-00-000Z.har']);
});

test('while exchanges come in, the file is rewritten on its own after the interval', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-har-'));
  const har = new SessionHar(dir, new Date(), (message) => t.fail(message), { intervalMs: 50, costFactor: 20 });
  const written = new Promise<void>((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (!name?.endsWith('.har')) return;
      watcher.close();
      resolve();
    });
  });
  har.add(exchange('https://a.example/1'));
  await written;
  t.deepEqual(urlsIn(har.path), ['https://a.example/1']);
  await har.close();
});

test('flushSync writes at once, for a process about to exit', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-har-'));
  const har = new SessionHar(dir, new Date(), (message) => t.fail(message), { intervalMs: 60_000, costFactor: 20 });
  har.add(exchange('https://a.example/1'));
  t.is(har.flushSync(), har.path);
  t.deepEqual(urlsIn(har.path), ['https://a.example/1']);
  t.deepEqual(
    readdirSync(dir).filter((name) => name.endsWith('.tmp')),
    [],
  );
});

test('a directory it cannot write: null, reported once, not thrown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-har-'));
  const errors: string[] = [];
  const har = new SessionHar(join(dir, 'missing'), new Date(), (message) => errors.push(message), {
    intervalMs: 60_000,
    costFactor: 20,
  });
  har.add(exchange('https://a.example/1'));
  t.is(await har.flush(), null);
  t.is(har.flushSync(), null);
  t.is(await har.close(), null);
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^could not write the HAR .*missing\/tlswitness-session-.*\.har \(ENOENT\)$/);
});
