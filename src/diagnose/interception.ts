// Is this TLS connection being re-signed by an interceptor, and by which product; pure.
// SPEC: a certificate issued by a known inspection product's CA is interception whatever the host;
// otherwise a public host whose chain does not anchor in the public roots, with another sign (a
// private root trusted only by the OS or extra store, or one issuer re-signing unrelated public
// hosts in this run). A private CA on an internal host is a custom CA, not interception.
import { BlockList } from 'node:net';
import { ipFamily } from '../net/ip.js';
import type { HandshakeRecord, Interception } from '../types.js';
import catalogue from './interception-catalogue.json' with { type: 'json' };

interface AttributeRule {
  equals?: string;
  pattern?: string;
}

interface CatalogueEntry {
  product: string;
  kind: string;
  status: string;
  rules: Array<Record<string, AttributeRule>>;
}

export interface CatalogueMatch {
  product: string;
  kind: string;
  status: string;
  name: string;
}

const ENTRIES = (catalogue.products as CatalogueEntry[]).map((entry) => ({
  ...entry,
  compiled: entry.rules.map((rule) =>
    Object.entries(rule).map(([attribute, test]) => ({
      attribute: attribute.toUpperCase(),
      test: test.pattern ? new RegExp(`^(?:${test.pattern})$`, 'i') : null,
      equals: test.equals?.toLowerCase() ?? null,
    })),
  ),
}));

/** Attributes of an RFC 4514 name as formatted by trust/certificate.ts (backslash escapes). */
export function nameAttributes(name: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let current = '';
  const flush = () => {
    const eq = current.indexOf('=');
    if (eq > 0) out.push([current.slice(0, eq).toUpperCase(), current.slice(eq + 1)]);
    current = '';
  };
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      // keep the escaped '=' distinguishable from the separator: only the first bare '=' splits
      current += name[++i] === '=' ? '\u0000' : name[i];
    } else if (c === ',' || c === '+') flush();
    else current += c;
  }
  flush();
  return out.map(([type, value]) => [type, value.replace(/\u0000/g, '=')]);
}

export function matchCatalogue(name: string): CatalogueMatch | null {
  const attributes = nameAttributes(name);
  for (const entry of ENTRIES) {
    for (const rule of entry.compiled) {
      const ok = rule.every(({ attribute, test, equals }) =>
        attributes.some(([type, value]) => type === attribute && (equals !== null ? value.toLowerCase() === equals : test!.test(value))),
      );
      if (ok) return { product: entry.product, kind: entry.kind, status: entry.status, name };
    }
  }
  return null;
}

const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['169.254.0.0', 16], ['100.64.0.0', 10], ['0.0.0.0', 8]] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::1', 128], ['fc00::', 7], ['fe80::', 10], ['::', 128]] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = ipFamily(address);
  if (!family) return false;
  return !NOT_PUBLIC.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export type ParseHost = typeof import('tldts').parse;

/**
 * Whether a host is on the public internet: a name under a public suffix (ICANN or the PSL's
 * private section), or a public IP. When the tool resolved the name itself (DNS or hosts file),
 * a private, loopback or link-local answer makes it internal; a --resolve pin does not.
 */
export function isPublicHost(parseHost: ParseHost, host: string, address: string | null, addressFromDns: boolean): boolean {
  if (ipFamily(host)) return isPublicAddress(host);
  const parsed = parseHost(host, { allowPrivateDomains: true });
  const publicName = !!parsed.domain && (parsed.isIcann === true || parsed.isPrivate === true);
  if (!publicName) return false;
  if (addressFromDns && address && !isPublicAddress(address)) return false;
  return true;
}

/** The public suffix list parser, loaded on demand: 200 KB that most verdicts never need. */
let loadedParser: ParseHost | null = null;

export async function loadHostParser(): Promise<ParseHost> {
  const module = await import('tldts');
  // Bundled, the CommonJS build lands under `default`.
  return (loadedParser = module.parse ?? (module as unknown as { default: { parse: ParseHost } }).default.parse);
}

/** The parser when an earlier verdict already loaded it (a long-running proxy), so a record is built once. */
export function hostParserIfLoaded(): ParseHost | null {
  return loadedParser;
}

/** Registrable domain, for telling unrelated hosts apart. */
export function registrableDomain(parseHost: ParseHost, host: string): string {
  return parseHost(host, { allowPrivateDomains: true }).domain ?? host;
}

/** Whether a verdict needs the host classified (no catalogue match, no public anchor). */
export function needsHostClassification(record: Omit<HandshakeRecord, 'interception' | 'diagnosis'>): boolean {
  return record.chain.length > 0 && catalogueMatchIn(record) === null && !PUBLIC_ANCHORED.has(record.trust.public);
}

export interface InterceptionContext {
  /** The PSL parser (loadHostParser); without it a verdict that needs the host's class says so. */
  parseHost: ParseHost | null;
  address: string | null;
  addressFromDns: boolean;
  /** This run's memory: issuer name -> registrable domains of public hosts it signed without a public anchor. */
  resigned?: Map<string, Set<string>>;
}

const PUBLIC_ANCHORED = new Set(['ok', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function catalogueMatchIn(record: Omit<HandshakeRecord, 'interception' | 'diagnosis'>): { match: CatalogueMatch; where: string } | null {
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

export function detectInterception(record: Omit<HandshakeRecord, 'interception' | 'diagnosis'>, context: InterceptionContext): Interception {
  if (!record.chain.length) return { detected: false, product: null, reason: 'no certificate was received to judge', evidence: null };
  const analysis = record.chainAnalysis;
  const anchorEvidence = { anchor: analysis.anchor, anchorStore: analysis.anchorStore, anchorSpkiSha256: analysis.anchorSpkiSha256 ?? null };

  // 1. A known product's CA anywhere in the chain (as issuer, as a CA certificate, or as the anchor).
  const found = catalogueMatchIn(record);
  if (found) {
    const { match, where } = found;
    return {
      detected: true,
      product: match.product,
      reason: `"${match.name}" (${where}) is the CA of ${match.product}, a ${match.kind} that re-signs TLS connections`,
      evidence: { matched: match.name, where, kind: match.kind, catalogueStatus: match.status, ...anchorEvidence },
    };
  }

  // 2. Anchored in the public roots: nothing re-signed it.
  if (PUBLIC_ANCHORED.has(record.trust.public)) {
    return { detected: false, product: null, reason: `the chain anchors in the public root set${analysis.anchor ? ` ("${analysis.anchor}")` : ''}`, evidence: anchorEvidence };
  }
  const host = record.target.servername ?? record.target.host;
  if (!context.parseHost) return { detected: false, product: null, reason: 'not judged: the host was not classified as public or internal', evidence: anchorEvidence };
  const parseHost = context.parseHost;
  if (!isPublicHost(parseHost, host, context.address, context.addressFromDns)) {
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

  // 3. A public host without a public anchor: another sign is needed.
  if (analysis.anchorStore === 'system' || analysis.anchorStore === 'extra') {
    return {
      detected: true,
      product: null,
      reason: `${host} is a public host, but its chain anchors in "${analysis.anchor}", a private root trusted only by the ${analysis.anchorStore} store: something (a corporate proxy or antivirus) re-signs TLS`,
      evidence: anchorEvidence,
    };
  }
  const issuer = record.chain[record.chain.length - 1]?.issuer ?? record.chain[0]!.issuer;
  if (context.resigned) {
    const domains = context.resigned.get(issuer) ?? new Set<string>();
    domains.add(registrableDomain(parseHost, host));
    context.resigned.set(issuer, domains);
    if (domains.size >= 2) {
      return {
        detected: true,
        product: null,
        reason: `"${issuer}" signs unrelated public hosts (${[...domains].slice(0, 5).join(', ')}) without a public anchor: one interceptor re-signs them`,
        evidence: { issuer, hosts: [...domains], ...anchorEvidence },
      };
    }
  }
  return { detected: false, product: null, reason: `${host} is a public host whose chain does not anchor in the public roots (${record.verification.code ?? 'unverified'}), but no sign of interception was seen: an unknown or broken chain`, evidence: anchorEvidence };
}
