// The real binary's terminal UI in a real terminal (tmux): traffic through the proxy to fixture
// servers shows up as rows with verdict words; `/` filters, Enter opens the details, `q` exits 0
// with the terminal restored; blessed's Setulc terminfo error never reaches the screen.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CLI, cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fetchViaProxy, startHttpsOrigin, type Origin } from '../helpers/proxy.js';

const run = promisify(execFile);
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

let fixtures: Fixtures;
const origins: Origin[] = [];
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => {
  await Promise.all(origins.map((origin) => origin.close()));
  await fixtures?.close();
});

/**
 * xterm-256color as blessed 0.1.81 trips on it: with Setulc (newer ncurses has it) in the legacy
 * terminfo format. ncurses 6.1+ writes entries whose numbers exceed 32767 (pairs#0x10000) in a
 * newer format that blessed cannot parse at all (it then falls back silently), so the colour-pair
 * count is lowered to keep the legacy format and reach blessed's Setulc compile error.
 */
async function setulcTerminfo(dir: string): Promise<string> {
  const source = (await run('infocmp', ['-x', 'xterm-256color'])).stdout;
  let patched = source.replace(/pairs#(0x10000|65536)/, 'pairs#0x7fff');
  if (!/\bSetulc=/.test(patched))
    patched = patched.replace(
      /^(xterm-256color\|.*\n)/m,
      '$1\tSetulc=\\E[58\\:2\\:\\:%p1%{65536}%/%d\\:%p1%{256}%/%{255}%&%d\\:%p1%{255}%&%d%;m,\n',
    );
  const file = join(dir, 'xterm-256color.src');
  writeFileSync(file, patched);
  const terminfo = join(dir, 'terminfo');
  await run('tic', ['-x', '-o', terminfo, file]);
  return terminfo;
}

test('tlswitness in tmux: verdict rows, / filter, details, q exits 0 and restores the terminal', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-tui-'));
  const terminfo = await setulcTerminfo(dir);
  // The trap is live: this entry makes blessed print its Setulc error (what the TUI must hide).
  const blessed = createRequire(import.meta.url)('blessed') as { tput(options: object): unknown };
  const printed: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => printed.push(args.join(' '));
  try {
    blessed.tput({ terminal: 'xterm-256color', extended: true, terminfoPrefix: terminfo });
  } finally {
    console.error = consoleError;
  }
  t.regex(printed.join('\n'), /Error on %s: xterm-256color\.Setulc/);

  const valid = fixtures.pki.scenarios.valid!;
  const expired = fixtures.pki.scenarios.expired!;
  const selfSigned = fixtures.pki.scenarios.selfSigned!;
  const validOrigin = await startHttpsOrigin(valid);
  const expiredOrigin = await startHttpsOrigin(expired);
  const selfSignedOrigin = await startHttpsOrigin(selfSigned);
  origins.push(validOrigin, expiredOrigin, selfSignedOrigin);
  let screenshot = '';
  const certsDir = join(dir, 'certs');
  const log = join(dir, 'events.ndjson');
  const evidenceDir = join(dir, 'evidence');
  // No locale, so blessed draws ASCII (^v, ~); the screenshots in the docs are taken with a UTF-8 one, as a user's terminal has.
  const env = {
    ...cleanEnv(),
    TERM: 'xterm-256color',
    TERMINFO: terminfo,
    ...(process.env.TLSWITNESS_SCREENSHOT ? { LANG: 'C.UTF-8' } : {}),
  };
  const args = [
    CLI,
    // Its own port, read from the header: a released one given to it could be bound meanwhile by a test
    // running beside this one.
    '--port',
    '0',
    '--certs-dir',
    certsDir,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--log',
    log,
    '--evidence-dir',
    evidenceDir,
    '--resolve',
    `${valid.host}:${validOrigin.port}:127.0.0.1`,
    '--resolve',
    `${expired.host}:${expiredOrigin.port}:127.0.0.1`,
    '--resolve',
    `${selfSigned.host}:${selfSignedOrigin.port}:127.0.0.1`,
  ];
  const pidFile = join(dir, 'pid');
  const rcFile = join(dir, 'rc');
  // The inner sh records its pid and becomes node (exec), keeping the terminal; the outer one writes
  // the exit code, then stays so the pane shows the normal screen the TUI left behind.
  const script = join(dir, 'run.sh');
  writeFileSync(
    script,
    [
      `sh -c 'echo $$ > "$0"; exec "$@"' ${quote(pidFile)} env -i ${Object.entries(env)
        .map(([k, v]) => quote(`${k}=${v}`))
        .join(' ')} ${quote(process.execPath)} ${args.map(quote).join(' ')}`,
      `echo $? > ${quote(rcFile)}`,
      'sleep 60',
      '',
    ].join('\n'),
  );

  const socket = `tlswitness-test-${process.pid}`;
  const tmux = (...rest: string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...rest]);
  const screens: string[] = [];
  const capture = async () => {
    const screen = (await tmux('capture-pane', '-p', '-t', 'tui')).stdout;
    screens.push(screen);
    return screen;
  };
  const waitFor = async (what: string, ok: (screen: string) => boolean, timeoutMs = 15_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await capture();
      if (ok(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
  };
  const rowOf = (screen: string, host: string) =>
    screen.split('\n').find((row) => row.includes(`${host}:`) && !row.includes('HTTPS_PROXY')) ?? null;

  try {
    await tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '30', `sh ${quote(script)}`);
    const header = /export HTTPS_PROXY=http:\/\/127\.0\.0\.1:(\d+) HTTP_PROXY=http:\/\/127\.0\.0\.1:\1\b/;
    const start = await waitFor('the header', (s) => header.test(s));
    const port = Number(header.exec(start)![1]);
    t.regex(start, /waiting for traffic/);

    const ca = readFileSync(join(certsDir, 'ca', 'certs', 'ca.pem'), 'utf8');
    t.is((await fetchViaProxy(port, `https://${valid.host}:${validOrigin.port}/ok`, ca)).status, 200);
    t.is((await fetchViaProxy(port, `https://${expired.host}:${expiredOrigin.port}/old`, ca)).status, 502);
    const rows = await waitFor(
      'both rows',
      (s) =>
        /\bOK\b/.test(rowOf(s, valid.host!) ?? '') &&
        /\bEXPIRED\b/.test(rowOf(s, expired.host!) ?? '') &&
        / requests 2 /.test(s),
    );
    t.regex(rows, /hosts 2 +problems 1 +intercepted 0 +handshakes 2 +requests 2/);
    t.regex(rowOf(rows, expired.host!)!, /EXPIRED +1\.3 +Fixture Public CA 1 +1 /);

    await tmux('send-keys', '-t', 'tui', '-l', '/expired');
    await waitFor('the filter being typed', (s) => s.includes('/expired') && rowOf(s, valid.host!) === null);
    await tmux('send-keys', '-t', 'tui', 'Enter');
    const filtered = await waitFor('the filter kept', (s) => s.includes('filter "expired": 1 of 2 hosts'));
    t.is(rowOf(filtered, valid.host!), null, 'the filter hides the valid host');
    t.regex(rowOf(filtered, expired.host!)!, /^> /, 'the remaining row is selected');

    await tmux('send-keys', '-t', 'tui', 'Enter');
    const details = await waitFor('the details', (s) => s.includes('-- details'));
    t.regex(details, /expired\.example\.com:\d+ +EXPIRED +\(fault: server, confidence: high\)/);
    t.regex(details, /Action: the admin of expired\.example\.com must renew the certificate/);
    t.regex(details, / 0 s: CN=expired\.example\.com/);
    t.regex(details, /EXPIRED \d+ days ago/);

    await tmux('send-keys', '-t', 'tui', 'Escape');
    await waitFor('the details closed', (s) => !s.includes('-- details'));
    await tmux('send-keys', '-t', 'tui', 'Escape');
    await waitFor('the filter cleared', (s) => rowOf(s, valid.host!) !== null);
    await tmux('send-keys', '-t', 'tui', 'p');
    await waitFor('problems only', (s) => s.includes('problems only: 1 of 2 hosts') && rowOf(s, valid.host!) === null);
    // `e` on the selected (expired) host: a second bundle next to the one --evidence-dir wrote by itself.
    await tmux('send-keys', '-t', 'tui', 'e');
    const joined = (screen: string) =>
      screen
        .split('\n')
        .map((row) => row.trim())
        .join('');
    const secondBundle = join(evidenceDir, `${expired.host}_${expiredOrigin.port}-2`);
    await waitFor('the evidence written', (s) => joined(s).includes(secondBundle));

    // 80x24, the size docs/terminal-ui.md promises: a longer host name, every key hint whole, the bundle's path whole.
    t.is((await fetchViaProxy(port, `https://${selfSigned.host}:${selfSignedOrigin.port}/`, ca)).status, 502);
    await tmux('resize-window', '-t', 'tui', '-x', '80', '-y', '24');
    const selfSignedBundle = join(evidenceDir, `${selfSigned.host}_${selfSignedOrigin.port}`);
    const small = await waitFor(
      '80x24 with the self-signed row and its bundle',
      (s) => s.split('\n').length >= 24 && rowOf(s, selfSigned.host!) !== null && joined(s).includes(selfSignedBundle),
    );
    const smallRows = small.split('\n');
    for (const row of smallRows) t.true(row.length <= 80, `within 80 columns: ${row}`);
    t.regex(
      rowOf(small, selfSigned.host!)!,
      new RegExp(` ${selfSigned.host!.replace(/\./g, '\\.')}:${selfSignedOrigin.port} +SELF-SIGNED `),
      'the host name is whole',
    );
    t.regex(
      rowOf(small, expired.host!)!,
      new RegExp(` ${expired.host!.replace(/\./g, '\\.')}:${expiredOrigin.port} +EXPIRED `),
    );
    t.regex(smallRows[23]!, /problems only: 2 of 3 hosts +\/ edit +p all hosts +Esc clear +\? help +q quit *$/);
    await tmux('send-keys', '-t', 'tui', 'p');
    const all = await waitFor('all hosts again', (s) => rowOf(s, valid.host!) !== null);
    const keys = all.split('\n')[23]!;
    t.regex(
      keys,
      /^(↑↓|\^v) select +Enter details +\/ filter +p problems +e evidence +\? help +q quit *$/,
      'every key hint whole',
    );
    t.notRegex(keys, /…|~/);
    screenshot = all;

    await tmux('send-keys', '-t', 'tui', 'q');
    const deadline = Date.now() + 10_000;
    while (!existsSync(rcFile) && Date.now() < deadline) await sleep(50);
    t.is(readFileSync(rcFile, 'utf8').trim(), '0', 'q exits 0');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the process is gone');
    const after = await capture();
    // Once the screen is gone, the proxy says where the session's HAR went (--evidence-dir); nothing else.
    t.regex(after, /Wrote the session's HAR to /);
    t.notRegex(
      after.replace(/Wrote the session's HAR to [^]*?\.har\s*/, ''),
      /tlswitness|HOST:PORT/,
      'the normal screen is back, with nothing written behind the TUI',
    );
    for (const screen of screens) t.notRegex(screen, /Setulc|Error on|Terminfo/);
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; target?: { host: string } });
    t.deepEqual(
      events
        .filter((e) => e.type === 'handshake')
        .map((e) => e.target!.host)
        .sort(),
      [expired.host, selfSigned.host, valid.host],
      'the log was flushed',
    );
    const bundles = readdirSync(evidenceDir).sort();
    t.deepEqual(bundles.slice(0, 3), [
      `${expired.host}_${expiredOrigin.port}`,
      `${expired.host}_${expiredOrigin.port}-2`,
      `${selfSigned.host}_${selfSignedOrigin.port}`,
    ]);
    t.regex(bundles[3] ?? '', /^tlswitness-session-.*\.har$/);
    t.true(existsSync(join(evidenceDir, bundles[1]!, 'served-chain.pem')));
  } finally {
    await tmux('kill-server').catch(() => undefined);
    // docs/terminal-ui.md's 80x24 screenshot comes from here: TLSWITNESS_SCREENSHOT=file npx ava test/tui/screen.test.ts
    if (process.env.TLSWITNESS_SCREENSHOT && screenshot) writeFileSync(process.env.TLSWITNESS_SCREENSHOT, screenshot);
  }
});
