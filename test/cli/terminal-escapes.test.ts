// Terminal controls from the network never reach a terminal raw: a server whose certificates carry
// OSC "set title", "clear screen", the 8-bit CSI and a bidi override in the subject, issuer, SAN and
// AIA URL, a response header and a URL with the same; through every text output of the built CLI,
// its --json, the proxy's --no-tui lines, --log, HAR and evidence bundles. JSON keeps the exact data.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyEvent } from '../../src/events.js';
import { eventLine } from '../../src/report/event-sinks.js';
import { cleanEnv, CLI, runCli } from '../helpers/fixtures.js';
import { HOSTILE_RDN, HOSTILE_TEXT, makeHostilePki, rawControlAt, type HostilePki } from '../helpers/hostile-pki.js';
import { tlsViaProxy } from '../helpers/proxy.js';

let pki: HostilePki;
let dir: string;
let server: Server;
let port: number;
const files = { chain: '', root: '' };

test.before(async () => {
  pki = await makeHostilePki();
  dir = mkdtempSync(join(tmpdir(), 'tlswitness-escapes-'));
  files.chain = join(dir, 'chain.pem');
  files.root = join(dir, 'root.pem');
  writeFileSync(files.chain, pki.leafPem + pki.rootPem);
  writeFileSync(files.root, pki.rootPem);
  server = createServer({ key: pki.keyPem, cert: pki.leafPem + pki.rootPem }, (_req, res) => {
    res.setHeader('x-hostile', 'a\u009b[2Jb\u009d0;title');
    res.setHeader('location', '/next\u009b2J');
    res.end('hi\n');
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
test.after.always(() => {
  server?.closeAllConnections();
  server?.close();
});

const resolveArgs = (...hosts: string[]) => hosts.flatMap((host) => ['--resolve', `${host}:${port}:127.0.0.1`]);

function clean(
  t: { is(actual: unknown, expected: unknown, message?: string): void },
  label: string,
  text: string,
): void {
  t.is(rawControlAt(text), null, `${label} holds a raw terminal control`);
}

/** The escaped form of the names' hostile text, so a test sees it was shown, not dropped. */
const SHOWN = '\\x1b]0\\;pwned\\x07\\x1b[2J\\u009b31m\\u202etxt.exe';

test('inspect, verify, cert, detect and explain: no raw control in text or --json; JSON keeps the exact names', async (t) => {
  const target = `${pki.host}:${port}`;
  const hostileError = `curl: (60) SSL: no alternative certificate subject name matches target host name 'evil\x1b]0;t\x07\u009b\u202e.example.com'`;
  const commands: Record<string, string[]> = {
    inspect: ['inspect', target, ...resolveArgs(pki.host)],
    verify: ['verify', files.chain, '--host', pki.host],
    cert: ['cert', files.chain],
    detect: ['detect', target, ...resolveArgs(pki.host)],
    explain: ['explain', hostileError],
  };
  const env = cleanEnv();
  const runs = await Promise.all(
    Object.entries(commands).flatMap(([name, args]) => [
      runCli(args, env).then((r) => ({ name, r })),
      runCli([...args, '--json'], env).then((r) => ({ name: `${name} --json`, r })),
    ]),
  );
  for (const { name, r } of runs) {
    t.not(r.code, 2, `${name}: ${r.stderr}`);
    clean(t, `${name} stdout`, r.stdout);
    clean(t, `${name} stderr`, r.stderr);
    if (name === 'explain') t.true(r.stdout.includes('evil\\x1b]0;t\\x07\\u009b\\u202e.example.com'), r.stdout);
    else if (!name.endsWith('--json'))
      t.true(r.stdout.includes(SHOWN), `${name} shows the name, escaped:\n${r.stdout}`);
  }
  const json = (name: string) => JSON.parse(runs.find((run) => run.name === name)!.r.stdout);
  t.true(
    json('inspect --json').chain[0].subject.includes(HOSTILE_RDN),
    'the record keeps the subject as the certificate has it',
  );
  t.true(json('cert --json').certificates[1].issuer.includes(HOSTILE_RDN));
  t.true(json('explain --json').host.includes('\u009b\u202e'));
});

test('evidence: the summary and every file of the bundle', async (t) => {
  const out = join(dir, 'bundle');
  const r = await runCli(
    [
      'evidence',
      `${pki.host}:${port}`,
      ...resolveArgs(pki.host),
      '-o',
      out,
      '--sanity-host',
      'none',
      '--no-client-checks',
    ],
    cleanEnv(),
  );
  t.is(r.code, 1, r.stderr);
  clean(t, 'evidence stdout', r.stdout);
  clean(t, 'evidence stderr', r.stderr);
  const written = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) =>
    statSync(join(out, name)).isFile(),
  );
  t.true(
    written.includes('email.txt') && written.includes('report.md') && written.includes('report.json'),
    written.join(', '),
  );
  for (const name of written) clean(t, name, readFileSync(join(out, name), 'utf8'));
  t.true(readFileSync(join(out, 'report.md'), 'utf8').includes(SHOWN));
  t.true(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).target.chain[0].subject.includes(HOSTILE_RDN));
});

test('doctor: values read from a project .env file', async (t) => {
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, '.env'), `REQUESTS_CA_BUNDLE="/nowhere/${HOSTILE_TEXT}.pem"\n`);
  const env = cleanEnv();
  const [text, json] = await Promise.all([
    runCli(['doctor'], env, project),
    runCli(['doctor', '--json'], env, project),
  ]);
  for (const [name, r] of [
    ['doctor', text],
    ['doctor --json', json],
  ] as const) {
    clean(t, `${name} stdout`, r.stdout);
    clean(t, `${name} stderr`, r.stderr);
  }
  t.true(text.stdout.includes('/nowhere/\\x1b]0;pwned\\x07'), text.stdout);
});

// util-linux `script` gives the proxy a terminal, so --no-tui prints its readable lines (NDJSON otherwise).
const scriptTty = /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');
if (!scriptTty)
  console.log(
    'Note: util-linux script is not installed: the proxy test reads NDJSON on stdout, and the lines from eventLine',
  );

interface Running {
  output(): string;
  port: Promise<number>;
  stop(): Promise<void>;
}

/** The built proxy, its stdout a terminal when `script` can make one; stopped with SIGTERM to the proxy itself. */
function startProxy(args: string[], env: NodeJS.ProcessEnv): Running {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // `exec` keeps the shell's PID for node, so the PID printed first is the proxy's.
  const child = scriptTty
    ? spawn('script', ['-qfec', `echo "proxy-pid $$"; exec ${command}`, '/dev/null'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let onOutput = () => undefined as void;
  child.stdout!.on('data', (d: Buffer) => ((output += d.toString('latin1')), onOutput()));
  child.stderr!.on('data', (d: Buffer) => ((output += d.toString('latin1')), onOutput()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const seen = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      onOutput = () => {
        const match = pattern.exec(output);
        if (match) resolve(match);
      };
      onOutput();
      void exited.then(() => reject(new Error(`proxy exited: ${output}`)));
    });
  const listening = seen(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  const pid = scriptTty ? /proxy-pid (\d+)/.exec(output)?.[1] : String(child.pid);
  return {
    output: () => output,
    port: listening.then((m) => Number(m[1])),
    stop: async () => {
      process.kill(Number(pid ?? /proxy-pid (\d+)/.exec(output)![1]), 'SIGTERM');
      await exited;
    },
  };
}

/** One raw HTTP/1.1 exchange inside the proxy's TLS: bytes as given, so a header can carry 0x9B. */
async function rawExchange(proxyPort: number, caPem: string, requestLine: string): Promise<string> {
  const tls = await tlsViaProxy(proxyPort, pki.host, port, { ca: [caPem] });
  return new Promise((resolve, reject) => {
    let answer = '';
    tls.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    tls.on('end', () => resolve(answer));
    tls.on('error', reject);
    tls.write(
      Buffer.from(
        `${requestLine}\r\nHost: ${pki.host}:${port}\r\nx-app: v\x9b1\r\nConnection: close\r\n\r\n`,
        'latin1',
      ),
    );
  });
}

test('proxy: --no-tui lines, --log, the HAR and the bundles carry no raw control from certificates, headers or URLs', async (t) => {
  const env = cleanEnv();
  const evidenceDir = join(dir, 'proxy-evidence');
  const log = join(dir, 'proxy.ndjson');
  const proxy = startProxy(
    [
      'proxy',
      '--port',
      '0',
      '--no-tui',
      '--log',
      log,
      '--evidence-dir',
      evidenceDir,
      '--extra-ca',
      files.root,
      ...resolveArgs(pki.host, 'mismatch.test'),
    ],
    env,
  );
  const proxyPort = await proxy.port;
  const caPem = readFileSync(join(env.TLSWITNESS_CERTS_DIR!, 'ca', 'certs', 'ca.pem'), 'utf8');
  // Node's parser refuses raw controls in a request line, so they come percent-encoded: the HAR's
  // queryString decodes them. Then a host whose name does not match (blocked: a bundle).
  const answer = await rawExchange(proxyPort, caPem, 'GET /x%1B%5B2J?q=%1B%5D0%3Bt%07%C2%9B%E2%80%AE HTTP/1.1');
  t.regex(answer, /^HTTP\/1\.1 200/, answer);
  // The 502 page goes to the app, and with `curl -x` to a terminal: as text and as HTML.
  for (const accept of ['*/*', 'text/html']) {
    const blocked = await tlsViaProxy(proxyPort, 'mismatch.test', port, { ca: [caPem] });
    let page = '';
    blocked.on('data', (d: Buffer) => (page += d.toString('latin1')));
    blocked.write(`GET / HTTP/1.1\r\nHost: mismatch.test\r\nAccept: ${accept}\r\nConnection: close\r\n\r\n`);
    await new Promise((resolve) => blocked.on('close', resolve));
    t.regex(page, /^HTTP\/1\.1 502/, `${accept}: ${page}`);
    t.true(page.includes('Root \\x1b]0\\;pwned'), `the ${accept} 502 page shows the issuer escaped: ${page}`);
    clean(t, `the ${accept} 502 page`, page);
  }
  await proxy.stop();

  const stdout = proxy.output();
  clean(t, 'proxy output', stdout);
  if (scriptTty)
    t.true(stdout.includes(`TLS   ${pki.host}:${port}  OK`) && stdout.includes('Root \\x1b]0\\;pwned'), stdout);
  const logged = readFileSync(log, 'utf8');
  clean(t, '--log', logged);
  const events = logged
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ProxyEvent);
  t.true(
    events.some((e) => e.type === 'handshake' && e.chain[0]!.issuer.includes(HOSTILE_RDN)),
    'the log keeps the exact names',
  );
  t.true(
    events.some((e) => e.type === 'request' && e.status === 200),
    logged,
  );
  for (const event of events) clean(t, `the --no-tui line of a ${event.type} event`, eventLine(event));
  const har = readdirSync(evidenceDir).find((name) => name.endsWith('.har'))!;
  const harText = readFileSync(join(evidenceDir, har), 'utf8');
  clean(t, 'the HAR', harText);
  const entry = (
    JSON.parse(harText) as {
      log: {
        entries: Array<{
          request: { queryString: Array<{ value: string }> };
          response: { headers: Array<{ value: string }> };
        }>;
      };
    }
  ).log.entries[0]!;
  t.is(
    entry.request.queryString[0]!.value,
    '\x1b]0;t\x07\u009b\u202e',
    'the HAR keeps the decoded query value exactly',
  );
  t.true(
    entry.response.headers.some((h) => h.value.includes('\u009b[2Jb')),
    'and the header value (Node sent it as UTF-8, read back as Latin-1: C2 9B)',
  );
  const bundle = readdirSync(evidenceDir).find((name) => name.startsWith('mismatch.test'))!;
  for (const name of readdirSync(join(evidenceDir, bundle), { recursive: true, encoding: 'utf8' })) {
    if (statSync(join(evidenceDir, bundle, name)).isFile())
      clean(t, `bundle ${name}`, readFileSync(join(evidenceDir, bundle, name), 'utf8'));
  }
});
