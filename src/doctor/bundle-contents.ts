// Shared judgements on a CA file's facts: usable or not, and what it holds; pure.
import type { CertFact, PathFacts } from './snapshot.js';

export type UsableBundle = Extract<PathFacts, { certificates: CertFact[] }>;

export interface Contents {
  total: number;
  publicRoots: number;
  expired: CertFact[];
  notYetValid: CertFact[];
}

export function isReadable(facts: PathFacts | undefined): facts is UsableBundle {
  return facts !== undefined && 'certificates' in facts;
}

export function contents(facts: UsableBundle, now: Date): Contents {
  const t = now.getTime();
  return {
    total: facts.certificates.length,
    publicRoots: facts.certificates.filter((c) => c.publicRoot).length,
    expired: facts.certificates.filter((c) => Date.parse(c.notAfter) < t),
    notYetValid: facts.certificates.filter((c) => Date.parse(c.notBefore) > t),
  };
}

/** Why a CA file cannot be used at all, or null when it holds at least one certificate. */
export function unusableReason(facts: PathFacts | undefined, want: 'file' | 'directory' | 'either'): string | null {
  if (!facts) return 'was not read';
  if (!isReadable(facts)) return facts.kind === 'missing' ? 'does not exist' : `cannot be read (${facts.error})`;
  if (want === 'file' && facts.kind === 'directory') return 'is a directory, where a file is expected';
  if (want === 'directory' && facts.kind === 'file') return 'is a file, where a directory is expected';
  if (facts.certificates.length === 0)
    return facts.kind === 'directory'
      ? 'holds no certificate files'
      : 'holds no certificate (empty, a key, or not PEM)';
  return null;
}

export const day = (iso: string) => iso.slice(0, 10);

// A distribution's or certifi's bundle holds 100+ public roots; a corporate one a handful.
const PUBLIC_BUNDLE_MIN_ROOTS = 20;

/**
 * Expired certificates worth a warning: all of them in a private bundle, and in a public-root bundle
 * only the corporate CAs (matched by name). Public bundles keep expired roots for a while (Debian's
 * ca-certificates still carried Baltimore CyberTrust Root in 2026); clients skip them.
 */
export function expiredThatMatter(c: Contents, corporateSubjects: string[]): CertFact[] {
  if (c.publicRoots < PUBLIC_BUNDLE_MIN_ROOTS) return c.expired;
  const corporate = new Set(corporateSubjects.map((s) => s.toLowerCase()));
  return c.expired.filter((cert) => corporate.has(cert.subject.toLowerCase()));
}

/** ", 4 expired (clients skip them)" for the expired certificates not worth a warning. */
export function expiredAside(c: Contents, warned: CertFact[]): string {
  const rest = c.expired.length - warned.length;
  return rest > 0 ? `, ${rest} expired (old roots clients skip)` : '';
}

export function summarizeExpired(list: CertFact[], limit = 3): string {
  const shown = list.slice(0, limit).map((c) => `${c.subject} (expired ${day(c.notAfter)})`);
  return list.length > limit ? `${shown.join('; ')}; and ${list.length - limit} more` : shown.join('; ');
}

/** "146 certificates (140 public roots)" */
export function countText(c: Contents): string {
  return `${c.total} certificate${c.total === 1 ? '' : 's'}${c.publicRoots ? ` (${c.publicRoots} public root${c.publicRoots === 1 ? '' : 's'})` : ''}`;
}
