// One run's memory of issuers seen signing public hosts without a public anchor, bounded; pure.
// A proxy behind an interceptor outside the catalogue meets one such issuer per host it records,
// for hours: the memory keeps the most recently seen issuers only (least recently seen dropped
// first) and, per issuer, the first few registrable domains, so its size and every record that
// quotes it stay the same whatever the number of hosts.

/** What one issuer has been seen signing. */
export interface ResignedIssuer {
  /** Distinct registrable domains, in the order first seen; at most `domainsPerIssuer`. */
  readonly domains: readonly string[];
}

/** Issuer name -> what it signed; iteration order is least recently seen first. Never mutated. */
export type ResignedMemory = ReadonlyMap<string, ResignedIssuer>;

export interface ResignedLimits {
  issuers: number;
  domainsPerIssuer: number;
}

/**
 * The rule needs two domains; the first few are kept so that `detect` can settle the first host of
 * an issuer once a second one turns up (the first domain is never the one dropped), and as a sample.
 */
export const RESIGNED_LIMITS: ResignedLimits = { issuers: 256, domainsPerIssuer: 16 };

export const EMPTY_RESIGNED: ResignedMemory = new Map();

/** The memory after `issuer` was seen signing a host of `domain`: a new map, `memory` is untouched. */
export function rememberResigned(
  memory: ResignedMemory,
  issuer: string,
  domain: string,
  limits: ResignedLimits = RESIGNED_LIMITS,
): ResignedMemory {
  const known = memory.get(issuer)?.domains ?? [];
  const domains = known.includes(domain) || known.length >= limits.domainsPerIssuer ? known : [...known, domain];
  const next = new Map(memory);
  // Re-inserted at the end: the most recently seen issuer is the last one dropped.
  next.delete(issuer);
  next.set(issuer, { domains });
  for (const oldest of next.keys()) {
    if (next.size <= limits.issuers) break;
    next.delete(oldest);
  }
  return next;
}

/** The domains an issuer is known to have signed (empty when it is unknown or was dropped). */
export function resignedDomains(memory: ResignedMemory | undefined, issuer: string): readonly string[] {
  return memory?.get(issuer)?.domains ?? [];
}
