// Where each store's path ends, from the record alone: the anchor it holds, the missing issuer, a root it does not trust.
import test from 'ava';
import { storePaths } from '../../src/report/store-paths.js';
import type { ChainEntry, HandshakeRecord } from '../../src/types.js';

type Parts = Parameters<typeof storePaths>[0];

const cert = (subject: string, issuer: string, selfSigned = false): ChainEntry =>
  ({
    subject,
    issuer,
    selfSigned,
    aia: { caIssuers: [`http://ca.example/${issuer}.der`], ocsp: [] },
  }) as unknown as ChainEntry;
const analysis = (over: Partial<HandshakeRecord['chainAnalysis']>): HandshakeRecord['chainAnalysis'] => ({
  missingIssuer: null,
  fetched: null,
  extraCerts: 0,
  containsAnchor: false,
  inOrder: true,
  path: [0],
  anchor: null,
  anchorStore: null,
  aiaCaIssuers: [],
  ...over,
});
const diagnosis = (problem: HandshakeRecord['diagnosis']['problem']) =>
  ({ problem, liability: 'server', confidence: 'high', summary: '', action: '' }) as HandshakeRecord['diagnosis'];

test('a missing intermediate is the gap of every configured store, with the AIA URL that names it; an unset store has no path', (t) => {
  const parts: Parts = {
    chain: [cert('leaf', 'ICA')],
    trust: {
      public: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      system: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      extra: 'not-configured',
    },
    chainAnalysis: analysis({
      missingIssuer: 'ICA',
      aiaCaIssuers: ['http://ca.example/ica.der'],
      fetched: { url: 'http://ca.example/ica.der', ok: true, subject: 'ICA', completesChain: true, error: null },
    }),
    diagnosis: diagnosis('incomplete-chain'),
  };
  const [pub, sys, extra] = storePaths(parts);
  t.deepEqual(pub, {
    store: 'public',
    verdict: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    path: [0],
    end: {
      kind: 'gap',
      title: 'missing intermediate: the server did not send it',
      name: 'ICA',
      aia: ['http://ca.example/ica.der'],
      fetched: 'fetched from http://ca.example/ica.der: ICA, which completes the chain',
      link: 'issuer',
    },
  });
  t.deepEqual(sys!.end, pub!.end);
  t.deepEqual(extra, { store: 'extra', verdict: 'not-configured', path: [], end: { kind: 'not-configured' } });
});

test('stores that verify end at an anchor (named where the record knows it); a failed check past the anchor is still an anchor; others end at their gap', (t) => {
  const parts: Parts = {
    chain: [cert('leaf', 'ICA'), cert('ICA', 'Root')],
    trust: {
      public: 'ok',
      system: 'CERT_HAS_EXPIRED',
      extra: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      certifi: 'ok',
    } as HandshakeRecord['trust'],
    chainAnalysis: analysis({ path: [0, 1], anchor: 'Root', anchorStore: 'public' }),
    diagnosis: diagnosis('ok'),
  };
  const ends = storePaths(parts).map((p) => [
    p.store,
    p.end.kind,
    'name' in p.end ? p.end.name : null,
    'note' in p.end ? p.end.note : 'title' in p.end ? p.end.title : null,
  ]);
  t.deepEqual(ends, [
    ['public', 'anchor', 'Root', 'trust anchor, from the public store'],
    ['system', 'anchor', 'Root', 'trust anchor in the system store'],
    ['extra', 'gap', 'Root', 'no anchor: the issuer is not in this store'],
    ['certifi', 'anchor', 'Root', 'trust anchor in the certifi store'],
  ]);
});

test('a root the server sent: the store either holds that root itself or does not trust it', (t) => {
  const parts: Parts = {
    chain: [cert('leaf', 'Root'), cert('Root', 'Root', true)],
    trust: { public: 'SELF_SIGNED_CERT_IN_CHAIN', system: 'ok', extra: 'not-configured' },
    chainAnalysis: analysis({ path: [0, 1], containsAnchor: true }),
    diagnosis: diagnosis('unknown-ca'),
  };
  const [pub, sys] = storePaths(parts);
  t.deepEqual(pub!.end, {
    kind: 'gap',
    title: 'no anchor: this store does not trust this root',
    name: 'Root',
    aia: [],
    fetched: null,
    link: 'itself',
  });
  t.deepEqual(sys!.end, {
    kind: 'anchor',
    name: 'Root',
    note: 'trust anchor: the root the server sent is in the system store',
    link: 'itself',
  });
});
