// Is this TLS connection being re-signed by an interceptor, and by which product; pure.
// SPEC: a certificate issued by a known inspection product's CA is interception whatever the host;
// otherwise a public host whose chain does not anchor in the public roots, with another sign (a
// private root trusted only by the OS or extra store, or one issuer re-signing unrelated public
// hosts in this run). A private CA on an internal host is a custom CA, not interception. One public
// host anchored only in a CA the user gave is "possible" (low confidence), and a tlswitness CA means the
// run measured a tlswitness proxy, not the network.
import { ipCategory } from '../address-ranges.js';
import { ipFamily } from '../ip.js';
import type { HandshakeRecord, Interception } from '../types.js';
import { matchCatalogue, type CatalogueMatch } from './interception-catalogue.js';
import { withArticle } from '../plural.js';
import { rememberResigned, resignedDomains, RESIGNED_LIMITS, type ResignedMemory } from './resigned-memory.js';

/** A public IP address, by the one range table (IPv4-mapped, NAT64 and 6to4 forms by their IPv4 address); false for a name. */
export function isPublicAddress(address: string): boolean {
  return ipCategory(address) === 'public';
}

export type ParseHost = typeof import('tldts').parse;

/**
 * Whether a host is on the public internet: a name under a public suffix (ICANN or the PSL's
 * private section), or a public IP. When the tool resolved the name itself (DNS or hosts file),
 * a private, loopback or link-local answer makes it internal; a --resolve pin does not.
 */
export function isPublicHost(
  parseHost: ParseHost,
  host: string,
  address: string | null,
  addressFromDns: boolean,
): boolean {
  if (ipFamily(host)) return isPublicAddress(host);
  const parsed = parseHost(host, { allowPrivateDomains: true });
  const publicName = !!parsed.domain && (parsed.isIcann === true || parsed.isPrivate === true);
  if (!publicName) return false;
  if (addressFromDns && address && !isPublicAddress(address)) return false;
  return true;
}

/**
 * Special-use names, never delegated in the DNS and absent from the public suffix list: RFC 6761 6.2-6.5
 * (test, localhost, invalid, example), RFC 6762 3 (local), and ICANN's private-use .internal (board
 * resolution 2024.07.29.06).
 */
const SPECIAL_USE_TLDS = new Set(['test', 'localhost', 'invalid', 'example', 'local', 'internal']);

/**
 * Internal by what is known without the public suffix list (~140 KB to load), as isPublicHost would
 * judge it: a non-public IP address, a single label or a special-use name, or a name the tool resolved
 * itself to a non-public address. False: the list decides.
 */
export function internalWithoutList(host: string, address: string | null, addressFromDns: boolean): boolean {
  if (ipFamily(host)) return !isPublicAddress(host);
  if (addressFromDns && address && !isPublicAddress(address)) return true;
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  return labels.length < 2 || SPECIAL_USE_TLDS.has(labels[labels.length - 1]!);
}

/** Registrable domain, for telling unrelated hosts apart. */
export function registrableDomain(parseHost: ParseHost, host: string): string {
  return parseHost(host, { allowPrivateDomains: true }).domain ?? host;
}

/** Whether a verdict needs the public suffix list (no catalogue match, no public anchor, a host not internal without it). */
export function needsHostClassification(record: UnjudgedRecord, addressFromDns: boolean): boolean {
  return (
    record.chain.length > 0 &&
    catalogueMatchIn(record) === null &&
    !PUBLIC_ANCHORED.has(record.trust.public) &&
    !internalWithoutList(record.target.servername ?? record.target.host, record.target.address, addressFromDns)
  );
}

/** A tlswitness CA this machine holds (the certs dir's), as the chain would show it. */
export interface OwnCa {
  subject: string;
  subjectKeyId: string | null;
  spkiSha256: string;
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

/** tlswitness's own CA product name in the catalogue: any install's CA, matched by its name pattern. */
const OWN_PRODUCT = 'tlswitness';

/** The certs dir's CA in the chain: a sent certificate with its key, or the issuer of one (name and key id). */
function ownCaIn(record: UnjudgedRecord, ownCas: OwnCa[]): { name: string; where: string } | null {
  for (const [depth, entry] of record.chain.entries()) {
    if (ownCas.some((ca) => ca.spkiSha256 === entry.spkiSha256))
      return { name: entry.subject, where: `certificate ${depth}, this machine's tlswitness CA` };
    const issuer = ownCas.find(
      (ca) =>
        ca.subject === entry.issuer &&
        (!ca.subjectKeyId || !entry.authorityKeyId || ca.subjectKeyId === entry.authorityKeyId),
    );
    if (issuer) return { name: entry.issuer, where: `issuer of certificate ${depth}, this machine's tlswitness CA` };
  }
  return null;
}

/**
 * SPEC: tlswitness's own CA is never "an interceptor": the run went through a tlswitness proxy (the
 * usual cause: HTTPS_PROXY from `ca env` in this shell), which minted what was seen. Said plainly,
 * with the way out, instead of a diagnosis of a chain the server never sent.
 */
export function ownProxyStatement(
  record: Pick<HandshakeRecord, 'via' | 'proxy' | 'target'>,
  caName: string,
): { summary: string; action: string } {
  const minted = `the certificate was minted by "${caName}"`;
  if (record.via === 'env-proxy') {
    return {
      summary: `HTTPS_PROXY (${record.proxy}) points at tlswitness's own proxy: this run measured the proxy, not the network (${minted})`,
      action: 'run with --no-env-proxy or in a shell without `ca env`',
    };
  }
  if (record.via === 'upstream-proxy') {
    return {
      summary: `--upstream-proxy ${record.proxy} is a tlswitness proxy: this run measured that proxy, not the network (${minted})`,
      action: "leave out --upstream-proxy (or give the network's own proxy) and run again",
    };
  }
  const host = record.target.servername ?? record.target.host;
  return {
    summary: `${formatHost(record.target)} answered as a tlswitness proxy, not as ${host}: this run measured the proxy, not the server (${minted})`,
    action: 'check --resolve and the port: they lead to a tlswitness proxy, not to the server',
  };
}

function formatHost(target: HandshakeRecord['target']): string {
  return `${target.address ?? target.host}:${target.port}`;
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
