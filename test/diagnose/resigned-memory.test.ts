// The run's memory of re-signing issuers stays bounded over thousands of hosts, and so does every
// record that quotes it; the verdict takes the memory in and returns a new one. Pure.
import test from 'ava';
import { judgeInterception } from '../../src/diagnose/interception.js';
import { loadHostParser } from '../../src/record/host-parser.js';
import {
  EMPTY_RESIGNED,
  RESIGNED_LIMITS,
  rememberResigned,
  type ResignedMemory,
} from '../../src/diagnose/resigned-memory.js';
import type { ChainEntry, HandshakeRecord } from '../../src/types.js';

const ACME = 'CN=Acme Inspection Root,O=Acme Gateway';

/** A leaf-only chain for a public host that anchors nowhere: what an uncatalogued interceptor shows. */
function unjudged(host: string, issuer: string): HandshakeRecord {
  return {
    type: 'handshake',
    schemaVersion: '1.0',
    id: host,
    time: '2026-11-23T00:00:00.000Z',
    target: { host, port: 443, servername: host, address: '127.0.0.1' },
    via: 'direct',
    proxy: null,
    tls: { protocol: 'TLSv1.3', cipher: null, alpn: null },
    chain: [
      { subject: `CN=${host}`, issuer, spkiSha256: `spki-${host}`, isCA: false, authorityKeyId: null } as ChainEntry,
    ],
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
  };
}

/** Every distinct-issuer domain count and the memory's size, as a long proxy run would leave them. */
function size(memory: ResignedMemory): { issuers: number; domains: number } {
  return { issuers: memory.size, domains: [...memory.values()].reduce((n, entry) => n + entry.domains.length, 0) };
}

test('5,000 public hosts re-signed by one uncatalogued issuer: the memory and each record stay the same size', async (t) => {
  const parseHost = await loadHostParser();
  let memory = EMPTY_RESIGNED;
  const bytes: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const record = unjudged(`www.host${i}.com`, ACME);
    const judged = judgeInterception(record, {
      parseHost,
      address: '127.0.0.1',
      addressFromDns: false,
      resigned: memory,
    });
    memory = judged.resigned!;
    t.is(judged.interception.detected, i > 0);
    bytes.push(JSON.stringify({ ...record, interception: judged.interception }).length);
  }
  t.deepEqual(size(memory), { issuers: 1, domains: RESIGNED_LIMITS.domainsPerIssuer });
  // The record names a sample and a count, never every host of the run.
  t.is(
    bytes[4999],
    bytes[1000],
    `record ${bytes[1000]} bytes after 1,000 hosts, ${bytes[4999]} after 5,000 (names of the same length)`,
  );
  t.true(bytes[4999]! < 2500, `${bytes[4999]} bytes`);
  const last = judgeInterception(unjudged('www.last.com', ACME), {
    parseHost,
    address: '127.0.0.1',
    addressFromDns: false,
    resigned: memory,
  }).interception;
  t.regex(
    last.reason,
    /^"CN=Acme Inspection Root,O=Acme Gateway" signs unrelated public hosts in this run \(host0\.com, host1\.com, host2\.com, host3\.com, host4\.com, 16 or more in all\)/,
  );
  t.like(last.evidence as object, {
    hosts: ['host0.com', 'host1.com', 'host2.com', 'host3.com', 'host4.com'],
    hostCount: 16,
    hostCountAtLeast: true,
  });
});

test('5,000 hosts each under its own issuer: only the most recently seen issuers are kept', async (t) => {
  const parseHost = await loadHostParser();
  let memory = EMPTY_RESIGNED;
  for (let i = 0; i < 5000; i++) {
    memory = judgeInterception(unjudged(`www.host${i}.com`, `CN=Issuer ${i}`), {
      parseHost,
      address: '127.0.0.1',
      addressFromDns: false,
      resigned: memory,
    }).resigned!;
  }
  t.deepEqual(size(memory), { issuers: RESIGNED_LIMITS.issuers, domains: RESIGNED_LIMITS.issuers });
  t.true(memory.has('CN=Issuer 4999'));
  t.false(memory.has('CN=Issuer 0'));
});

test('the memory given in is never changed; the least recently seen issuer goes first', (t) => {
  const limits = { issuers: 2, domainsPerIssuer: 3 };
  const a = rememberResigned(EMPTY_RESIGNED, 'A', 'a.com', limits);
  const ab = rememberResigned(a, 'B', 'b.com', limits);
  t.deepEqual([...a.keys()], ['A']);
  t.is(EMPTY_RESIGNED.size, 0);
  // A seen again: B is now the least recently seen, and is dropped for C.
  const touched = rememberResigned(ab, 'A', 'a2.com', limits);
  const abc = rememberResigned(touched, 'C', 'c.com', limits);
  t.deepEqual([...abc.keys()], ['A', 'C']);
  t.deepEqual(abc.get('A')!.domains, ['a.com', 'a2.com']);
  t.deepEqual(ab.get('A')!.domains, ['a.com']);
  // Past the cap the first domains stay: the first host of an issuer is the one `detect` settles.
  let full = abc;
  for (const domain of ['a3.com', 'a4.com', 'a.com']) full = rememberResigned(full, 'A', domain, limits);
  t.deepEqual(full.get('A')!.domains, ['a.com', 'a2.com', 'a3.com']);
});

test('a verdict outside a run (no memory) remembers nothing', async (t) => {
  const parseHost = await loadHostParser();
  const judged = judgeInterception(unjudged('www.example.com', ACME), {
    parseHost,
    address: '127.0.0.1',
    addressFromDns: false,
  });
  t.is(judged.resigned, undefined);
  t.false(judged.interception.detected);
});
