// The bus's last check: request URLs and error messages reach every subscriber (NDJSON, --log, lines,
// the TUI) redacted, whatever the publisher passed.
import test from 'ava';
import { EventBus, type ProxyEvent } from '../../src/events.js';
import { redactEvent } from '../../src/redact/event.js';
import { EventLog } from '../../src/tui/event-log.js';
import { HostTable } from '../../src/tui/host-table.js';

const request: ProxyEvent = {
  type: 'request',
  schemaVersion: '1.0',
  id: 'r-1',
  handshakeId: null,
  time: '2026-11-23T10:00:00.000Z',
  method: 'GET',
  url: 'https://u:s1@h.example:443/p?token=s2&page=2',
  status: 200,
  bytes: { response: 1 },
  timing: { totalMs: 1 },
};
const error: ProxyEvent = {
  type: 'error',
  schemaVersion: '1.0',
  time: '2026-11-23T10:00:00.000Z',
  code: 'BAD_REQUEST',
  message: 'refused GET https://h.example/?access_token=s3: only http:// is forwarded',
};

test('redactEvent: the URL and the message, nothing else; unchanged events are the same object', (t) => {
  t.is((redactEvent(request) as { url: string }).url, 'https://***@h.example:443/p?token=REDACTED&page=2');
  t.is(
    (redactEvent(error) as { message: string }).message,
    'refused GET https://h.example/?access_token=REDACTED: only http:// is forwarded',
  );
  const clean: ProxyEvent = { ...request, url: 'https://h.example/' };
  t.is(redactEvent(clean), clean);
});

test("every subscriber, the TUI's host table among them, sees only redacted values", (t) => {
  const bus = new EventBus();
  const seen: string[] = [];
  const table = new HostTable();
  bus.subscribe((event) => seen.push(JSON.stringify(event)));
  bus.subscribe((event) => table.apply(event));
  bus.publish(request);
  bus.publish(error);
  const all = `${seen.join('\n')}\n${JSON.stringify(table.list())}`;
  for (const secret of ['s1', 's2', 's3']) t.false(new RegExp(`\\b${secret}\\b`).test(all), secret);
  t.true(all.includes('token=REDACTED'));
});

test("the TUI's event log redacts what libraries print behind the bus's back", (t) => {
  const log = new EventLog();
  log.add('error', 'HTTP_CLIENT_ERROR GET http://h.example/?token=s4 failed', '2026-11-23T10:00:00.000Z');
  t.is(log.last(1)[0]!.text, 'HTTP_CLIENT_ERROR GET http://h.example/?token=REDACTED failed');
});

test("the TUI's event log shows an event as the bus delivered it, not redacted a second time", (t) => {
  const log = new EventLog();
  // Free-text redaction cuts a URL up to its last '@': a second pass would take `/@scope/` paths apart.
  const message = 'fetching https://registry.example/@scope/pkg failed';
  log.addEvent({ ...error, message } as ProxyEvent);
  t.is(log.last(1)[0]!.text, `BAD_REQUEST: ${message}`);
});
