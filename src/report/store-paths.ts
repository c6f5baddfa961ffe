// For each trust store of a record: the certificates the path runs through and where it ends, at an
// anchor the store holds or at a gap (the issuer nobody provided); pure, the data behind the picture.
import type { HandshakeRecord } from '../types.js';

/** Verdicts that mean the path stopped before any anchor (the rest are checks failing on a path that reached one). */
const NO_ANCHOR = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', // OpenSSL 2: an issuer of a store certificate is missing
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', // 20: the issuer is neither sent nor in the store
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', // 21: one certificate whose issuer is nowhere
  'SELF_SIGNED_CERT_IN_CHAIN', // 19: the sent root is not in the store
  'DEPTH_ZERO_SELF_SIGNED_CERT', // 18: the leaf signs itself
  'no-certificate',
]);

/**
 * `issuer`: the end is the issuer of the path's last certificate; `itself`: that certificate is a
 * self-signed root the server sent, and the end says whether the store holds it.
 */
export type PathEnd =
  | { kind: 'anchor'; name: string; note: string; link: 'issuer' | 'itself' }
  | { kind: 'gap'; title: string; name: string; aia: string[]; fetched: string | null; link: 'issuer' | 'itself' }
  | { kind: 'not-configured' };

export interface StorePath {
  store: string;
  verdict: string;
  /** Indexes into the chain as sent, leaf first. */
  path: number[];
  end: PathEnd;
}

export function storePaths(
  record: Pick<HandshakeRecord, 'trust' | 'chain' | 'chainAnalysis' | 'diagnosis'>,
): StorePath[] {
  const a = record.chainAnalysis;
  // The record keeps one built path (against every store together); each store's path starts the same
  // way, from the leaf through the sent certificates that link to it.
  const path = a.path.length ? a.path : record.chain.length ? [0] : [];
  const top = path.length ? record.chain[path[path.length - 1]!] : undefined;
  return Object.entries(record.trust as Record<string, string>).map(([store, verdict]) => {
    if (verdict === 'not-configured') return { store, verdict, path: [], end: { kind: 'not-configured' } };
    if (!top)
      return {
        store,
        verdict,
        path: [],
        end: {
          kind: 'gap',
          title: 'no certificate',
          name: 'the server sent no certificate',
          aia: [],
          fetched: null,
          link: 'issuer',
        },
      };
    return { store, verdict, path, end: NO_ANCHOR.has(verdict) ? gap(record, top) : anchor(record, store, top) };
  });
}

function anchor(
  record: Pick<HandshakeRecord, 'chainAnalysis'>,
  store: string,
  top: HandshakeRecord['chain'][number],
): PathEnd {
  const a = record.chainAnalysis;
  const link = top.selfSigned ? 'itself' : 'issuer';
  if (a.anchor && a.anchorStore === store)
    return { kind: 'anchor', name: a.anchor, note: `trust anchor, from the ${store} store`, link };
  if (top.selfSigned)
    return {
      kind: 'anchor',
      name: top.subject,
      note: `trust anchor: the root the server sent is in the ${store} store`,
      link,
    };
  return { kind: 'anchor', name: top.issuer, note: `trust anchor in the ${store} store`, link };
}

function gap(
  record: Pick<HandshakeRecord, 'chainAnalysis' | 'diagnosis'>,
  top: HandshakeRecord['chain'][number],
): PathEnd {
  const a = record.chainAnalysis;
  const fetched = a.fetched ? fetchedText(a.fetched) : null;
  if (a.missingIssuer) {
    const title =
      record.diagnosis.problem === 'incomplete-chain'
        ? 'missing intermediate: the server did not send it'
        : 'missing issuer: not sent, and in no store';
    return { kind: 'gap', title, name: a.missingIssuer, aia: a.aiaCaIssuers, fetched, link: 'issuer' };
  }
  if (top.selfSigned)
    return {
      kind: 'gap',
      title: 'no anchor: this store does not trust this root',
      name: top.subject,
      aia: [],
      fetched,
      link: 'itself',
    };
  return {
    kind: 'gap',
    title: 'no anchor: the issuer is not in this store',
    name: top.issuer,
    aia: top.aia.caIssuers,
    fetched,
    link: 'issuer',
  };
}

function fetchedText(f: NonNullable<HandshakeRecord['chainAnalysis']['fetched']>): string {
  if (!f.ok) return `fetching ${f.url} failed: ${f.error ?? 'unknown error'}`;
  return `fetched from ${f.url}: ${f.subject ?? '?'}, which ${f.completesChain ? 'completes' : 'does not complete'} the chain`;
}
