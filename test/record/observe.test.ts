// The record stage on real handshakes: OpenSSL's own verdict on the probe's connection, compared with
// tlswitness's (a clock moved for tlswitness alone makes the two disagree), and the judgements run on
// gathered inputs with the run's memory passed in and returned.
import test, { type ExecutionContext } from 'ava';
import { createServer, type AddressInfo } from 'node:net';
import { parseProxyUrl } from '../../src/net/proxy-url.js';
import { EMPTY_RESIGNED } from '../../src/diagnose/resigned-memory.js';
import { parseResolve } from '../../src/net/target.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { renderHandshake } from '../../src/report/handshake-text.js';
import { gatherHandshake, judgeHandshake, observeHandshake, type HandshakeRequest } from '../../src/record/observe.js';
import { anchorPems } from '../../src/record/assemble.js';
import { observeTarget } from '../../src/tls/observe-target.js';
import { makeFixtures, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';

const DAY = 86_400_000;

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function request(name: string, port: number, crossCheck: boolean): HandshakeRequest {
  const host = fixtures.pki.scenarios[name]!.host ?? '127.0.0.1';
  return {
    id: 'h-test',
    target: { host, port },
    resolve: parseResolve(host === '127.0.0.1' ? [] : [`${host}:${port}:127.0.0.1`]),
    proxy: null,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    alpn: ['http/1.1'],
    client: null,
    timeoutMs: 5000,
    fetchMissing: false,
    crossCheck,
  };
}

const disagreements = (record: { warnings: Array<{ code: string }> }) =>
  record.warnings.filter((w) => w.code === 'VERIFIER_DISAGREEMENT');

test('OpenSSL and tlswitness agree on the fixture chains, names included (an IP target has no SNI), in TLS 1.3 and 1.2', async (t) => {
  // OpenSSL is given only the anchors the served chain reaches, once the probe has read it (TLS 1.2
  // sends it in the clear, 1.3 encrypted): given too early or too few, it would refuse the valid chains.
  const trust = fixtureTrust(fixtures.pki, [fixtures.pki.unknownRoot.pem, fixtures.pki.corporateRoot.pem]);
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    for (const name of ['valid', 'expired', 'mismatch', 'ipSan', 'unknownRoot', 'incomplete']) {
      const server = await startScenarioServer(fixtures.pki.scenarios[name]!);
      try {
        const record = await observeHandshake({ ...request(name, server.port, true), maxVersion }, trust);
        t.is(record.tls.protocol, maxVersion);
        t.deepEqual(disagreements(record), [], `${name}, ${maxVersion}`);
      } finally {
        await server.close();
      }
    }
  }
});

test('a disagreement goes into the record and the text: tlswitness judges a year later, OpenSSL now', async (t) => {
  const trust = fixtureTrust(fixtures.pki);
  const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
  const later = () => new Date(Date.now() + 400 * DAY);
  try {
    const record = await observeHandshake(request('valid', server.port, true), trust, later);
    t.is(record.verification.code, 'CERT_HAS_EXPIRED');
    const json = JSON.parse(JSON.stringify(record));
    t.is(disagreements(json).length, 1);
    t.regex(
      json.warnings[0].message,
      /verifier says CERT_HAS_EXPIRED \(certificate has expired\) but OpenSSL's own verification of this handshake says ok/,
    );
    t.regex(
      renderHandshake(record, later()),
      /\nWarning: tlswitness's verifier says CERT_HAS_EXPIRED .* says ok: trust OpenSSL's verdict/,
    );
    const unchecked = await observeHandshake(request('valid', server.port, false), trust, later);
    t.deepEqual(disagreements(unchecked), [], 'without the cross-check (the proxy recorder) OpenSSL gives no verdict');
  } finally {
    await server.close();
  }
});

// No chain makes the built CLI show this (the differential test holds the verifier to Node's OpenSSL on
// the same chain, anchors and name): a clock moved for tlswitness alone stands in for a verifier bug.
test('OpenSSL refuses what tlswitness accepts: the record carries the refusal, so inspect exits 1, never 0', async (t) => {
  const trust = fixtureTrust(fixtures.pki);
  const server = await startScenarioServer(fixtures.pki.scenarios.notYetValid!);
  const later = () => new Date(Date.now() + 60 * DAY);
  try {
    const record = await observeHandshake(request('notYetValid', server.port, true), trust, later);
    t.is(disagreements(record).length, 1);
    t.regex(record.warnings[0]!.message, /verifier says ok but OpenSSL's own verification/);
    t.like(record.verification, { ok: false, code: 'CERT_NOT_YET_VALID', opensslCode: 9 });
    t.like(record.verification.openssl, { ok: false, code: 'CERT_NOT_YET_VALID', opensslCode: 9 });
    t.regex(
      record.verification.detail ?? '',
      /^OpenSSL refused this handshake \(CERT_NOT_YET_VALID \(9\): certificate is not yet valid\); tlswitness's verifier said ok$/,
    );
    t.is(record.diagnosis.problem, 'not-yet-valid');
    t.is(record.diagnosis.confidence, 'medium');
    t.regex(record.diagnosis.summary, /^OpenSSL refused this handshake .*; a careful client .* refuses it too\. /);
    t.regex(record.diagnosis.action, /VERIFIER_DISAGREEMENT/);
    t.is(exitCodeFor(record.diagnosis.problem, record.interception.detected), 1);
    t.regex(renderHandshake(record, later()), /Verify return code: 9 \(certificate is not yet valid\)/);
    // Without the cross-check there is no OpenSSL verdict, and tlswitness's own stands.
    const unchecked = await observeHandshake(request('notYetValid', server.port, false), trust, later);
    t.true(unchecked.verification.ok);
  } finally {
    await server.close();
  }
});

test('two public hosts re-signed by one unknown issuer, gathered concurrently: each judged once on the memory as it stands, which comes back', async (t) => {
  // The public roots do not hold the unknown root: a public host under it needs the host classified.
  const trust = fixtureTrust(fixtures.pki);
  const server = await startScenarioServer(fixtures.pki.scenarios.unknownRoot!);
  const hostRequest = (host: string): HandshakeRequest => ({
    ...request('unknownRoot', server.port, false),
    id: host,
    target: { host, port: server.port },
    resolve: parseResolve([`${host}:${server.port}:127.0.0.1`]),
  });
  try {
    const [alpha, beta] = await Promise.all([
      gatherHandshake(hostRequest('www.alpha-shop.com'), trust),
      gatherHandshake(hostRequest('www.beta-bank.com'), trust),
    ]);
    t.not(alpha.parseHost, null, 'the public suffix parser is loaded because the complete record needs it');
    const first = judgeHandshake(alpha, EMPTY_RESIGNED);
    const second = judgeHandshake(beta, first.resigned);
    t.is(EMPTY_RESIGNED.size, 0, 'the memory given in is left as it was');
    t.deepEqual(
      [...second.resigned.values()].map((issuer) => issuer.domains),
      [['alpha-shop.com', 'beta-bank.com']],
    );
    t.false(first.record.interception.detected);
    t.true(second.record.interception.detected);
    t.regex(
      second.record.interception.reason,
      /signs unrelated public hosts in this run \(alpha-shop\.com, beta-bank\.com\)/,
    );
    t.is(second.record.diagnosis.liability, 'network', 'the diagnosis reads the interception verdict');
    // The same inputs judged without the run's memory: one host alone is no sign.
    t.false(judgeHandshake(beta, EMPTY_RESIGNED).record.interception.detected);
    t.deepEqual(Object.keys(second.record), [
      'type',
      'schemaVersion',
      'id',
      'time',
      'target',
      'via',
      'proxy',
      'tls',
      'chain',
      'trust',
      'verification',
      'diagnosis',
      'chainAnalysis',
      'clientCertificate',
      'warnings',
      'interception',
      'failure',
      'timing',
      'weakCrypto',
    ]);
  } finally {
    await server.close();
  }
});

test("the cross-checked handshake starts with the anchor stores, before the rest of the trust (certifi's python3) is ready", async (t) => {
  const trust = fixtureTrust(fixtures.pki);
  const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
  t.teardown(() => server.close());
  // The server derives its first keys once the ClientHello is in: the handshake is under way.
  const handshaken = new Promise<void>((resolve) => server.server.once('keylog', () => resolve()));
  let release: (value: typeof trust) => void = () => undefined;
  const slowTrust = new Promise<typeof trust>((resolve) => (release = resolve));
  const observing = observeHandshake(
    { ...request('valid', server.port, true), anchorStores: Promise.resolve(trust) },
    slowTrust,
  );
  // The handshake runs while the full trust context is still pending.
  await handshaken;
  release(trust);
  const record = await observing;
  t.true(record.verification.ok);
  t.deepEqual(disagreements(record), [], 'OpenSSL verified against the anchor stores');
});

test('the handshake starts before the anchor stores are loaded: begun is called, the Certificate waits for them, OpenSSL judges with them', async (t) => {
  const trust = fixtureTrust(fixtures.pki);
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
    try {
      // A TLS 1.3 server derives its first keys once the ClientHello is in (TLS 1.2's come after the Certificate).
      const handshaken =
        maxVersion === 'TLSv1.3'
          ? new Promise<void>((resolve) => server.server.once('keylog', () => resolve()))
          : Promise.resolve();
      let begin: () => void = () => undefined;
      const begun = new Promise<void>((resolve) => (begin = resolve));
      // As inspect loads them: only once the handshake has begun.
      const stores = begun.then(() => handshaken).then(() => trust);
      const anchorsFor = async () => {
        const loaded = await stores;
        return { key: loaded, pems: () => anchorPems(loaded), reachable: () => anchorPems(loaded) };
      };
      const observation = await observeTarget(
        { ...request('valid', server.port, true), maxVersion, begun: begin },
        new Date(),
        anchorsFor,
      );
      t.is(observation.probe?.protocol, maxVersion);
      t.true(observation.probe?.openssl?.ok, `${maxVersion}: OpenSSL verified against the anchors that came late`);
    } finally {
      await server.close();
    }
  }
});

test('stores that fail to load while the handshake waits for them: the run fails with their error, not a timeout', async (t) => {
  const server = await startScenarioServer(fixtures.pki.scenarios.valid!);
  t.teardown(() => server.close());
  const failed = Promise.reject(new Error('--extra-ca corp.pem: no such file'));
  failed.catch(() => undefined);
  const started = Date.now();
  await t.throwsAsync(
    observeHandshake(
      {
        ...request('valid', server.port, true),
        timeoutMs: 20_000,
        anchorStores: failed as never,
        begun: () => undefined,
      },
      failed as never,
    ),
    { message: /no such file/ },
  );
  t.true(Date.now() - started < 10_000, 'the gate opened when the stores failed');
});

/** An upstream proxy that takes connections and never answers CONNECT: a connection slow to open. */
async function silentProxy(t: ExecutionContext) {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => silent.close());
  return parseProxyUrl(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, 'upstream-proxy');
}

test("a store that fails to load is the run's error at once, even while the connection is slow to open", async (t) => {
  const proxy = await silentProxy(t);
  const failed = Promise.reject(new Error('--extra-ca corp.pem: no such file'));
  failed.catch(() => undefined);
  const started = Date.now();
  await t.throwsAsync(
    observeHandshake(
      { ...request('valid', 443, true), proxy, timeoutMs: 30_000, anchorStores: failed as never },
      failed as never,
    ),
    { message: /no such file/ },
  );
  t.true(Date.now() - started < 10_000, 'the error did not wait for the connection');
});

test('begun is called while a connection is slow to open: the stores load beside it', async (t) => {
  const proxy = await silentProxy(t);
  let begin: () => void = () => undefined;
  const begun = new Promise<void>((resolve) => (begin = resolve));
  const stores = begun.then(() => fixtureTrust(fixtures.pki));
  const observing = observeHandshake(
    { ...request('valid', 443, true), proxy, timeoutMs: 3_000, anchorStores: stores, begun: begin },
    stores,
  );
  // The connection gives up after 3 s; begun comes long before.
  const waited = await Promise.race([
    begun.then(() => 'begun'),
    new Promise((resolve) => setTimeout(resolve, 1_500, 'still waiting')),
  ]);
  t.is(waited, 'begun');
  await observing;
});
