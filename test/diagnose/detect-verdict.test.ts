// detect's verdicts on hand-built records: each target's state from its own record, the overall
// verdict from the targets, and the re-signing rule settled once the whole run is in; pure.
import test from 'ava';
import { detectExitCode, detectVerdict, settleRun, targetVerdict } from '../../src/diagnose/detect-verdict.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { judgeInterception } from '../../src/diagnose/interception.js';
import { loadHostParser } from '../../src/record/host-parser.js';
import { EMPTY_RESIGNED, type ResignedMemory } from '../../src/diagnose/resigned-memory.js';
import type { ChainEntry, HandshakeRecord } from '../../src/types.js';

const ACME = 'CN=Acme Inspection Root,O=Acme Gateway';

function entry(subject: string, issuer: string, spki = `spki-${subject}`): ChainEntry {
  return { subject, issuer, spkiSha256: spki, isCA: false, authorityKeyId: null } as ChainEntry;
}

/** A record as the probe would leave it before judging: a leaf-only chain that anchors nowhere. */
function unjudged(host: string, issuer = ACME, overrides: Partial<HandshakeRecord> = {}): HandshakeRecord {
  return {
    type: 'handshake',
    schemaVersion: '1.0',
    id: host,
    time: '2026-11-23T00:00:00.000Z',
    target: { host, port: 443, servername: host, address: '127.0.0.1' },
    via: 'direct',
    proxy: null,
    tls: { protocol: 'TLSv1.3', cipher: null, alpn: null },
    chain: [entry(`CN=${host}`, issuer)],
    trust: { public: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', system: 'not-configured', extra: 'not-configured' },
    verification: {
      ok: false,
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      opensslCode: 21,
      message: 'unable to verify the first certificate',
    },
    diagnosis: { problem: 'ok', liability: 'none', confidence: 'low', summary: '', action: '' },
    chainAnalysis: {
      missingIssuer: issuer,
      fetched: null,
      extraCerts: 0,
      containsAnchor: false,
      inOrder: true,
      path: [0],
      anchor: null,
      anchorStore: null,
      aiaCaIssuers: [],
    },
    clientCertificate: { requested: false, acceptableCAs: [], presented: null },
    warnings: [],
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure: null,
    timing: { connectMs: 1, handshakeMs: 1 },
    ...overrides,
  };
}

/** Judged as a run does it: interception with the run's memory, then the diagnosis. */
function judge(
  record: HandshakeRecord,
  run: { memory: ResignedMemory },
  parseHost: Awaited<ReturnType<typeof loadHostParser>>,
  ownCas = [] as Array<{ subject: string; subjectKeyId: string | null; spkiSha256: string }>,
): HandshakeRecord {
  const { interception, resigned } = judgeInterception(record, {
    parseHost,
    address: record.target.address,
    addressFromDns: false,
    resigned: run.memory,
    ownCas,
  });
  run.memory = resigned!;
  const judged = { ...record, interception };
  return { ...judged, diagnosis: diagnose(judged) };
}

test('one issuer on unrelated public hosts: every one of them is intercepted once the run is settled, whichever came first', async (t) => {
  const parseHost = await loadHostParser();
  for (const order of [
    ['api.openai.com', 'pypi.org'],
    ['pypi.org', 'api.openai.com'],
  ]) {
    const run = { memory: EMPTY_RESIGNED };
    const records = order.map((host) => judge(unjudged(host), run, parseHost));
    t.false(records[0]!.interception.detected, 'alone, the first could not tell');
    t.true(records[1]!.interception.detected);
    const settled = settleRun(records, run.memory, parseHost);
    for (const record of settled) {
      t.true(record.interception.detected, record.target.host);
      t.is(record.diagnosis.liability, 'network', record.target.host);
      t.is(
        record.diagnosis.problem,
        'unknown-ca',
        'a leaf-only interceptor chain is not a server missing its intermediate',
      );
    }
    t.is(detectVerdict(settled, 'direct').verdict, 'intercepted');
  }
});

test('clean needs every target anchored in the public roots; one that anchors nowhere makes the run inconclusive', async (t) => {
  const parseHost = await loadHostParser();
  const publicAnchor = {
    trust: { public: 'CERT_HAS_EXPIRED', system: 'not-configured', extra: 'not-configured' },
    chainAnalysis: { ...unjudged('x').chainAnalysis, anchor: 'CN=Public Root', anchorStore: 'public' as const },
  };
  const expired = judge(
    unjudged('expired.example.com', 'CN=Public CA', publicAnchor),
    { memory: EMPTY_RESIGNED },
    parseHost,
  );
  const selfSigned = judge(
    unjudged('self-signed.example.com', 'CN=self-signed.example.com'),
    { memory: EMPTY_RESIGNED },
    parseHost,
  );
  t.is(targetVerdict(expired).state, 'clean');
  t.is(targetVerdict(selfSigned).state, 'unanchored');
  t.is(detectVerdict([expired], 'direct').verdict, 'clean');
  const both = detectVerdict([expired, selfSigned], 'direct');
  t.is(both.verdict, 'inconclusive');
  t.is(detectExitCode(both), 3);
  t.regex(both.reason, /1 target anchored in no public root/);
});

test("any tlswitness CA, by name or by this certs dir's key, is a run through tlswitness's proxy: not interception, not clean", async (t) => {
  const parseHost = await loadHostParser();
  const viaEnv = { via: 'env-proxy' as const, proxy: 'http://127.0.0.1:8080' };
  const otherInstall = judge(
    unjudged('api.example.com', 'CN=tlswitness CA 6b07817f,OU=laptop 6b07817f,O=tlswitness local CA', viaEnv),
    { memory: EMPTY_RESIGNED },
    parseHost,
  );
  t.true(otherInstall.interception.ownProxy);
  t.false(otherInstall.interception.detected);
  t.is(otherInstall.diagnosis.liability, 'client');
  t.regex(
    otherInstall.diagnosis.summary,
    /^HTTPS_PROXY \(http:\/\/127\.0\.0\.1:8080\) points at tlswitness's own proxy: this run measured the proxy, not the network/,
  );
  t.is(otherInstall.diagnosis.action, 'run with --no-env-proxy or in a shell without `ca env`');
  // A renamed CA is still recognised by its key when it sent itself.
  const record = unjudged('api.example.com', 'CN=Renamed', viaEnv);
  record.chain.push(entry('CN=Renamed', 'CN=Renamed', 'OWN-KEY'));
  const byKey = judge(record, { memory: EMPTY_RESIGNED }, parseHost, [
    { subject: 'CN=Something Else', subjectKeyId: null, spkiSha256: 'OWN-KEY' },
  ]);
  t.true(byKey.interception.ownProxy);
  const result = detectVerdict([byKey], 'env-proxy');
  t.is(result.verdict, 'inconclusive');
  t.is(result.verdicts[0]!.state, 'own-proxy');
  t.regex(result.reason, /--no-env-proxy/);
});
