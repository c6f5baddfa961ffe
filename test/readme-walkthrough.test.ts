// The README as a newcomer follows it, top to bottom, in a copy of the checkout: the set-up block, putting
// `tlswitness` on the PATH, then Job 1 (the proxy, eval "$(tlswitness ca env)", curl through it to a loopback
// fixture server); and the docs' claims about a refused upstream and the proxy's output (docs/behaviour.md,
// docs/proxy.md), each against the built tool.
import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT, cleanEnv, closedPort, makeFixtures, type Fixtures } from './helpers/fixtures.js';
import { startHttpOrigin, startHttpsOrigin, type Origin } from './helpers/proxy.js';

const run = promisify(execFile);
/** curl's environment: no proxy or CA variables from this machine. */
const CURL_ENV = { PATH: process.env.PATH };
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The ```sh blocks in order, each as its commands (comments and blank lines dropped), with where it starts. */
function shellBlocks(text: string): Array<{ at: number; commands: string[] }> {
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => ({
    at: m.index!,
    commands: m[1]!
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line && !line.startsWith('#')),
  }));
}

/** The text of a section of a page (README.md, docs/...), from its `## heading` to the next one; `#` for the whole page. */
function section(page: string, heading: string): string {
  const text = `\n${readFileSync(join(ROOT, page), 'utf8')}`;
  const level = heading.startsWith('# ') ? '\n# ' : '\n## ';
  const start = text.indexOf(heading.startsWith('# ') ? `\n${heading}` : `\n## ${heading}`);
  if (start < 0) throw new Error(`${page} has no section "${heading}"`);
  const end = text.indexOf(level, start + 1);
  return text.slice(start, end < 0 ? undefined : end).replace(/\s+/g, ' ');
}

interface Started {
  child: ChildProcess;
  port: Promise<number>;
  stdout(): string;
  /** Ends the whole process group (npm, its shell and node, or script and node). */
  stop(): Promise<void>;
}

/** A process in its own group whose output announces the proxy's port. */
function startGroup(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let all = '';
  const port = new Promise<number>((resolve, reject) => {
    const look = (d: Buffer, isStdout: boolean) => {
      if (isStdout) stdout += d;
      all += d;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(all);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', (d: Buffer) => look(d, true));
    child.stderr!.on('data', (d: Buffer) => look(d, false));
    child.once('exit', () => reject(new Error(`exited before listening: ${all}`)));
  });
  port.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    port,
    stdout: () => stdout,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** Resolves once `read()` satisfies `done`, checking on each chunk of output (bounded by ava's timeout). */
function outputUntil(child: ChildProcess, read: () => string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      if (!done(read())) return;
      child.stdout!.off('data', check);
      resolve(read());
    };
    child.stdout!.on('data', check);
    check();
  });
}

let fixtures: Fixtures;
let origin: Origin;
test.before(async () => {
  fixtures = await makeFixtures();
  origin = await startHttpsOrigin(fixtures.pki.scenarios.valid!);
});
test.after.always(async () => {
  await origin?.close();
  await fixtures?.close();
});

test('the README opens with the two set-up commands, then how to get the `tlswitness` command, before any example uses it', (t) => {
  const blocks = shellBlocks(README);
  t.deepEqual(blocks[0]!.commands, ['npm ci && npm start', 'npm test']);
  const onPath = blocks[1]!;
  t.is(onPath.commands[0], 'npm link');
  const between = README.slice(blocks[0]!.at, blocks[2]!.at);
  t.true(between.includes('npm install -g .'), 'the global install from the clone is named too');
  t.true(between.includes('npx tlswitness'), 'and npx inside the clone');
  const firstUse = blocks.findIndex((b) => b.commands.some((c) => /(^|[\s"(])tlswitness /.test(c)));
  t.is(firstUse, 1, 'no block runs `tlswitness` before the block that puts it on the PATH');
  t.true(README.indexOf('## Job 1') > onPath.at);
});

test('Job 1 in order, in a copy of the checkout: npm link (to a temp prefix), npm start, eval "$(tlswitness ca env)", curl through the proxy', async (t) => {
  const blocks = shellBlocks(README);
  const job1 = blocks.find((b) => b.at > README.indexOf('## Job 1'))!;
  t.is(job1.commands[0], 'npm ci && npm start');
  const evalLine = job1.commands.find((c) => c.startsWith('eval '));
  t.is(evalLine, 'eval "$(tlswitness ca env)"');
  const curlLine = job1.commands.find((c) => c.startsWith('curl '));
  t.is(curlLine, 'curl https://api.example.com/');

  // Only these two ever run here: anything else the README's block might say (`npm ci`) would rewrite node_modules.
  const linkLine = blocks[1]!.commands[0]!;
  if (!['npm link', 'npm install -g .'].includes(linkLine)) {
    t.fail(`the block after the set-up should put tlswitness on the PATH, not run: ${linkLine}`);
    return;
  }

  // The clone: the sources without what `npm ci` makes. `npm ci` itself stands in as node_modules (a folder of links
  // to each installed package, so that no npm command here can reach the real one's contents) and the built dist/:
  // the test needs no registry.
  const work = mkdtempSync(join(tmpdir(), 'tlswitness-readme-'));
  // rmSync removes links without following them: the real node_modules stays.
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const clone = join(work, 'tlswitness');
  const skip = new Set(['node_modules', 'dist', '.git', 'test', join('certs', 'ca'), 'tlswitness-evidence']);
  cpSync(ROOT, clone, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src)) });
  mkdirSync(join(clone, 'node_modules'));
  for (const entry of readdirSync(join(ROOT, 'node_modules')))
    symlinkSync(join(ROOT, 'node_modules', entry), join(clone, 'node_modules', entry));
  cpSync(join(ROOT, 'dist'), join(clone, 'dist'), { recursive: true });

  // npm's global prefix in a temp dir: `npm link` puts `tlswitness` in PREFIX/bin, as it would in /usr/local/bin.
  const prefix = join(work, 'prefix');
  mkdirSync(prefix);
  const home = join(work, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    SSL_CERT_FILE: '/nonexistent/ca-bundle.crt',
    npm_config_prefix: prefix,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  // Inside the clone, npx finds the package's own command without either.
  t.is((await run('npx', ['tlswitness', '--version'], { cwd: clone, env, timeout: 30_000 })).stdout.trim(), version);
  const [npm, ...linkArgs] = linkLine.split(' ');
  await run(npm!, linkArgs, { cwd: clone, env, timeout: 30_000 });
  const onPathEnv = { ...env, PATH: `${join(prefix, 'bin')}:${env.PATH}` };
  for (const command of blocks[1]!.commands.slice(1)) {
    t.is(command, 'tlswitness --version', 'the block runs only what this test knows to be harmless');
    if (command !== 'tlswitness --version') return;
    t.is((await run('bash', ['-c', command], { cwd: work, env: onPathEnv })).stdout.trim(), version);
  }

  // `npm start` as the README says, with a free port instead of 8080 (other programs may hold it), the fixture
  // host pinned to the origin, and the fixture root trusted as the corporate CA would be.
  const host = 'valid.example.com';
  const closed = await closedPort();
  const proxy = startGroup(
    'npm',
    [
      'start',
      '--',
      '--port',
      '0',
      '--resolve',
      `${host}:${origin.port}:127.0.0.1`,
      '--resolve',
      `refused.example.com:${closed}:127.0.0.1`,
      '--extra-ca',
      fixtures.pki.files['public-roots.pem']!,
    ],
    { cwd: clone, env },
  );
  try {
    const port = await proxy.port;
    const proxyUrl = `http://127.0.0.1:${port}`;
    const url = `https://${host}:${origin.port}/readme-walkthrough`;
    // The app's shell: a new bash, the PATH as after `npm link`, then the README's lines.
    const script = [
      `export PATH='${prefix}/bin':"$PATH"`,
      evalLine!.replace('tlswitness ca env', `tlswitness ca env --proxy ${proxyUrl}`),
      'printf "HTTPS_PROXY=%s\\nCURL_CA_BUNDLE=%s\\n" "$HTTPS_PROXY" "$CURL_CA_BUNDLE"',
      `${curlLine!.replace('https://api.example.com/', url)} -sS --max-time 10`,
      // A refused upstream, through CONNECT and as plain HTTP (the README's "Upstream faults").
      `curl -sS --max-time 10 --suppress-connect-headers -D - https://refused.example.com:${closed}/`,
      `curl -sS --max-time 10 -D - http://refused.example.com:${closed}/`,
    ].join('\n');
    const shell = await run('bash', ['-c', script], { cwd: work, env: { PATH: process.env.PATH, HOME: home } });
    t.regex(shell.stdout, new RegExp(`^HTTPS_PROXY=${proxyUrl}$`, 'm'), 'ca env set the proxy variables');
    t.regex(
      shell.stdout,
      new RegExp(`^CURL_CA_BUNDLE=${join(clone, 'certs', 'ca', 'bundle.pem')}$`, 'm'),
      'the CA of the checkout the proxy uses',
    );
    t.regex(shell.stdout, /^hello from valid \/readme-walkthrough$/m);
    const requests = await outputUntil(proxy.child, proxy.stdout, (s) => s.includes(`"url":"${url}"`));
    const events = requests
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; url?: string; status?: number });
    t.true(
      events.some((e) => e.type === 'request' && e.url === url && e.status === 200),
      'the request went through the proxy',
    );
    // The readme-claims tests below hold the wording; here the same answers reach the newcomer's curl.
    // curl speaks HTTP/2 to the MITM when it offers h2 (its default for https), HTTP/1.1 to the plain listener.
    const [, httpsRefused, httpRefused] = shell.stdout.split(/^(?=HTTP\/(?:1\.1|2) )/m);
    t.regex(httpsRefused!, /^HTTP\/2 502 /);
    t.regex(httpsRefused!, /^x-tlswitness-problem: connection-failed\r?$/m);
    t.regex(httpRefused!, /^HTTP\/1\.1 502 /);
    t.regex(httpRefused!, /^x-tlswitness-error: UPSTREAM_REFUSED\r?$/m);
  } finally {
    await proxy.stop();
  }
});

test('docs "Upstream faults": a refused upstream is a 502 with X-Tlswitness-Problem through CONNECT, X-Tlswitness-Error as plain HTTP', async (t) => {
  const claim = section('docs/behaviour.md', 'The proxy');
  t.regex(claim, /`X-Tlswitness-Problem: connection-failed`/);
  t.regex(claim, /`X-Tlswitness-Error: UPSTREAM_REFUSED`/);
  t.regex(claim, /first line says why no TLS handshake took place \("could not be reached"/);
  const closed = await closedPort();
  const proxy = startGroup(
    process.execPath,
    [CLI, 'proxy', '--port', '0', '--no-tui', '--resolve', `refused.example.com:${closed}:127.0.0.1`],
    { env: cleanEnv() },
  );
  try {
    const port = await proxy.port;
    const https = await run(
      'curl',
      [
        '-sS',
        '--max-time',
        '10',
        '--suppress-connect-headers',
        '-D',
        '-',
        '-k',
        '--proxy',
        `http://127.0.0.1:${port}`,
        `https://refused.example.com:${closed}/`,
      ],
      { env: CURL_ENV },
    );
    t.regex(https.stdout, /^HTTP\/2 502 /, 'curl offers h2 for https, and the MITM speaks it');
    t.regex(https.stdout, /^x-tlswitness-problem: connection-failed\r?$/im);
    t.regex(
      https.stdout,
      new RegExp(
        `^tlswitness blocked this request: refused\\.example\\.com:${closed} could not be reached, so no TLS handshake took place\\.$`,
        'm',
      ),
    );
    const http = await run(
      'curl',
      [
        '-sS',
        '--max-time',
        '10',
        '-D',
        '-',
        '--proxy',
        `http://127.0.0.1:${port}`,
        `http://refused.example.com:${closed}/`,
      ],
      { env: CURL_ENV },
    );
    t.regex(http.stdout, /^HTTP\/1\.1 502 /);
    t.regex(http.stdout, /^x-tlswitness-error: UPSTREAM_REFUSED\r?$/im);
  } finally {
    await proxy.stop();
  }
});

test('docs "The proxy": NDJSON when stdout is not a terminal even with --no-tui; one readable line per event with --no-tui on a terminal', async (t) => {
  const claim = section('docs/proxy.md', '# The proxy');
  t.regex(claim, /NDJSON with `--json` or when stdout is not a terminal/);
  t.regex(claim, /one readable line each with `--no-tui` on a terminal/);
  const plain = await startHttpOrigin();
  const args = ['proxy', '--port', '0', '--no-tui'];
  try {
    for (const onTerminal of [false, true]) {
      // `script` gives the proxy a pseudo-terminal for stdout, as a person's shell would.
      const proxy = onTerminal
        ? startGroup('script', ['-qfec', [process.execPath, CLI, ...args].join(' '), '/dev/null'], {
            env: { ...cleanEnv(), TERM: 'dumb' },
          })
        : startGroup(process.execPath, [CLI, ...args], { env: cleanEnv() });
      try {
        const port = await proxy.port;
        const url = `http://127.0.0.1:${plain.port}/${onTerminal ? 'tty' : 'pipe'}`;
        await run('curl', ['-sS', '--max-time', '10', '--proxy', `http://127.0.0.1:${port}`, url], { env: CURL_ENV });
        const out = await outputUntil(proxy.child, proxy.stdout, (s) => s.includes(url));
        const line = out.split(/\r?\n/).find((l) => l.includes(url))!;
        if (onTerminal) {
          t.regex(
            line,
            new RegExp(`^\\d\\d:\\d\\d:\\d\\d GET +${url.replace(/[./]/g, '\\$&')}  200 `),
            'a readable line on a terminal',
          );
        } else {
          t.like(JSON.parse(line), { type: 'request', url, status: 200 }, 'NDJSON into a pipe, --no-tui or not');
        }
      } finally {
        await proxy.stop();
      }
    }
  } finally {
    await plain.close();
  }
});
