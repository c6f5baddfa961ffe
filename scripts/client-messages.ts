// Runs the real TLS clients installed here (curl, wget, python3 urllib and requests, node, openssl
// s_client, git, Java) against loopback servers for every broken-server scenario and records what each
// prints: the corpus `explain` is tested on. `node --import=tsx scripts/client-messages.ts [--write]`
// prints the records, or rewrites test/fixtures/client-messages.json with them.
import { execFile } from 'node:child_process';
import { createDiffieHellmanGroup } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type SecureVersion, type TLSSocket } from 'node:tls';
import type { Problem } from '../src/types.js';
import type { FixturePki, Scenario } from './fixture-pki.js';
import { closeAll, scenarioServerOptions } from './scenario-server.js';
import { startConnectProxy, type TestProxy } from '../test/helpers/connect-proxy.js';
import { closedPort, makeFixtures, ROOT } from '../test/helpers/fixtures.js';

/** One broken server: which fixture chain, how the server is set up, and the class it belongs to. */
export interface Case {
  name: string;
  expected: Problem;
  /** The fixture scenario whose chain is served; null for a closed port. */
  scenario: string | null;
  server?: { minVersion?: SecureVersion; maxVersion?: SecureVersion; ciphers?: string; dhparam?: string };
}

/** PKCS#3 DHParameter (SEQUENCE { INTEGER p, INTEGER 2 }) for the 1024-bit MODP group, as PEM. */
function dhParams1024(): string {
  const p = createDiffieHellmanGroup('modp2').getPrime();
  const prime = Buffer.concat([Buffer.from([0x02, 0x81, p.length + 1, 0x00]), p]);
  const body = Buffer.concat([prime, Buffer.from([0x02, 0x01, 0x02])]);
  const der = Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END DH PARAMETERS-----\n`;
}

export const CASES: Case[] = [
  { name: 'expired', expected: 'expired', scenario: 'expired' },
  { name: 'not-yet-valid', expected: 'not-yet-valid', scenario: 'notYetValid' },
  { name: 'self-signed', expected: 'self-signed', scenario: 'selfSigned' },
  { name: 'unknown-ca', expected: 'unknown-ca', scenario: 'unknownRoot' },
  { name: 'unknown-ca-root-sent', expected: 'unknown-ca', scenario: 'unknownRootSent' },
  { name: 'incomplete-chain', expected: 'incomplete-chain', scenario: 'incomplete' },
  { name: 'hostname-mismatch', expected: 'hostname-mismatch', scenario: 'mismatch' },
  { name: 'wrong-order', expected: 'wrong-order', scenario: 'wrongOrder' },
  { name: 'client-cert-required', expected: 'client-cert-required', scenario: 'mtls' },
  { name: 'weak-key', expected: 'weak-crypto', scenario: 'weakKey' },
  { name: 'sha1-signature', expected: 'weak-crypto', scenario: 'sha1' },
  // Node (level 1) and Java accept a 1024-bit RSA key; OpenSSL clients at level 2 refuse it.
  { name: 'rsa-1024', expected: 'weak-crypto', scenario: 'rsa1024' },
  {
    name: 'tls1.0-only',
    expected: 'handshake-failed',
    scenario: 'valid',
    server: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
  },
  // 1024-bit finite-field DH (RFC 2409 group 2): OpenSSL clients at security level 2 refuse it.
  {
    name: 'dh-1024',
    expected: 'weak-crypto',
    scenario: 'valid',
    server: { maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0', dhparam: dhParams1024() },
  },
  { name: 'closed-port', expected: 'connection-failed', scenario: null },
];

/** Where a client is sent: the name it asks for (SNI, hostname check) and the loopback port. */
export interface Target {
  host: string;
  port: number;
}

export interface Context {
  /** The only roots the clients trust: the fixture public root. */
  caFile: string;
  dir: string;
  /** Tunnels any CONNECT to 127.0.0.1, for clients that cannot map a name to an address. */
  proxy: TestProxy;
  /** Every name a case uses, for Java's hosts file. */
  hosts: string[];
}

export interface Client {
  name: string;
  /** The client's version line, or null when it cannot run here (then the reason). */
  probe(ctx: Context): Promise<{ version: string | null; reason?: string }>;
  run(target: Target, ctx: Context): Promise<Output>;
}

interface Output {
  code: number | null;
  text: string;
}

export interface ClientMessage {
  client: string;
  version: string;
  case: string;
  expected: Problem;
  exit: number | null;
  /** The server saw an HTTP request over a completed handshake: the client did not refuse. */
  accepted: boolean;
  message: string;
}

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const HOME = process.env.HOME ?? '/root';

/** Runs a client with exactly `env` (never this machine's own CA variables); stdout and stderr together. */
function run(command: string, args: string[], env: Record<string, string>, input = ''): Promise<Output> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { env: { PATH, HOME, LANG: 'C.UTF-8', ...env }, timeout: 20_000, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, text: `${stderr}${stderr && stdout ? '\n' : ''}${stdout}` });
      },
    );
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

const version = async (command: string, args: string[], pick = (text: string) => text.split('\n')[0]!.trim()) => {
  const out = await run(command, args, {});
  return out.code === 0
    ? { version: pick(out.text) }
    : { version: null, reason: `${command} is not installed (${out.text.trim().split('\n')[0]})` };
};

const url = (t: Target) => `https://${t.host}:${t.port}/`;

// Python clients: the name maps to 127.0.0.1 inside the process, so nothing is ever resolved.
const pythonPrelude = (t: Target) =>
  `import socket\n_gai = socket.getaddrinfo\nsocket.getaddrinfo = lambda host, *a, **k: _gai('127.0.0.1' if host == ${JSON.stringify(t.host)} else host, *a, **k)\n`;

let javaClasses: string | null = null;
const JAVA_SOURCE = `import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;

public class Fetch {
  public static void main(String[] args) throws Exception {
    HttpURLConnection c = (HttpURLConnection) new URL(args[0]).openConnection();
    c.setConnectTimeout(10000);
    c.setReadTimeout(10000);
    try (InputStream in = c.getInputStream()) {
      in.readAllBytes();
    }
  }
}
`;

export const CLIENTS: Client[] = [
  {
    name: 'curl',
    probe: () => version('curl', ['--version']),
    run: (t, ctx) =>
      run('curl', ['-q', '-sS', '--max-time', '10', '--resolve', `${t.host}:${t.port}:127.0.0.1`, url(t)], {
        CURL_CA_BUNDLE: ctx.caFile,
        SSL_CERT_FILE: ctx.caFile,
      }),
  },
  {
    name: 'wget',
    probe: () => version('wget', ['--version']),
    // -q (first): no ~/.curlrc. wget cannot map a name to an address: it goes through a CONNECT proxy that tunnels to 127.0.0.1,
    // which leaves SNI, the hostname check and the messages as without one; a closed port is dialled directly.
    run: (t, ctx) =>
      t.host === 'closed.example.com'
        ? run(
            'wget',
            [
              '--no-config',
              '--tries=1',
              '--timeout=10',
              '-O',
              '/dev/null',
              `--ca-certificate=${ctx.caFile}`,
              `https://127.0.0.1:${t.port}/`,
            ],
            { SSL_CERT_FILE: ctx.caFile },
          )
        : run(
            'wget',
            ['--no-config', '--tries=1', '--timeout=10', '-O', '/dev/null', `--ca-certificate=${ctx.caFile}`, url(t)],
            { SSL_CERT_FILE: ctx.caFile, https_proxy: ctx.proxy.url },
          ),
  },
  {
    name: 'python3-urllib',
    probe: () => version('python3', ['--version']),
    run: (t, ctx) =>
      run(
        'python3',
        [
          '-c',
          `${pythonPrelude(t)}import urllib.request\nurllib.request.urlopen(${JSON.stringify(url(t))}, timeout=10).read()`,
        ],
        { SSL_CERT_FILE: ctx.caFile },
      ),
  },
  {
    name: 'python3-requests',
    probe: () => version('python3', ['-c', 'import requests; print("requests", requests.__version__)']),
    run: (t, ctx) =>
      run(
        'python3',
        ['-c', `${pythonPrelude(t)}import requests\nrequests.get(${JSON.stringify(url(t))}, timeout=10)`],
        { REQUESTS_CA_BUNDLE: ctx.caFile, SSL_CERT_FILE: ctx.caFile },
      ),
  },
  {
    name: 'node',
    probe: async () => ({ version: `node ${process.version}` }),
    // No 'error' listener: the process dies with the unhandled error, as an app's does.
    run: (t, ctx) =>
      run(
        process.execPath,
        [
          '-e',
          `require('https').get(${JSON.stringify(url(t))}, { lookup: (h, o, cb) => (o && o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) }, (res) => res.resume());`,
        ],
        { NODE_EXTRA_CA_CERTS: ctx.caFile },
      ),
  },
  {
    name: 'openssl',
    probe: () => version('openssl', ['version']),
    run: (t, ctx) =>
      run(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${t.port}`,
          '-servername',
          t.host,
          '-verify_hostname',
          t.host,
          '-CAfile',
          ctx.caFile,
          '-verify_return_error',
          '-ign_eof',
        ],
        { SSL_CERT_FILE: ctx.caFile },
        `GET / HTTP/1.0\r\nHost: ${t.host}\r\n\r\n`,
      ),
  },
  {
    name: 'git',
    probe: () => version('git', ['--version']),
    run: (t, ctx) =>
      run('git', ['-c', `http.curloptResolve=${t.host}:${t.port}:127.0.0.1`, 'ls-remote', `${url(t)}repo.git`], {
        GIT_SSL_CAINFO: ctx.caFile,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
      }),
  },
  {
    name: 'java',
    probe: async (ctx) => {
      const java = await version('java', ['-version']);
      if (!java.version) return java;
      const javac = await run('javac', ['-version'], {});
      if (javac.code !== 0)
        return { version: null, reason: 'javac is not installed (the client is compiled from source)' };
      javaClasses = join(ctx.dir, 'java');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(javaClasses, { recursive: true });
      writeFileSync(join(javaClasses, 'Fetch.java'), JAVA_SOURCE);
      writeFileSync(join(ctx.dir, 'hosts'), ctx.hosts.map((h) => `127.0.0.1 ${h}\n`).join(''));
      const compiled = await run('javac', ['-d', javaClasses, join(javaClasses, 'Fetch.java')], {});
      const store = await run(
        'keytool',
        [
          '-importcert',
          '-noprompt',
          '-alias',
          'fixture-root',
          '-file',
          ctx.caFile,
          '-keystore',
          join(ctx.dir, 'trust.p12'),
          '-storetype',
          'PKCS12',
          '-storepass',
          'changeit',
        ],
        {},
      );
      if (compiled.code !== 0 || store.code !== 0)
        return { version: null, reason: `java client setup failed: ${compiled.text}${store.text}` };
      return java;
    },
    // jdk.net.hosts.file: names resolve from this file only, never from DNS.
    run: (t, ctx) =>
      run(
        'java',
        [
          '-XX:TieredStopAtLevel=1',
          '-Xshare:auto',
          `-Djdk.net.hosts.file=${join(ctx.dir, 'hosts')}`,
          `-Djavax.net.ssl.trustStore=${join(ctx.dir, 'trust.p12')}`,
          '-Djavax.net.ssl.trustStorePassword=changeit',
          '-cp',
          javaClasses!,
          'Fetch',
          url(t),
        ],
        {},
      ),
  },
];

interface CaseServer {
  port: number;
  sawRequest(): boolean;
  close(): Promise<void>;
}

/** A TLS server sending exactly the scenario's chain and answering one HTTP request with 200. */
async function startCaseServer(
  scenario: Scenario,
  options: Case['server'] = {},
  clientCAs: string[],
): Promise<CaseServer> {
  let requests = 0;
  const server = createServer(scenarioServerOptions(scenario, { ...options, clientCAs }), (socket: TLSSocket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      requests += 1;
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n');
    });
  });
  server.on('tlsClientError', () => undefined);
  const close = closeAll(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sawRequest: () => requests > 0,
    close,
  };
}

/**
 * The recorded text, made stable across runs and short enough to read: no ports, dates, temporary
 * paths, PEM blocks or stack frames (Python, Java and Node print the message lines around them).
 */
export function normalise(text: string, ports: Record<string, number>, paths: Record<string, string>): string {
  let out = text.replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g, '');
  for (const [name, path] of Object.entries(paths)) out = out.split(path).join(name);
  for (const [name, port] of Object.entries(ports)) out = out.replace(new RegExp(`\\b${port}\\b`, 'g'), name);
  return (
    out
      // OpenSSL's error-stack prefix is the thread id; certificate dates change with every fixture PKI.
      .replace(/^[0-9A-F]{12,16}:error:/gm, '0000:error:')
      .replace(/(: |Error: |write EPROTO )[0-9A-F]{12,16}:error:/g, '$10000:error:')
      .replace(
        /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [A-Z]{3,4} \d{4}\b/g,
        'Sat Jan 01 00:00:00 UTC 2000',
      )
      .replace(/\b[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT\b/g, 'Jan  1 00:00:00 2000 GMT')
      .replace(
        /\b\d{4}-\d\d-\d\d([ T])\d\d:\d\d:\d\d(?:\.\d+)?(Z?)/g,
        (_m, sep: string, z: string) => `2000-01-01${sep}00:00:00${z}`,
      )
      .replace(
        /^(?:Session-ID|Session-ID-ctx|Master-Key|TLS session ticket|Resumption PSK|Start Time|    Protocol|    Cipher|    PSK identity|    SRP username|    Timeout|    Verify return code|    Extended master secret|    Max Early Data).*\n/gm,
        '',
      )
      .replace(/^\s+\d{4} - [0-9a-f -]+.*\n/gm, '')
      .replace(/^\s+at .*\n?/gm, '')
      // Node prints the whole peer certificate object after a hostname mismatch.
      .replace(/^ {2}cert: \{\n[\s\S]*?^ {2}\}\n/m, '  cert: { ... }\n')
      .replace(/after \d+ ms/g, 'after 0 ms')
      .replace(/has read \d+ bytes and written \d+ bytes/g, 'has read N bytes and written N bytes')
      .replace(/\d+(?:\.\d+)?([KMG])=[\d.]+s/g, '1.00$1=0s')
      .replace(/\([\d.]+ ([KMG]B)\/s\)/g, '(1.00 $1/s)')
      .replace(/^\s+\.\.\. \d+ more\n?/gm, '')
      .replace(/^ {2}File ".*\n(?: {4,}.*\n)*/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

export interface Recording {
  messages: ClientMessage[];
  /** Clients that could not run here, with the reason. */
  missing: Array<{ client: string; reason: string }>;
}

/** Runs every client against every case (one fresh server per run, a few runs at a time). */
export async function recordClientMessages(
  pki: FixturePki,
  dir: string,
  clients: Client[] = CLIENTS,
  cases: Case[] = CASES,
): Promise<Recording> {
  const proxy = await startConnectProxy();
  const hosts = [
    ...new Set([
      ...cases.map((c) => (c.scenario ? pki.scenarios[c.scenario]?.host : null)).filter((h): h is string => !!h),
      'closed.example.com',
    ]),
  ];
  const ctx: Context = { caFile: pki.files['public-roots.pem']!, dir, proxy, hosts };
  const clientCAs = [pki.clientRoot.pem];
  const messages: ClientMessage[] = [];
  const missing: Recording['missing'] = [];
  try {
    const jobs: Array<() => Promise<void>> = [];
    for (const client of clients) {
      const probe = await client.probe(ctx);
      if (!probe.version) {
        missing.push({ client: client.name, reason: probe.reason ?? 'not installed' });
        continue;
      }
      for (const c of cases) {
        jobs.push(async () => {
          const scenario = c.scenario ? pki.scenarios[c.scenario] : null;
          if (c.scenario && !scenario) return;
          const server = scenario ? await startCaseServer(scenario, c.server, clientCAs) : null;
          try {
            const target = { host: scenario?.host ?? 'closed.example.com', port: server?.port ?? (await closedPort()) };
            const started = Date.now();
            const out = await client.run(target, ctx);
            if (process.env.CLIENT_MESSAGES_TRACE)
              process.stderr.write(`${client.name} ${c.name}: exit ${out.code} in ${Date.now() - started} ms\n`);
            messages.push({
              client: client.name,
              version: probe.version!,
              case: c.name,
              expected: c.expected,
              exit: out.code,
              accepted: server?.sawRequest() ?? false,
              message: normalise(
                out.text,
                { PORT: target.port, PROXYPORT: ctx.proxy.port },
                { DIR: dir, PKI: pki.dir },
              ),
            });
          } finally {
            await server?.close();
          }
        });
      }
    }
    // Two at a time: the machine is small and a JVM start is heavy.
    const queue = [...jobs];
    await Promise.all(
      [0, 1].map(async () => {
        for (let job = queue.shift(); job; job = queue.shift()) await job();
      }),
    );
  } finally {
    await proxy.close();
  }
  const order = (m: ClientMessage) =>
    `${clients
      .findIndex((c) => c.name === m.client)
      .toString()
      .padStart(2, '0')} ${cases
      .findIndex((c) => c.name === m.case)
      .toString()
      .padStart(2, '0')}`;
  messages.sort((a, b) => order(a).localeCompare(order(b)));
  return { messages, missing };
}

export const CORPUS = join(ROOT, 'test', 'fixtures', 'client-messages.json');

if (import.meta.url === `file://${process.argv[1]}`) {
  const fixtures = await makeFixtures();
  try {
    const recording = await recordClientMessages(fixtures.pki, mkdtempSync(join(tmpdir(), 'tlswitness-clients-')));
    for (const m of recording.missing) process.stderr.write(`skipped ${m.client}: ${m.reason}\n`);
    const json = `${JSON.stringify(recording.messages, null, 2)}\n`;
    if (process.argv.includes('--write')) {
      writeFileSync(CORPUS, json);
      process.stderr.write(`wrote ${recording.messages.length} messages to ${CORPUS}\n`);
    } else process.stdout.write(json);
  } finally {
    await fixtures.close();
  }
}
