// The trust boundary, through the running proxy with curl and real origins: chains OpenSSL refuses
// (a name-constraint violation, unknown critical extensions on the leaf and on the intermediate) and a
// CONNECT host that differs from the app's SNI all get the block page, never the origin's body —
// whatever tlswitness's own verifier says. While its record says ok, the proxy also reports a
// VERIFIER_DISAGREEMENT. Certificates are made with the openssl CLI, as an admin would.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { connect as tlsConnect, createSecureContext, type TLSSocket } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { storeOf } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy, type TestProxy, type TestProxyExtras } from '../helpers/proxy.js';
import type { ErrorEvent } from '../../src/events.js';
import type { HandshakeRecord, Problem } from '../../src/types.js';
import { onLoopback } from '../helpers/loopback-server.js';

const run = promisify(execFile);
const ORIGIN_BODY = 'origin body: the app must never see this';

interface Pem {
  cert: string;
  key: string;
}

let dir: string;
const pem = (name: string): Pem => ({
  cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
  key: readFileSync(join(dir, `${name}.key`), 'utf8'),
});

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A self-signed root with extra `-addext` lines. */
async function root(name: string, extensions: string[] = []): Promise<void> {
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

/** A certificate issued by `issuer`, with the extension lines given (an -extfile). */
async function issue(name: string, issuer: string, extensions: string[]): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  await openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-set_serial',
    String(Date.now() % 1e9),
    '-out',
    `${name}.pem`,
    '-days',
    '10',
    '-extfile',
    `${name}.ext`,
  ]);
}

const LEAF = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswitness-boundary-'));
  // A root constrained to good.test that issues for evil.example.com (OpenSSL: 47, permitted subtree violation).
  await root('nc-root', ['nameConstraints=critical,permitted;DNS:good.test']);
  await issue('evil.example.com', 'nc-root', [...LEAF, 'subjectAltName=DNS:evil.example.com']);
  await root('plain-root');
  // An unknown critical extension (OpenSSL: 34, unhandled critical extension) on the leaf, then on the intermediate.
  await issue('crit-leaf.test', 'plain-root', [
    ...LEAF,
    'subjectAltName=DNS:crit-leaf.test',
    '1.2.3.4.5=critical,DER:05:00',
  ]);
  await issue('crit-intermediate', 'plain-root', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
    '1.2.3.4.5=critical,DER:05:00',
  ]);
  await issue('crit-inter.test', 'crit-intermediate', [...LEAF, 'subjectAltName=DNS:crit-inter.test']);
  await issue('good.test', 'plain-root', [...LEAF, 'subjectAltName=DNS:good.test']);
  await issue('bank.test', 'plain-root', [...LEAF, 'subjectAltName=DNS:bank.test']);
});

interface Origin {
  port: number;
  close(): Promise<void>;
}

/** An HTTPS origin serving `chain` (leaf first), or per SNI when `bySni` is given. */
async function startOrigin(leaf: string, chain: string[], bySni: Record<string, string> = {}): Promise<Origin> {
  const contexts = Object.fromEntries(
    Object.entries(bySni).map(([name, cert]) => [name, { key: pem(cert).key, cert: pem(cert).cert }]),
  );
  const server: Server = createServer(
    {
      key: pem(leaf).key,
      cert: chain.map((name) => pem(name).cert).join(''),
      SNICallback: (name, cb) => {
        const entry = contexts[name];
        cb(null, entry ? createSecureContext(entry) : undefined);
      },
    },
    (_req, res) => res.end(ORIGIN_BODY),
  );
  server.on('tlsClientError', () => undefined);
  return onLoopback(server);
}

async function proxyTrusting(
  roots: string[],
  resolve: string[],
  extras: TestProxyExtras = {},
): Promise<{ proxy: TestProxy; caFile: string }> {
  const proxy = await startTestProxy(
    {
      public: storeOf(
        'public',
        roots.map((r) => pem(r).cert),
      ),
      system: null,
      extra: null,
    },
    resolve,
    {},
    extras,
  );
  const caFile = join(dir, `proxy-ca-${proxy.port}.pem`);
  writeFileSync(caFile, proxy.ca.certPem);
  return { proxy, caFile };
}

async function curl(args: string[]): Promise<{ status: number; body: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args], {
      env: { PATH: process.env.PATH },
    });
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut), stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    const stdout = failed.stdout ?? '';
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)) || 0, body: stdout.slice(0, cut), stderr: failed.stderr ?? '' };
  }
}

const records = (proxy: TestProxy, host: string) =>
  proxy.events.filter((e): e is HandshakeRecord => e.type === 'handshake' && e.target.host === host);
/** The problem of the latest record published (the amended one after a disagreement). */
const published0Problem = (proxy: TestProxy) =>
  proxy.events.filter((e): e is HandshakeRecord => e.type === 'handshake').at(-1)?.diagnosis.problem;
const disagreements = (proxy: TestProxy) =>
  proxy.events.filter((e): e is ErrorEvent => e.type === 'error' && e.code === 'VERIFIER_DISAGREEMENT');

const refusedChains: Array<{
  title: string;
  host: string;
  roots: string[];
  leaf: string;
  chain: string[];
  openssl: RegExp;
  /** The diagnosis the record and the block page give, when the chain has its own problem code. */
  problem?: Problem;
}> = [
  {
    title: "a leaf outside its root's name constraints",
    host: 'evil.example.com',
    roots: ['nc-root'],
    leaf: 'evil.example.com',
    chain: ['evil.example.com'],
    openssl: /permitted subtree violation/,
    problem: 'name-constraints',
  },
  {
    title: 'an unknown critical extension on the leaf',
    host: 'crit-leaf.test',
    roots: ['plain-root'],
    leaf: 'crit-leaf.test',
    chain: ['crit-leaf.test'],
    openssl: /unhandled critical extension/,
  },
  {
    title: 'an unknown critical extension on the intermediate',
    host: 'crit-inter.test',
    roots: ['plain-root'],
    leaf: 'crit-inter.test',
    chain: ['crit-inter.test', 'crit-intermediate'],
    openssl: /unhandled critical extension/,
  },
];

for (const c of refusedChains) {
  test(`curl through the proxy: ${c.title} gets the block page, never the origin's body`, async (t) => {
    // The chain as OpenSSL itself judges it, so the test states what the gate must enforce.
    const verify = await run(
      'openssl',
      [
        'verify',
        '-CAfile',
        `${c.roots[0]}.pem`,
        ...(c.chain.length > 1 ? ['-untrusted', `${c.chain[1]}.pem`] : []),
        '-verify_hostname',
        c.host,
        `${c.leaf}.pem`,
      ],
      { cwd: dir },
    ).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    t.regex(verify, c.openssl, 'openssl verify refuses the chain');
    const origin = await startOrigin(c.leaf, c.chain);
    const { proxy, caFile } = await proxyTrusting(c.roots, [`${c.host}:${origin.port}:127.0.0.1`]);
    try {
      const answer = await curl([
        '--proxy',
        `http://127.0.0.1:${proxy.port}`,
        '--cacert',
        caFile,
        `https://${c.host}:${origin.port}/secret`,
      ]);
      t.is(answer.status, 502, answer.stderr);
      t.false(answer.body.includes(ORIGIN_BODY));
      t.true(answer.body.includes(`${c.host}:${origin.port}`), 'the block page names the host');
      const [first] = records(proxy, c.host);
      t.truthy(first, 'the upstream was recorded');
      if (first!.verification.ok) {
        // tlswitness's verifier accepted it: OpenSSL's refusal must show, on the page and as a disagreement.
        t.regex(answer.body, c.openssl, "the block page gives OpenSSL's reason");
        const [event] = disagreements(proxy);
        t.truthy(event, 'a VERIFIER_DISAGREEMENT error event');
        t.regex(event!.message, /verifier accepted/);
        t.regex(event!.message, c.openssl);
        const amended = records(proxy, c.host).at(-1)!;
        t.false(amended.verification.ok, "the published record is amended with OpenSSL's refusal");
        t.regex(amended.verification.openssl?.message ?? '', c.openssl);
      } else {
        t.is(disagreements(proxy).length, 0, 'no disagreement when the verifier refuses too');
      }
      if (c.problem) {
        t.is(records(proxy, c.host).at(-1)!.diagnosis.problem, c.problem);
        t.regex(answer.body, new RegExp(`Problem: +${c.problem} \\(fault: server`));
      }
      // A second request on a new connection is blocked too (from the amended record, or the record itself).
      const again = await curl([
        '--proxy',
        `http://127.0.0.1:${proxy.port}`,
        '--cacert',
        caFile,
        `https://${c.host}:${origin.port}/again`,
      ]);
      t.is(again.status, 502);
      t.false(again.body.includes(ORIGIN_BODY));
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
}

test('curl --connect-to (CONNECT good.test, SNI bank.test): the upstream is checked for bank.test, so the app gets the block page', async (t) => {
  // The origin at good.test's address has a valid certificate for good.test only.
  const origin = await startOrigin('good.test', ['good.test']);
  const { proxy, caFile } = await proxyTrusting(['plain-root'], [`good.test:${origin.port}:127.0.0.1`]);
  try {
    const answer = await curl([
      '--proxy',
      `http://127.0.0.1:${proxy.port}`,
      '--cacert',
      caFile,
      '--connect-to',
      `bank.test:${origin.port}:good.test:${origin.port}`,
      `https://bank.test:${origin.port}/transfer`,
    ]);
    t.is(answer.status, 502, answer.stderr);
    t.false(answer.body.includes(ORIGIN_BODY));
    const [record] = records(proxy, 'good.test');
    t.is(record?.target.servername, 'bank.test', "recorded with the app's SNI");
    t.is(record?.diagnosis.problem, 'hostname-mismatch');
    // OpenSSL's own verdict on a connection of its own is on the page.
    t.regex(
      answer.body,
      /OpenSSL: +refused: ERR_TLS_CERT_ALTNAME_INVALID \(62\), Host: bank\.test\. is not in the cert's altnames: DNS:good\.test/,
    );
    if (record?.verification.ok) t.true(disagreements(proxy).length > 0);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

/** CONNECT `authority`, then TLS with `servername`; the leaf the app is shown and the raw HTTP answer. */
function sessionVia(
  proxyPort: number,
  authority: string,
  servername: string,
  caPem: string,
): Promise<{ leaf: X509Certificate; body: string }> {
  return new Promise((resolve, reject) => {
    const connect = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
    connect.on('connect', (_res, socket) => {
      const tls = tlsConnect({ socket, servername, ca: [caPem] });
      tls.on('error', reject);
      tls.on('secureConnect', () => {
        const leaf = tls.getPeerX509Certificate()!;
        let body = '';
        tls.on('data', (d: Buffer) => (body += d));
        tls.on('end', () => resolve({ leaf, body }));
        tls.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
      });
    });
    connect.on('error', reject);
    connect.end();
  });
}

test('CONNECT to an IP address with SNI good.test: verified and minted for good.test only, not the address', async (t) => {
  const origin = await startOrigin('good.test', ['good.test']);
  const { proxy } = await proxyTrusting(['plain-root'], []);
  try {
    const { leaf, body } = await sessionVia(proxy.port, `127.0.0.1:${origin.port}`, 'good.test', proxy.ca.certPem);
    t.is(leaf.subjectAltName, 'DNS:good.test');
    t.regex(body, /^HTTP\/1\.1 200/);
    // A host that verifies is forwarded first and recorded once its response went out.
    await proxy.event((e) => e.type === 'handshake');
    const [record] = records(proxy, '127.0.0.1');
    t.is(record?.target.servername, 'good.test');
    t.is(record?.diagnosis.problem, 'ok');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CONNECT good.test with SNI bank.test: the minted leaf names only bank.test, the name verified upstream', async (t) => {
  // The origin answers SNI bank.test with bank.test's certificate (a CDN serving both names).
  const origin = await startOrigin('good.test', ['good.test'], { 'bank.test': 'bank.test' });
  const { proxy } = await proxyTrusting(['plain-root'], [`good.test:${origin.port}:127.0.0.1`]);
  try {
    const { leaf, body } = await sessionVia(proxy.port, `good.test:${origin.port}`, 'bank.test', proxy.ca.certPem);
    t.is(leaf.subjectAltName, 'DNS:bank.test', 'good.test was not verified for this session, so it is not minted');
    t.regex(body, /^HTTP\/1\.1 200/);
    t.true(body.includes(ORIGIN_BODY));
    await proxy.event((e) => e.type === 'handshake');
    const [record] = records(proxy, 'good.test');
    t.is(record?.target.servername, 'bank.test');
    t.is(record?.diagnosis.problem, 'ok');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

/** A verifier bug played by forcing the record ok (an unknown root: tlswitness's verifier refuses it today). */
const forceOk = (record: HandshakeRecord): HandshakeRecord => ({
  ...record,
  verification: { ...record.verification, ok: true, code: null, opensslCode: 0, message: 'ok' },
  diagnosis: { ...record.diagnosis, problem: 'ok' },
});

test("a record forced ok for a chain OpenSSL refuses: the block page with OpenSSL's reason, the amended record, one VERIFIER_DISAGREEMENT", async (t) => {
  const origin = await startOrigin('good.test', ['good.test']);
  const { proxy, caFile } = await proxyTrusting(['nc-root'], [`good.test:${origin.port}:127.0.0.1`], {
    mapRecord: forceOk,
  });
  try {
    const answer = await curl([
      '--proxy',
      `http://127.0.0.1:${proxy.port}`,
      '--cacert',
      caFile,
      `https://good.test:${origin.port}/`,
    ]);
    t.is(answer.status, 502, answer.stderr);
    t.false(answer.body.includes(ORIGIN_BODY));
    t.regex(
      answer.body,
      /OpenSSL: +refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE \(21\), unable to verify the first certificate/,
    );
    t.regex(answer.body, /tlswitness's verifier said ok/);
    const again = await curl([
      '--proxy',
      `http://127.0.0.1:${proxy.port}`,
      '--cacert',
      caFile,
      `https://good.test:${origin.port}/again`,
    ]);
    t.is(again.status, 502);
    const logged = proxy.events.filter((e) => e.type === 'request');
    t.deepEqual(
      logged.map((e) => [e.status, e.blocked]),
      [
        [502, published0Problem(proxy)],
        [502, published0Problem(proxy)],
      ],
      'both requests logged as blocked',
    );
    const events = disagreements(proxy);
    t.is(events.length, 1, 'reported once per record');
    t.regex(
      events[0]!.message,
      /verifier accepted \(ok\) .*OpenSSL refused \(UNABLE_TO_VERIFY_LEAF_SIGNATURE \(21\): unable to verify the first certificate\)/,
    );
    const published = records(proxy, 'good.test');
    t.is(published.length, 2, 'the record, then its amendment');
    t.is(published[1]!.id, published[0]!.id);
    t.false(published[1]!.verification.ok);
    t.is(published[1]!.verification.openssl?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

/** A WebSocket upgrade on a TLS session through the proxy: the proxy's whole answer, up to its close (or 2 s). */
function upgradeAnswer(tls: TLSSocket, host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const done = () => resolve(answer);
    tls.setEncoding('utf8');
    tls.on('data', (chunk: string) => (answer += chunk));
    tls.on('end', done).on('close', done).on('error', done);
    // The proxy ends the connection after its answer; the bound only stops a hung proxy (generous: a
    // loaded machine took over 2 s for the upstream gate and the answer).
    setTimeout(() => {
      tls.destroy();
      done();
    }, 15_000).unref();
    tls.write(
      `GET /chat HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

test("a WebSocket upgrade the gate refuses (record forced ok, OpenSSL refuses): the request's 502 and diagnosis, never a 101", async (t) => {
  const origin = await startOrigin('good.test', ['good.test']);
  const { proxy } = await proxyTrusting(['nc-root'], [`good.test:${origin.port}:127.0.0.1`], { mapRecord: forceOk });
  try {
    const tls = await tlsViaProxy(proxy.port, 'good.test', origin.port, { ca: [proxy.ca.certPem] });
    const answer = await upgradeAnswer(tls, 'good.test', origin.port);
    t.regex(answer, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    t.notRegex(answer, /101 Switching Protocols/);
    t.regex(answer, new RegExp(`\r\nX-Tlswitness-Problem: ${published0Problem(proxy)}\r\n`));
    t.regex(answer, /\r\nX-Tlswitness-Error: UPSTREAM_TLS\r\n/);
    t.regex(
      answer,
      /OpenSSL: +refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE \(21\), unable to verify the first certificate/,
    );
    t.regex(answer, /tlswitness's verifier said ok/);
    t.true(answer.includes(`good.test:${origin.port}`), 'the block page names the host');
    t.is(disagreements(proxy).length, 1);
    t.true(proxy.events.some((e) => e.type === 'error' && e.code === 'UPSTREAM_TLS'));
    // In the request log as a blocked request is.
    const logged = proxy.events.filter((e) => e.type === 'request');
    t.like(logged, [{ status: 502, blocked: published0Problem(proxy), url: `https://good.test:${origin.port}/chat` }]);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test("a record forced to refuse a chain OpenSSL accepts: still blocked (the stricter verdict), OpenSSL's ok on the page, one VERIFIER_DISAGREEMENT", async (t) => {
  const origin = await startOrigin('good.test', ['good.test']);
  const forceRefusal = (record: HandshakeRecord): HandshakeRecord => ({
    ...record,
    verification: {
      ...record.verification,
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      opensslCode: 10,
      message: 'certificate has expired',
    },
    diagnosis: { ...record.diagnosis, problem: 'expired' },
  });
  const { proxy, caFile } = await proxyTrusting(['plain-root'], [`good.test:${origin.port}:127.0.0.1`], {
    mapRecord: forceRefusal,
  });
  try {
    const answer = await curl([
      '--proxy',
      `http://127.0.0.1:${proxy.port}`,
      '--cacert',
      caFile,
      `https://good.test:${origin.port}/`,
    ]);
    t.is(answer.status, 502, answer.stderr);
    t.false(answer.body.includes(ORIGIN_BODY));
    t.regex(answer.body, /OpenSSL: +ok \(on the live connection\)/);
    const events = disagreements(proxy);
    t.is(events.length, 1);
    t.regex(
      events[0]!.message,
      /verifier refused \(CERT_HAS_EXPIRED \(10\): certificate has expired\) .*OpenSSL accepted/,
    );
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a new host that passes the checks made before its record but that OpenSSL refuses: blocked, never forwarded, one VERIFIER_DISAGREEMENT', async (t) => {
  const origin = await startOrigin('good.test', ['good.test']);
  // A verifier bug played by giving OpenSSL other anchors: tlswitness's checks pass the chain, OpenSSL does not.
  const { proxy, caFile } = await proxyTrusting(['plain-root'], [`good.test:${origin.port}:127.0.0.1`], {
    anchors: () => [pem('nc-root').cert],
  });
  try {
    const url = `https://good.test:${origin.port}/`;
    const answer = await curl(['--proxy', `http://127.0.0.1:${proxy.port}`, '--cacert', caFile, url]);
    t.is(answer.status, 502, answer.stderr);
    t.false(answer.body.includes(ORIGIN_BODY));
    const again = await curl(['--proxy', `http://127.0.0.1:${proxy.port}`, '--cacert', caFile, `${url}again`]);
    t.is(again.status, 502);
    t.false(again.body.includes(ORIGIN_BODY));
    t.is(disagreements(proxy).length, 1, 'reported once');
    const published = records(proxy, 'good.test');
    t.true(published[0]!.verification.ok, "tlswitness's verdict");
    t.false(published.at(-1)!.verification.ok, "amended with OpenSSL's refusal");
    const logged = proxy.events.filter((e) => e.type === 'request');
    t.deepEqual(
      logged.map((e) => [e.status, e.blocked, e.handshakeId]),
      [
        [502, published0Problem(proxy), published[0]!.id],
        [502, published0Problem(proxy), published[0]!.id],
      ],
      'both requests logged as blocked, linked to the record',
    );
  } finally {
    await proxy.close();
    await origin.close();
  }
});
