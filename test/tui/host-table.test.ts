// The TUI's state on real records: one row per host:port, verdict words, order, caps, clear, filter.
import test from 'ava';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { observeScenarios } from '../helpers/records.js';
import type { RequestEvent, ClientTlsErrorEvent } from '../../src/events.js';
import { filterRows, HostTable, splitRequestUrl } from '../../src/tui/host-table.js';
import { verdictOf } from '../../src/tui/verdict.js';
import { detailLines } from '../../src/tui/details-view.js';
import type { HandshakeRecord } from '../../src/types.js';

let fixtures: Fixtures;
let records: Record<string, HandshakeRecord>;
test.before(async () => {
  fixtures = await makeFixtures();
  records = await observeScenarios(fixtures, ['valid', 'expired', 'incomplete', 'wrongOrder', 'mismatch']);
});
test.after.always(async () => fixtures?.close());

let clock = 0;
const at = () => new Date(Date.UTC(2026, 10, 23, 10, 0, 0) + ++clock * 1000).toISOString();
const handshake = (record: HandshakeRecord, port = 443): HandshakeRecord => ({
  ...record,
  time: at(),
  target: { ...record.target, port },
});
const request = (url: string, status: number | null = 200, blocked?: string): RequestEvent => ({
  type: 'request',
  schemaVersion: '1.0',
  id: 'r',
  handshakeId: null,
  time: at(),
  method: 'GET',
  url,
  status,
  bytes: { response: 5 },
  timing: { totalMs: 3.5 },
  ...(blocked ? { blocked } : {}),
});
const rejection = (host: string, port: number): ClientTlsErrorEvent => ({
  type: 'client-tls-error',
  schemaVersion: '1.0',
  time: at(),
  host,
  port,
  confidence: 'medium',
  reason: 'the app closed the connection during the TLS handshake',
  action: 'trust the CA',
});
const word = (table: HostTable, key: string) => verdictOf(table.get(key)!).word;

test('each record becomes a row with its verdict word, most recent activity first', (t) => {
  const table = new HostTable();
  for (const name of ['valid', 'expired', 'incomplete', 'wrongOrder', 'mismatch', 'unreachable'])
    table.apply(handshake(records[name]!));
  t.deepEqual(
    table.list().map((row) => [row.key, verdictOf(row).word, verdictOf(row).tone]),
    [
      ['127.0.0.1:443', 'UNREACHABLE', 'bad'],
      ['mismatch.example.com:443', 'HOSTNAME MISMATCH', 'bad'],
      ['wrong-order.example.com:443', 'WRONG ORDER', 'warn'],
      ['incomplete.example.com:443', 'INCOMPLETE CHAIN', 'bad'],
      ['expired.example.com:443', 'EXPIRED', 'bad'],
      ['valid.example.com:443', 'OK', 'ok'],
    ],
  );
  table.apply(request('https://valid.example.com:443/again'));
  t.is(table.list()[0]!.key, 'valid.example.com:443', 'a request moves its host to the top');
  t.deepEqual(table.summary(), { hosts: 6, problems: 5, intercepted: 0 });
  t.deepEqual(table.counters, { handshakes: 6, requests: 1, clientRejections: 0, errors: 0 });
});

test('interception wins over the upstream problem; a CA rejection shows until a request gets through', (t) => {
  const table = new HostTable();
  const intercepted = {
    ...handshake(records.incomplete!),
    interception: { detected: true, product: 'Zscaler', reason: 'issued by the Zscaler Root CA', evidence: null },
  };
  table.apply(intercepted);
  t.deepEqual(verdictOf(table.get('incomplete.example.com:443')!), {
    word: 'INTERCEPTED: Zscaler',
    tone: 'intercepted',
    problem: true,
  });
  t.is(table.summary().intercepted, 1);

  table.apply(handshake(records.valid!));
  table.apply(rejection('valid.example.com', 443));
  t.is(word(table, 'valid.example.com:443'), 'CLIENT REJECTED CA');
  t.is(table.get('valid.example.com:443')!.rejections, 1);
  table.apply(request('https://valid.example.com:443/', 502, 'expired'));
  t.is(
    word(table, 'valid.example.com:443'),
    'CLIENT REJECTED CA',
    'a blocked answer is not the app trusting the proxy',
  );
  table.apply(request('https://valid.example.com:443/'));
  t.is(word(table, 'valid.example.com:443'), 'OK');
  t.is(table.counters.clientRejections, 1);
});

test('requests land on their host:port: default ports, IPv6, userinfo dropped, plain HTTP', (t) => {
  t.deepEqual(splitRequestUrl('https://valid.example.com:8443/a?b=REDACTED'), {
    key: 'valid.example.com:8443',
    scheme: 'https',
    path: '/a?b=REDACTED',
  });
  t.deepEqual(splitRequestUrl('https://Valid.Example.com/'), {
    key: 'valid.example.com:443',
    scheme: 'https',
    path: '/',
  });
  t.deepEqual(splitRequestUrl('http://user:p@ss@[::1]:8080'), { key: '[::1]:8080', scheme: 'http', path: '/' });
  t.deepEqual(splitRequestUrl('ws://example.com/socket'), { key: 'example.com:80', scheme: 'http', path: '/socket' });
  t.is(splitRequestUrl('not a url'), null);
  t.is(splitRequestUrl('gopher://example.com/'), null, 'no default port to guess');

  const table = new HostTable();
  table.apply(request('http://plain.example.com/index.html', 200));
  const row = table.get('plain.example.com:80')!;
  t.is(verdictOf(row).word, 'PLAIN HTTP');
  t.false(verdictOf(row).problem);
  t.deepEqual(
    row.requests.map((r) => [r.method, r.path, r.status, r.ms]),
    [['GET', '/index.html', 200, 3.5]],
  );
});

test('an HTTP/2 exchange is marked h2 in its row and in the detail view', (t) => {
  const table = new HostTable();
  table.apply({ ...request('https://grpc.example.com/pkg.S/M', 200), httpVersion: '2', streamId: 3 });
  table.apply({ ...request('https://grpc.example.com/old', 200), httpVersion: '1.1' });
  const row = table.get('grpc.example.com:443')!;
  t.deepEqual(
    row.requests.map((r) => r.httpVersion),
    ['2', undefined],
  );
  const text = detailLines(row, 100, new Date())
    .map((l) => l.segments.map((part) => part.text).join(''))
    .filter((l) => l.includes(' ms'));
  t.true(text.some((l) => l.includes('/pkg.S/M') && l.endsWith('ms h2')));
  t.true(text.some((l) => l.includes('/old') && l.endsWith(' ms')));
});

test('bounded: the oldest rows and requests are dropped, counts keep going', (t) => {
  const table = new HostTable({ maxRows: 3, maxRequestsPerRow: 2 });
  for (let port = 1; port <= 5; port++) table.apply(handshake(records.valid!, port));
  t.deepEqual(
    table.list().map((row) => row.key),
    ['valid.example.com:5', 'valid.example.com:4', 'valid.example.com:3'],
  );
  t.is(table.dropped, 2);
  for (let i = 0; i < 5; i++) table.apply(request(`https://valid.example.com:5/${i}`));
  const row = table.get('valid.example.com:5')!;
  t.is(row.requestCount, 5);
  t.deepEqual(
    row.requests.map((r) => r.path),
    ['/3', '/4'],
  );
});

test('clear forgets rows and counters but a host that comes back keeps its verdict', (t) => {
  const table = new HostTable();
  table.apply(handshake(records.expired!));
  table.apply({ type: 'error', schemaVersion: '1.0', time: at(), code: 'PROXY_ERROR', message: 'y' });
  const before = table.version;
  table.clear();
  t.true(table.version > before);
  t.is(table.size, 0);
  t.deepEqual(table.counters, { handshakes: 0, requests: 0, clientRejections: 0, errors: 0 });
  // The proxy records a host again only after its TTL: the next request must not show it unjudged.
  table.apply(request('https://expired.example.com/', 502, 'expired'));
  t.is(word(table, 'expired.example.com:443'), 'EXPIRED');
});

test('filter: any case, over host, verdict, issuer and TLS version; problems only', (t) => {
  const table = new HostTable();
  for (const name of ['valid', 'expired', 'wrongOrder']) table.apply(handshake(records[name]!));
  table.apply(request('http://plain.example.com/'));
  const keys = (text: string, problems = false) => filterRows(table.list(), text, problems).map((row) => row.key);
  t.deepEqual(keys('EXP'), ['expired.example.com:443']);
  t.deepEqual(keys('wrong order'), ['wrong-order.example.com:443'], 'the verdict word');
  t.deepEqual(keys('issuing ca 2'), ['wrong-order.example.com:443'], 'the issuer');
  t.is(keys('tlsv1.3').length, 3);
  t.deepEqual(keys('', true), ['wrong-order.example.com:443', 'expired.example.com:443']);
  t.deepEqual(keys('valid', true), []);
  t.is(keys('  ').length, 4, 'blank matches all');
});
