// Is this TLS connection being re-signed by an interceptor, and by which product; pure.
// SPEC: a certificate issued by a known inspection product's CA is interception whatever the host;
// otherwise a public host whose chain does not anchor in the public roots, with another sign (a
// private root trusted only by the OS or extra store, or one issuer re-signing unrelated public
// hosts in this run). A private CA on an internal host is a custom CA, not interception. One public
// host anchored only in a CA the user gave is "possible" (low confidence), and a tlswitness CA means the
// run measured a tlswitness proxy, not the network.
import type { HandshakeRecord, Interception } from '../types.js';
import { matchCatalogue, type CatalogueMatch } from './interception-catalogue.js';
import { withArticle } from '../plural.js';
import { rememberResigned, resignedDomains, RESIGNED_LIMITS, type ResignedMemory } from './resigned-memory.js';
import { internalWithoutList, isPublicHost, registrableDomain, type ParseHost } from './public-host.js';
import { OWN_PRODUCT, ownCaIn, ownProxyStatement, type OwnCa } from './own-ca.js';

export {
  internalWithoutList,
  isPublicAddress,
  isPublicHost,
  registrableDomain,
  type ParseHost,
} from './public-host.js';
export { ownProxyStatement, type OwnCa } from './own-ca.js';

/** Whether a verdict needs the public suffix list (no catalogue match, no public anchor, a host not internal without it). */
export function needsHostClassification(record: UnjudgedRecord, addressFromDns: boolean): boolean {
  return (
    record.chain.length > 0 &&
    catalogueMatchIn(record) === null &&
    !PUBLIC_ANCHORED.has(record.trust.public) &&
    !internalWithoutList(record.target.servername ?? record.target.host, record.target.address, addressFromDns)
  );
}

export interface InterceptionContext {
  /** The PSL parser (loadHostParser); without it a verdict that needs the host's class says so. */
  parseHost: ParseHost | null;
  address: string | null;
  addressFromDns: boolean;
  /** This run's memory of issuers signing public hosts without a public anchor (resigned-memory.ts); none outside a run. */
  resigned?: ResignedMemory;
  /** The certs dir's CA: a chain it signed was minted by a tlswitness proxy. */
  ownCas?: OwnCa[];
}

const PUBLIC_ANCHORED = new Set(['ok', 'ERR_TLS_CERT_ALTNAME_INVALID']);
export type UnjudgedRecord = Omit<HandshakeRecord, 'interception' | 'diagnosis'>;

/** Whether the chain anchors in the public root set (an expired or misnamed chain still does). */
export function anchorsInPublicRoots(record: Pick<HandshakeRecord, 'trust' | 'chainAnalysis'>): boolean {
  return PUBLIC_ANCHORED.has(record.trust.public) || record.chainAnalysis.anchorStore === 'public';
}

function catalogueMatchIn(record: UnjudgedRecord): { match: CatalogueMatch; where: string } | null {
  const names: Array<{ name: string; where: string }> = [];
  record.chain.forEach((entry, depth) => {
    names.push({ name: entry.issuer, where: `issuer of certificate ${depth}` });
    if (entry.isCA) names.push({ name: entry.subject, where: `CA certificate ${depth}` });
  });
  const analysis = record.chainAnalysis;
  if (analysis.anchor) names.push({ name: analysis.anchor, where: `trust anchor (${analysis.anchorStore} store)` });
  for (const { name, where } of names) {
    const match = matchCatalogue(name);
    if (match) return { match, where };
  }
  return null;
}

/** The name a re-signing interceptor shows: the issuer at the top of the chain as sent. */
export function resigningIssuer(record: Pick<HandshakeRecord, 'chain'>): string {
  return record.chain[record.chain.length - 1]?.issuer ?? record.chain[0]?.issuer ?? '';
}

/** One issuer seen signing unrelated public hosts without a public anchor: the SPEC's second sign. */
export function resignedInterception(issuer: string, domains: readonly string[], anchorEvidence: object): Interception {
  // A count and a sample, never the whole list: a record's size must not grow with the run (see resigned-memory.ts).
  const counted =
    domains.length >= RESIGNED_LIMITS.domainsPerIssuer ? `${domains.length} or more` : `${domains.length}`;
  const sample = domains.slice(0, 5);
  const more = domains.length > sample.length ? `, ${counted} in all` : '';
  return {
    detected: true,
    product: null,
    confidence: 'medium',
    reason: `"${issuer}" signs unrelated public hosts in this run (${sample.join(', ')}${more}) without a public anchor: one interceptor re-signs them`,
    evidence: {
      issuer,
      hosts: sample,
      hostCount: domains.length,
      hostCountAtLeast: domains.length >= RESIGNED_LIMITS.domainsPerIssuer,
      ...anchorEvidence,
    },
  };
}

/** The verdict, and the run's memory after it (the memory given when this record adds nothing). */
export interface InterceptionJudgement {
  interception: Interception;
  resigned: ResignedMemory | undefined;
}

export function detectInterception(record: UnjudgedRecord, context: InterceptionContext): Interception {
  return judgeInterception(record, context).interception;
}

/**
 * The verdict with the run's memory: a new memory comes back (context.resigned is never changed), so
 * the caller decides what the run keeps, and a verdict that is thrown away leaves no trace.
 */
export function judgeInterception(record: UnjudgedRecord, context: InterceptionContext): InterceptionJudgement {
  let resigned = context.resigned;
  const interception = judge(record, context, (issuer, domain) => {
    if (!resigned) return null;
    resigned = rememberResigned(resigned, issuer, domain);
    return resignedDomains(resigned, issuer);
  });
  return { interception, resigned };
}

/** `remember` adds a host's domain under its issuer and returns the issuer's domains (null outside a run). */
function judge(
  record: UnjudgedRecord,
  context: InterceptionContext,
  remember: (issuer: string, domain: string) => readonly string[] | null,
): Interception {
  if (!record.chain.length)
    return { detected: false, product: null, reason: 'no certificate was received to judge', evidence: null };
  const analysis = record.chainAnalysis;
  const anchorEvidence = anchorEvidenceOf(analysis);
  const named = namedCaVerdict(record, context, anchorEvidence);
  if (named) return named;

  // 2. Anchored in the public roots: nothing re-signed it.
  if (PUBLIC_ANCHORED.has(record.trust.public)) {
    return {
      detected: false,
      product: null,
      reason: `the chain anchors in the public root set${analysis.anchor ? ` ("${analysis.anchor}")` : ''}`,
      evidence: anchorEvidence,
    };
  }
  // Without a public root set there is nothing to compare the anchor with (SPEC's rule needs one).
  if (record.trust.public === 'not-configured')
    return {
      detected: false,
      product: null,
      reason: 'not judged: no public root set was given to compare the anchor with',
      evidence: anchorEvidence,
    };
  const host = record.target.servername ?? record.target.host;
  const internal = internalWithoutList(host, context.address, context.addressFromDns);
  if (!internal && !context.parseHost)
    return {
      detected: false,
      product: null,
      reason: 'not judged: the host was not classified as public or internal',
      evidence: anchorEvidence,
    };
  const parseHost = context.parseHost;
  if (internal || !parseHost || !isPublicHost(parseHost, host, context.address, context.addressFromDns)) {
    const custom = analysis.anchorStore === 'system' || analysis.anchorStore === 'extra';
    return {
      detected: false,
      product: null,
      reason: custom
        ? `${host} is an internal host and its private CA "${analysis.anchor}" is trusted by the ${analysis.anchorStore} store: a custom (company) CA, not interception`
        : `${host} is an internal host: a private CA there is not a sign of interception`,
      evidence: anchorEvidence,
    };
  }

  // 3. A public host without a public anchor.
  return publicHostVerdict(record, host, parseHost, remember, anchorEvidence);
}

/** The anchor the verdict rests on, kept as evidence with every verdict. */
function anchorEvidenceOf(analysis: UnjudgedRecord['chainAnalysis']) {
  return {
    anchor: analysis.anchor,
    anchorStore: analysis.anchorStore,
    anchorSpkiSha256: analysis.anchorSpkiSha256 ?? null,
  };
}

type AnchorEvidence = ReturnType<typeof anchorEvidenceOf>;

/** Steps 0 and 1: a CA known by name or key settles it whatever the host (null when none is in the chain). */
function namedCaVerdict(
  record: UnjudgedRecord,
  context: InterceptionContext,
  anchorEvidence: AnchorEvidence,
): Interception | null {
  // 0. tlswitness's own CA (this certs dir's, or any install's by name): the run measured a tlswitness proxy.
  const found = catalogueMatchIn(record);
  const own =
    ownCaIn(record, context.ownCas ?? []) ??
    (found?.match.product === OWN_PRODUCT ? { name: found.match.name, where: found.where } : null);
  if (own) {
    return {
      detected: false,
      product: OWN_PRODUCT,
      ownProxy: true,
      reason: ownProxyStatement(record, own.name).summary,
      evidence: { matched: own.name, where: own.where, ...anchorEvidence },
    };
  }

  // 1. A known product's CA anywhere in the chain (as issuer, as a CA certificate, or as the anchor).
  if (found) {
    const { match, where } = found;
    return {
      detected: true,
      product: match.product,
      confidence: match.status === 'guessed' ? 'medium' : 'high',
      reason: `"${match.name}" (${where}) is the CA of ${match.product}, ${withArticle(match.kind)} that re-signs TLS connections`,
      evidence: { matched: match.name, where, kind: match.kind, catalogueStatus: match.status, ...anchorEvidence },
    };
  }
  return null;
}

/** Step 3, for a public host without a public anchor: another sign is needed. */
function publicHostVerdict(
  record: UnjudgedRecord,
  host: string,
  parseHost: ParseHost,
  remember: (issuer: string, domain: string) => readonly string[] | null,
  anchorEvidence: AnchorEvidence,
): Interception {
  const analysis = record.chainAnalysis;
  // Every such host is remembered under its issuer first, so a run (detect, the proxy) can see one
  // issuer re-sign unrelated hosts.
  const issuer = resigningIssuer(record);
  const domains = remember(issuer, registrableDomain(parseHost, host));
  if (domains && domains.length >= 2) return resignedInterception(issuer, domains, anchorEvidence);
  if (analysis.anchorStore === 'system') {
    return {
      detected: true,
      product: null,
      confidence: 'medium',
      reason: `${host} is a public host, but its chain anchors in "${analysis.anchor}", a private root trusted only by the OS store: something (a corporate proxy or antivirus) re-signs TLS`,
      evidence: anchorEvidence,
    };
  }
  if (analysis.anchorStore === 'extra') {
    // SPEC: one public-looking host under a CA the user gave is ambiguous; only a catalogue match or the
    // same issuer re-signing unrelated public hosts settles it.
    return {
      detected: false,
      possible: true,
      confidence: 'low',
      product: null,
      reason: `possible: ${host} anchors only in "${analysis.anchor}", a CA you gave (--extra-ca or the certs dir's extra/). From one chain tlswitness cannot tell an internal server under a public name from the company's inspection proxy; the same issuer re-signing unrelated public hosts would settle it`,
      evidence: anchorEvidence,
    };
  }
  return {
    detected: false,
    product: null,
    reason: `${host} is a public host whose chain does not anchor in the public roots (${record.verification.code ?? 'unverified'}), but no sign of interception was seen: an unknown or broken chain`,
    evidence: anchorEvidence,
  };
}
