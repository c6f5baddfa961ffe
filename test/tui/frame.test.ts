// Whole screens from real records at the sizes people use (80x24, 100x30) and a tiny one.
import test from 'ava';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { observeScenarios } from '../helpers/records.js';
import { EventLog } from '../../src/tui/event-log.js';
import { renderFrame, type FrameInput } from '../../src/tui/frame.js';
import { HostTable } from '../../src/tui/host-table.js';
import { plain, toTags } from '../../src/tui/text.js';
import { INITIAL_UI, type UiState } from '../../src/tui/ui-state.js';
import type { HandshakeRecord } from '../../src/types.js';

let fixtures: Fixtures;
let records: Record<string, HandshakeRecord>;
test.before(async () => {
  fixtures = await makeFixtures();
  records = await observeScenarios(fixtures, ['valid', 'expired']);
});
test.after.always(async () => fixtures?.close());

const NOW = new Date('2026-11-23T10:00:10.000Z');
const info = {
  address: 'http://127.0.0.1:8080',
  mode: 'mitm',
  certsDir: '~/.config/tlswitness',
  caPath: '/home/me/.config/tlswitness/ca/certs/ca.pem',
};

function setup(): { table: HostTable; log: EventLog } {
  const table = new HostTable();
  table.apply({ ...records.valid!, time: '2026-11-23T10:00:00.000Z', target: { ...records.valid!.target, port: 443 } });
  table.apply({
    ...records.expired!,
    time: '2026-11-23T10:00:05.000Z',
    target: { ...records.expired!.target, port: 443 },
  });
  table.apply({
    type: 'request',
    schemaVersion: '1.0',
    id: 'r-1',
    handshakeId: null,
    time: '2026-11-23T10:00:06.000Z',
    method: 'GET',
    url: 'https://expired.example.com:443/api/v1?key=REDACTED',
    status: 502,
    bytes: { response: 900 },
    timing: { totalMs: 4.2 },
    blocked: 'expired',
  });
  return { table, log: new EventLog() };
}

function frame(overrides: Omit<Partial<FrameInput>, 'ui'> & { ui?: Partial<UiState> } = {}) {
  const { table, log } = setup();
  const input: FrameInput = {
    info,
    table,
    log,
    width: 80,
    height: 24,
    now: NOW,
    offset: 0,
    evidence: false,
    ...overrides,
    ui: { ...INITIAL_UI, ...overrides.ui },
  };
  const result = renderFrame(input);
  return { ...result, text: result.lines.map(plain) };
}

test('80x24: exactly the screen, the lines to copy, counters, rows with verdict words, the key line', (t) => {
  const { text, visible, selected } = frame();
  t.is(text.length, 24);
  for (const row of text) t.is(row.length, 80);
  t.regex(text[0]!, /^ tlswitness +http:\/\/127\.0\.0\.1:8080 +mode mitm +certs ~\/\.config\/tlswitness +$/);
  t.is(text[1]!.trimEnd(), 'export HTTPS_PROXY=http://127.0.0.1:8080 HTTP_PROXY=http://127.0.0.1:8080');
  t.regex(text[2]!, /^trust the CA: eval "\$\(tlswitness ca env --proxy http:\/\/127\.0\.0\.1:8080\)"/);
  t.regex(text[3]!, /hosts 2 +problems 1 +intercepted 0 +handshakes 2 +requests 1 +CA rejected 0/);
  t.regex(text[4]!, /HOST:PORT +VERDICT +TLS ISSUER +REQS +SEEN/);
  t.regex(text[5]!, /^> expired\.example\.com:443 +EXPIRED +1\.3 Fixture Public C… +1 +4s ago$/);
  t.regex(text[6]!, /^  valid\.example\.com:443 +OK +1\.3 Fixture Public C… +0 +10s ago$/);
  t.deepEqual(visible, ['expired.example.com:443', 'valid.example.com:443']);
  t.is(selected, 'expired.example.com:443');
  t.regex(text[23]!, /select +Enter details +\/ filter +p problems +c clear +\? help +q quit/);
  t.notRegex(text[23]!, /evidence/);
  t.regex(frame({ evidence: true }).text[23]!, /e evidence/);
});

test('details: diagnosis and action, each store, the chain as sent with days left and SHA-256, the requests', (t) => {
  const { text } = frame({ width: 100, height: 40, ui: { details: true, selected: 'expired.example.com:443' } });
  const joined = text.map((row) => row.trimEnd()).join('\n');
  t.regex(
    joined,
    /^> expired\.example\.com:443 .*\n  valid\.example\.com:443 .*\n-- details; Enter closes/m,
    'the table shrinks to its rows',
  );
  t.regex(joined, /expired\.example\.com:443 +EXPIRED +\(fault: server, confidence: high\)/);
  t.regex(joined, /Action: the admin of expired\.example\.com must renew/);
  t.regex(joined, /Trust: public CERT_HAS_EXPIRED \| system not-configured \| extra not-configured/);
  t.regex(joined, /Interception: none seen/);
  t.regex(joined, /Chain as sent \(2\):\n 0 s: CN=expired\.example\.com\n {3}i: CN=Fixture Public CA 1/);
  t.regex(joined, /valid: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(EXPIRED \d+ days ago\)/);
  t.regex(joined, /SAN: DNS:expired\.example\.com/);
  t.regex(joined, /SHA-256: [0-9A-F]{2}(:[0-9A-F]{2})+/);
  t.regex(
    joined,
    /Requests \(1\), newest first:\n 10:00:06 GET +\/api\/v1\?key=REDACTED 502 BLOCKED \(expired\) 4\.2 ms/,
  );
  const small = frame({ ui: { details: true, selected: 'expired.example.com:443' } });
  t.is(small.text.length, 24);
  t.regex(
    small.text.join('\n'),
    /-- details 1-\d+ of \d+, PgUp\/PgDn scroll; Enter closes/,
    'at 80x24 the pane scrolls',
  );
  const scrolled = frame({ ui: { details: true, selected: 'expired.example.com:443', detailsScroll: 1000 } });
  t.true(scrolled.detailsScroll > 0 && scrolled.detailsScroll < 1000, 'scrolling stops at the end');
  t.regex(scrolled.text.join('\n'), /Requests \(1\)/);
});

test('the table scrolls to keep the selection in view; a filter that hides everything says so', (t) => {
  const { table, log } = setup();
  for (let port = 1; port <= 100; port++)
    table.apply({ ...records.valid!, target: { ...records.valid!.target, port } });
  const input: FrameInput = {
    info,
    table,
    log,
    width: 80,
    height: 24,
    now: NOW,
    offset: 0,
    evidence: false,
    ui: { ...INITIAL_UI, selected: 'valid.example.com:50' },
  };
  const first = renderFrame(input);
  t.true(first.lines.map(plain).some((row) => row.startsWith('> valid.example.com:50 ')));
  const up = renderFrame({ ...input, offset: first.offset, ui: { ...input.ui, selected: 'valid.example.com:51' } });
  t.is(up.offset, first.offset, 'a row already in view does not scroll the table');
  const none = frame({ ui: { filter: 'zzz' } }).text;
  t.true(none.some((row) => row.includes('no host matches "zzz" (Esc clears the filter)')));
  t.false(
    none.some((row) => row.includes('p shows all')),
    '`p` would turn problems-only on, not show all',
  );
  const noneProblems = frame({ ui: { filter: 'valid', problemsOnly: true } }).text;
  t.true(
    noneProblems.some((row) =>
      row.includes('no problem host matches "valid" (Esc clears the filter, p shows all hosts)'),
    ),
  );
  t.regex(none[23]!, /filter "zzz": 0 of 2 hosts/);
  const typing = frame({ ui: { editing: 'exp' } }).text;
  t.regex(typing[23]!, /^\/exp█ +Enter keeps the filter, Esc cancels/);
  t.deepEqual(frame({ ui: { editing: 'exp' } }).visible, ['expired.example.com:443'], 'typed text filters live');
});

test('help, the event log, and a tiny terminal', (t) => {
  const help = frame({ ui: { help: true } }).text.join('\n');
  t.regex(help, /Keys +\n +↑\/↓ j\/k +select a host/);
  t.notRegex(help, / e +write an evidence bundle/);
  t.regex(help, /PLAIN HTTP: no TLS to judge\./, 'the whole help fits at 80x24');
  t.regex(frame({ height: 40, ui: { help: true }, evidence: true }).text.join('\n'), / e +write an evidence bundle/);

  const { table, log } = setup();
  log.addEvent({
    type: 'error',
    schemaVersion: '1.0',
    time: '2026-11-23T10:00:07.000Z',
    code: 'TUNNEL_FAILED',
    message: 'tunnel to x:443: ECONNRESET',
  });
  log.addEvent({
    type: 'error',
    schemaVersion: '1.0',
    time: '2026-11-23T10:00:08.000Z',
    code: 'TUNNEL_FAILED',
    message: 'tunnel to x:443: ECONNRESET',
  });
  log.add('note', 'a note', '2026-11-23T10:00:09.000Z');
  const text = renderFrame({
    info,
    table,
    log,
    width: 80,
    height: 24,
    now: NOW,
    offset: 0,
    evidence: false,
    ui: INITIAL_UI,
  }).lines.map(plain);
  t.regex(text[21]!, /^10:00:08 TUNNEL_FAILED: tunnel to x:443: ECONNRESET \(x2\)/);
  t.regex(text[22]!, /^10:00:09 a note/);

  const tiny = renderFrame({
    info,
    table,
    log,
    width: 40,
    height: 10,
    now: NOW,
    offset: 0,
    evidence: false,
    ui: { ...INITIAL_UI, details: true },
  }).lines.map(plain);
  t.is(tiny.length, 10);
  for (const row of tiny) t.is(row.length, 40);
  t.regex(tiny.join('\n'), /EXPIRED/);
});

const KEY_HINT =
  /(↑↓ select|Enter details|\/ filter|\/ edit|p problems|p all hosts|c clear|e evidence|Esc clear|\? help|q quit)/g;

/** The key line's hints, each checked whole: what remains after taking them out is only spaces and the status. */
function hintsOf(keyLine: string): string[] {
  return keyLine.match(KEY_HINT) ?? [];
}

test('80x24: every key hint is whole, host names fit, the evidence path in the log is whole', (t) => {
  const withEvidence = frame({ evidence: true }).text[23]!;
  t.notRegex(withEvidence, /…/, 'nothing on the key line is cut');
  t.regex(withEvidence, /\? help  q quit *$/);
  t.deepEqual(
    hintsOf(withEvidence),
    ['↑↓ select', 'Enter details', '/ filter', 'p problems', 'e evidence', '? help', 'q quit'],
    '`c clear` (in help) makes room',
  );
  t.is(withEvidence.replace(KEY_HINT, '').trim(), '');
  const plainKeys = frame().text[23]!;
  t.deepEqual(hintsOf(plainKeys), [
    '↑↓ select',
    'Enter details',
    '/ filter',
    'p problems',
    'c clear',
    '? help',
    'q quit',
  ]);

  const longFilter = frame({ ui: { filter: 'a-very-long-filter-that-someone-typed-into-the-box', problemsOnly: true } })
    .text[23]!;
  t.regex(longFilter, /p all hosts  Esc clear  \? help  q quit *$/, 'a long filter is cut, the hints are not');
  t.regex(longFilter, /^filter "a-very-long/);
  const longTyping = frame({ ui: { editing: 'a-very-long-filter-that-someone-is-typing-into-the-box-right-now' } })
    .text[23]!;
  t.regex(
    longTyping,
    /^\/….*-right-now█ +Enter keeps the filter, Esc cancels$/,
    'the end of the typing and the whole hint',
  );
  t.regex(
    frame().text[2]!,
    /^trust the CA: eval "\$\(tlswitness ca env --proxy http:\/\/127\.0\.0\.1:8080\)" *$/,
    'the curl alternative does not fit whole at 80: left out, not cut',
  );
  t.regex(frame({ width: 140 }).text[2]!, /  or  curl --cacert \/home\/me\/\.config\/tlswitness\/ca\/certs\/ca\.pem/);

  const { table, log } = setup();
  table.apply({
    ...records.valid!,
    time: '2026-11-23T10:00:09.000Z',
    target: { ...records.valid!.target, host: 'selfsigned.example.com', port: 443 },
  });
  table.apply({
    ...records.valid!,
    time: '2026-11-23T10:00:09.000Z',
    target: { ...records.valid!.target, host: 'incomplete-chain.example.com', port: 8443 },
  });
  const path = '/home/someone/src/tlswitness/tlswitness-evidence/incomplete-chain.example.com_8443';
  log.addEvent({
    type: 'evidence',
    schemaVersion: '1.0',
    time: '2026-11-23T10:00:09.000Z',
    host: 'incomplete-chain.example.com',
    port: 8443,
    problem: 'incomplete-chain',
    path,
  });
  const text = renderFrame({
    info,
    table,
    log,
    width: 80,
    height: 24,
    now: NOW,
    offset: 0,
    evidence: true,
    ui: INITIAL_UI,
  }).lines.map(plain);
  for (const row of text) t.is(row.length, 80);
  t.true(
    text.some((row) => / selfsigned\.example\.com:443 +OK /.test(row)),
    'a 26-character host:port is whole',
  );
  t.true(
    text.some((row) => / incomplete-chain\.example\.com:8443 +OK +1\.3 Fixture/.test(row)),
    'a 33-character one too, the issuer gives way',
  );
  const logText = text
    .slice(21, 23)
    .map((row) => row.trim())
    .join('');
  t.true(logText.includes(path), `the path is whole across the wrapped log lines:\n${text.slice(21, 23).join('\n')}`);
});

test('names, summaries and URLs with terminal controls are drawn escaped, and rows keep their width', (t) => {
  const hostile = '\x1b]0;pwned\x07\x1b[2J\u009b31m\u202etxt.exe';
  const record = records.expired!;
  const table = new HostTable();
  table.apply({
    ...record,
    time: '2026-11-23T10:00:05.000Z',
    target: { ...record.target, host: `evil${hostile}.test`, port: 443 },
    chain: record.chain.map((entry) => ({
      ...entry,
      subject: `CN=${hostile}`,
      issuer: `CN=Issuer ${hostile}`,
      san: [`DNS:${hostile}`],
    })),
    diagnosis: { ...record.diagnosis, summary: `the certificate "${hostile}" expired`, action: `renew ${hostile}` },
  });
  table.apply({
    type: 'request',
    schemaVersion: '1.0',
    id: 'r-1',
    handshakeId: null,
    time: '2026-11-23T10:00:06.000Z',
    method: 'GET',
    url: `https://evil.test/${hostile}`,
    status: 502,
    bytes: { response: 900 },
    timing: { totalMs: 4.2 },
  });
  for (const ui of [{}, { details: true, selected: `evil${hostile}.test:443` }]) {
    const result = renderFrame({
      info,
      table,
      log: new EventLog(),
      width: 100,
      height: 40,
      now: NOW,
      offset: 0,
      evidence: false,
      ui: { ...INITIAL_UI, ...ui },
    });
    const tags = result.lines.map(toTags).join('\n');
    t.notRegex(
      tags,
      /[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]/,
      'no raw control reaches blessed',
    );
    for (const row of result.lines.map(plain)) t.is(row.length, 100);
    t.true(tags.includes('\\x1b]0;pwned'), 'the hostile text is shown, escaped');
  }
});
