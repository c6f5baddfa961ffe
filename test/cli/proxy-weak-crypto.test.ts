// Through the CLI proxy, an upstream whose key only a level-2 client refuses (RSA-1024: Node accepts it)
// is recorded weak-crypto, blocked with a page that names the refusing clients, and its TUI row says WEAK CRYPTO.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verdictOf } from '../../src/tui/verdict.js';
import type { HandshakeRecord } from '../../src/types.js';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { cleanEnv, makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fetchViaProxy, startHttpsOrigin } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('RSA-1024 upstream: weak-crypto record, 502 naming the clients that refuse, WEAK CRYPTO in the terminal UI', async (t) => {
  const scenario = fixtures.pki.scenarios.rsa1024!;
  const origin = await startHttpsOrigin(scenario);
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-weak-'));
  const proxy = startCliProxy(
    [
      'proxy',
      '--port',
      '0',
      '--json',
      '--certs-dir',
      join(dir, 'certs'),
      '--public-roots',
      fixtures.pki.files['public-roots.pem']!,
      '--resolve',
      `${scenario.host}:${origin.port}:127.0.0.1`,
    ],
    cleanEnv(),
  );
  try {
    const port = await proxy.port;
    const caPem = readFileSync(join(dir, 'certs', 'ca', 'certs', 'ca.pem'), 'utf8');
    const result = await fetchViaProxy(port, `https://${scenario.host}:${origin.port}/`, caPem);
    t.is(result.status, 502, 'not re-signed for the app: a level-2 client would refuse it directly');
    t.is(result.headers['x-tlswitness-problem'], 'weak-crypto');
    t.false(result.body.includes('hello from'));
    t.regex(result.body, /serves a key or signature too weak for a careful client's security level/);
    t.regex(result.body, /Refused by: .*OpenSSL clients \(level \d: curl, Python\) \("EE certificate key too weak"\)/);
    t.regex(result.body, /Verify: {4}0 \(ok\)/, "Node's own verdict is kept");

    // The record is published before the page is sent, on another pipe.
    await proxy.stdoutMatching(/"type":"handshake"/);
    const records = proxy
      .output()
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((e) => e.type === 'handshake') as HandshakeRecord[];
    const record = records.find((r) => r.target.host === scenario.host)!;
    t.is(record.diagnosis.problem, 'weak-crypto');
    t.true(record.verification.ok);
    t.false(record.weakCrypto!.refusedBy.some((r) => r.client.startsWith('Node')));
    t.false(proxy.output().stdout.includes('VERIFIER_DISAGREEMENT'));
    t.deepEqual(verdictOf({ record } as Parameters<typeof verdictOf>[0]), {
      word: 'WEAK CRYPTO',
      tone: 'bad',
      problem: true,
    });
  } finally {
    proxy.child.kill('SIGKILL');
    await origin.close();
  }
});
