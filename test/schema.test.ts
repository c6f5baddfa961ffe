// Real outputs of every --json command and of a proxy session's NDJSON against the published JSON
// Schemas (docs/schema/), every field documented; and the schemas only add to the released ones.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incompatibilities } from '../scripts/schema-compat.js';
import type { ProxyEvent } from '../src/events.js';
import { SCHEMA_VERSION } from '../src/schema-version.js';
import { startCliProxy } from './helpers/cli-proxy.js';
import { cleanEnv, closedPort, makeFixtures, runCli, startScenarioServer, type Fixtures } from './helpers/fixtures.js';
import { opensslPkcs12 } from './helpers/pkcs12.js';
import { fetchViaProxy, startHttpsOrigin } from './helpers/proxy.js';
import { closed, compileSchemas, readSchemas, SCHEMA_DIR, type Schema } from './helpers/schemas.js';

const schemas = readSchemas();
const open = compileSchemas(schemas);
// The published schemas accept fields they do not list (SPEC: records may carry more fields); this
// twin does not, so a field the code writes and the schema does not document fails here.
const documented = compileSchemas(schemas, (schema) => closed(schema) as typeof schema);

let fixtures: Fixtures;
let dir: string;
test.before(async () => {
  fixtures = await makeFixtures();
  dir = mkdtempSync(join(tmpdir(), 'tlswitness-schema-'));
});
test.after.always(async () => fixtures?.close());

function conforms(t: ExecutionContext, file: string, value: unknown, label: string): void {
  t.deepEqual(open.check(file, value), [], `${label} is valid against ${file}`);
  t.deepEqual(documented.check(file, value), [], `${label}: every field is documented in ${file}`);
  t.is((value as { schemaVersion?: unknown }).schemaVersion, SCHEMA_VERSION, `${label} carries schemaVersion`);
}

function parsed(t: ExecutionContext, result: { code: number; stdout: string; stderr: string }, label: string): unknown {
  try {
    return JSON.parse(result.stdout);
  } catch {
    t.fail(`${label}: exit ${result.code}, no JSON on stdout: ${result.stderr}`);
    return null;
  }
}

/** Whether a dotted path (`chain[0].notAfter`) names a property of `schema`, following local $refs into `root`. */
function resolves(schema: Schema, root: Schema, path: string): boolean {
  let node: Schema | undefined = schema;
  for (const part of path.split('.')) {
    const [name, index] = [part.replace(/\[\d+\]$/, ''), /\[\d+\]$/.test(part)];
    node = follow(node, root);
    node = (node?.properties as Record<string, Schema> | undefined)?.[name];
    if (node && index) node = follow(node, root)?.items as Schema | undefined;
    if (!node) return false;
  }
  return true;
}

function follow(node: Schema | undefined, root: Schema): Schema | undefined {
  const ref = node?.$ref;
  if (typeof ref !== 'string') return node;
  const local = ref.replace(/^handshake-record\.schema\.json/, '');
  return local.startsWith('#/$defs/')
    ? (root.$defs as Record<string, Schema>)[local.slice('#/$defs/'.length)]
    : undefined;
}

const publicRoots = () => fixtures.pki.files['public-roots.pem']!;

test('the schemas compile in ajv strict mode, one per --json output and one for the events', (t) => {
  t.deepEqual(
    [...schemas.keys()],
    ['cert', 'detect', 'doctor', 'events', 'explain', 'handshake-record', 'inspect', 'verify'].map(
      (name) => `${name}.schema.json`,
    ),
  );
  for (const [file, schema] of schemas) {
    t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
    t.is(schema.$id, file, `${file}: $id is the file name, so the relative $refs resolve next to it`);
  }
});

test('events.schema.json has a branch for every event type the proxy publishes', (t) => {
  // Adding an event type to ProxyEvent without listing it here does not typecheck.
  const published: Record<ProxyEvent['type'], true> = {
    handshake: true,
    request: true,
    'client-tls-error': true,
    error: true,
    evidence: true,
  };
  const branches = (
    schemas.get('events.schema.json')!.oneOf as Array<{ $ref?: string; properties?: { type?: { const?: string } } }>
  ).map((b) => (b.$ref === 'handshake-record.schema.json' ? 'handshake' : b.properties?.type?.const));
  t.deepEqual(branches.sort(), Object.keys(published).sort());
});

test('inspect --json: the record of every kind of outcome', async (t) => {
  const refuser = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
  const refuserPort = (refuser.address() as AddressInfo).port;
  const names = [
    'valid',
    'incomplete',
    'expired',
    'notYetValid',
    'selfSigned',
    'mismatch',
    'wrongOrder',
    'corporate',
    'ipSan',
    'mtls',
    'weakKey',
  ];
  const servers = await Promise.all(
    names.map((name) =>
      startScenarioServer(fixtures.pki.scenarios[name]!, { clientCAs: [fixtures.pki.clientRoot.pem] }),
    ),
  );
  try {
    const runs = names.map((name, i) => {
      const scenario = fixtures.pki.scenarios[name]!;
      const host = scenario.host ?? '127.0.0.1';
      const port = servers[i]!.port;
      const args = ['inspect', `${host}:${port}`, '--json', '--public-roots', publicRoots()];
      if (scenario.host) args.push('--resolve', `${host}:${port}:127.0.0.1`);
      if (name === 'incomplete') args.push('--fetch-missing');
      if (name === 'corporate') args.push('--extra-ca', fixtures.pki.files['corporate-root.pem']!);
      return { label: `inspect ${name}`, run: runCli(args) };
    });
    runs.push({
      label: 'inspect (connection refused)',
      run: runCli(['inspect', `127.0.0.1:${await closedPort()}`, '--json']),
    });
    runs.push({
      label: 'inspect (reset during the handshake)',
      run: runCli(['inspect', `127.0.0.1:${refuserPort}`, '--json']),
    });
    const problems = new Set<string>();
    for (const { label, run } of runs) {
      const record = parsed(t, await run, label) as { diagnosis: { problem: string } };
      conforms(t, 'inspect.schema.json', record, label);
      conforms(t, 'events.schema.json', record, `${label} as an event`);
      problems.add(record.diagnosis.problem);
    }
    // The runs cover the record's optional and nullable parts, not only the happy path.
    for (const problem of [
      'ok',
      'incomplete-chain',
      'expired',
      'hostname-mismatch',
      'client-cert-required',
      'weak-crypto',
      'connection-failed',
      'handshake-failed',
    ])
      t.true(problems.has(problem), problem);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    refuser.close();
  }
});

test('verify --json: a chain that verifies and one that does not', async (t) => {
  for (const name of ['valid', 'incomplete']) {
    const scenario = fixtures.pki.scenarios[name]!;
    const file = join(dir, `${name}-chain.pem`);
    writeFileSync(file, scenario.sent.join(''));
    const result = await runCli(['verify', file, '--host', scenario.host!, '--public-roots', publicRoots(), '--json']);
    t.is(result.code, name === 'valid' ? 0 : 1);
    conforms(t, 'verify.schema.json', parsed(t, result, `verify ${name}`), `verify ${name}`);
  }
});

test('detect --json: a clean target and an unreachable one', async (t) => {
  const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
  try {
    const down = await closedPort();
    const result = await runCli([
      'detect',
      `valid.example.com:${server.port}`,
      `127.0.0.1:${down}`,
      '--json',
      '--public-roots',
      publicRoots(),
      '--resolve',
      `valid.example.com:${server.port}:127.0.0.1`,
    ]);
    const output = parsed(t, result, 'detect') as { targets: unknown[] };
    conforms(t, 'detect.schema.json', output, 'detect');
    t.is(output.targets.length, 2);
  } finally {
    await server.close();
  }
});

test('explain --json: recognised and not', async (t) => {
  const known = await runCli([
    'explain',
    '--json',
    'curl: (60) SSL certificate problem: unable to get local issuer certificate',
  ]);
  t.is(known.code, 0);
  conforms(t, 'explain.schema.json', parsed(t, known, 'explain'), 'explain (recognised)');
  const unknown = await runCli(['explain', '--json', 'the printer is on fire']);
  t.is(unknown.code, 3);
  conforms(t, 'explain.schema.json', parsed(t, unknown, 'explain'), 'explain (not recognised)');
});

test('cert --json: a PEM chain and a PKCS#12 file', async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const pem = join(dir, 'cert-chain.pem');
  writeFileSync(pem, scenario.sent.join(''));
  conforms(t, 'cert.schema.json', parsed(t, await runCli(['cert', pem, '--json']), 'cert pem'), 'cert pem');
  const p12 = opensslPkcs12(dir, 'cert-schema', scenario.sent, scenario.keyPem, 'pw', 'default');
  const result = await runCli(['cert', p12, '--password', 'pw', '--json']);
  const output = parsed(t, result, 'cert p12') as { pkcs12?: unknown };
  conforms(t, 'cert.schema.json', output, 'cert p12');
  t.truthy(output.pkcs12);
});

test('doctor --json', async (t) => {
  const result = await runCli(
    ['doctor', '--json', '--extra-ca', fixtures.pki.files['corporate-root.pem']!],
    cleanEnv({ HTTPS_PROXY: 'http://user:secret@127.0.0.1:3128', NODE_TLS_REJECT_UNAUTHORIZED: '0' }),
  );
  conforms(t, 'doctor.schema.json', parsed(t, result, 'doctor'), 'doctor');
});

test('a proxy session: every NDJSON line of --log is a valid event, of every type', async (t) => {
  const valid = await startHttpsOrigin(fixtures.pki.scenarios.valid!);
  const expired = await startHttpsOrigin(fixtures.pki.scenarios.expired!);
  const certsDir = mkdtempSync(join(tmpdir(), 'tlswitness-schema-proxy-'));
  const log = join(certsDir, 'events.ndjson');
  const proxy = startCliProxy(
    [
      'proxy',
      '--port',
      '0',
      '--json',
      '--log',
      log,
      '--certs-dir',
      certsDir,
      '--evidence-dir',
      join(certsDir, 'evidence'),
      '--public-roots',
      publicRoots(),
      '--resolve',
      `valid.example.com:${valid.port}:127.0.0.1`,
      '--resolve',
      `expired.example.com:${expired.port}:127.0.0.1`,
    ],
    cleanEnv(),
  );
  try {
    const port = await proxy.port;
    const ca = readFileSync(join(certsDir, 'ca', 'certs', 'ca.pem'), 'utf8');
    t.is(
      (
        await fetchViaProxy(port, `https://valid.example.com:${valid.port}/?token=secret-value`, ca, {
          authorization: 'Bearer x',
        })
      ).status,
      200,
    );
    t.is((await fetchViaProxy(port, `https://expired.example.com:${expired.port}/`, ca)).status, 502);
    // An app that does not trust the proxy's CA: client-tls-error.
    await t.throwsAsync(fetchViaProxy(port, `https://valid.example.com:${valid.port}/`, null));
    // A CONNECT the proxy refuses: error.
    await new Promise<void>((resolve) => {
      const socket = createConnection(port);
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.end('CONNECT not-a-target HTTP/1.1\r\nHost: not-a-target\r\n\r\n');
      socket.resume();
    });
    const seen = () =>
      new Set(
        proxy
          .output()
          .stdout.split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { type: string }).type),
      );
    for (let i = 0; i < 100 && seen().size < 5; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.child.kill('SIGINT');
    t.is(await proxy.exited, 0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const types = new Set<string>();
    lines.forEach((line, i) => {
      const event = JSON.parse(line) as { type: string };
      types.add(event.type);
      conforms(t, 'events.schema.json', event, `event ${i + 1} (${event.type})`);
    });
    t.deepEqual([...types].sort(), ['client-tls-error', 'error', 'evidence', 'handshake', 'request']);
  } finally {
    proxy.child.kill('SIGKILL');
    await valid.close();
    await expired.close();
  }
});

test('the fields docs/log-pipelines.md tells to index exist in the schemas', (t) => {
  const doc = readFileSync(join(SCHEMA_DIR, '..', 'log-pipelines.md'), 'utf8');
  const paragraph = doc.slice(
    doc.indexOf('Fields worth indexing'),
    doc.indexOf('\n\n', doc.indexOf('Fields worth indexing')),
  );
  const fields = [...paragraph.matchAll(/`([a-zA-Z][\w.[\]]*)`/g)]
    .map((m) => m[1]!)
    .filter((f) => !f.endsWith('.json') && f !== 'request');
  t.true(fields.length >= 8, fields.join(', '));
  const record = schemas.get('handshake-record.schema.json')!;
  const request = (schemas.get('events.schema.json')!.oneOf as Schema[]).find(
    (b) => (b.properties as Record<string, Schema> | undefined)?.type?.const === 'request',
  )!;
  for (const field of fields) t.true(resolves(record, record, field) || resolves(request, record, field), field);
});

test('the schemas only add to the released 1.0 (no field removed, no type narrowed, nothing newly required)', (t) => {
  const released = readSchemas(join(SCHEMA_DIR, 'released', '1.0'));
  t.deepEqual(
    [...released.keys()].filter((file) => !schemas.has(file)),
    [],
    'no schema file removed',
  );
  for (const [file, old] of released) t.deepEqual(incompatibilities(old, schemas.get(file)!), [], file);
});
