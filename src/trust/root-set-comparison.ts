// Two root sets compared (an installed certifi bundle against Node's bundled Mozilla roots): the roots
// one lacks, the roots only it has, and which of the two is the older snapshot of Mozilla's list; pure.
import { createHash, X509Certificate } from 'node:crypto';

export interface RootEntry {
  /** Most specific attribute first, as `CN=Example Root,O=Example,C=US`. */
  subject: string;
  /** SHA-256 of the DER, colon hex. */
  sha256: string;
  notBefore: string;
}

/**
 * `older`: the candidate lacks roots that were added after its snapshot (upgrade it). `newer`: it has
 * roots the reference lacks and lacks only roots that were removed (distrusted) since. `unclear`: both.
 */
export type RootSetAge = 'same' | 'older' | 'newer' | 'unclear';

export interface RootSetComparison {
  age: RootSetAge;
  /** In the reference, not in the candidate. */
  missing: RootEntry[];
  /** In the candidate, not in the reference (removed since, newer, or added by hand). */
  added: RootEntry[];
  candidateSize: number;
  referenceSize: number;
}

interface Parsed extends RootEntry {
  /** The same root re-issued (new dates, same name and key) is the same trust anchor. */
  identity: string;
  time: number;
}

function parse(der: Buffer): Parsed | null {
  try {
    const x509 = new X509Certificate(der);
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
    return {
      subject: (x509.subject ?? '').split('\n').reverse().join(','),
      sha256: x509.fingerprint256,
      notBefore: new Date(x509.validFrom).toISOString(),
      identity: `${x509.subject}\0${createHash('sha256').update(spki).digest('base64')}`,
      time: Date.parse(x509.validFrom),
    };
  } catch {
    return null; // one bad block is skipped, as OpenSSL skips it
  }
}

/** Certificates of `ders` whose exact DER is not in `others`, parsed (the rest never are). */
function notIn(ders: Buffer[], others: Buffer[]): Parsed[] {
  const have = new Set(others.map((der) => der.toString('base64')));
  const seen = new Set<string>();
  const out: Parsed[] = [];
  for (const der of ders) {
    const key = der.toString('base64');
    if (have.has(key) || seen.has(key)) continue;
    seen.add(key);
    const parsed = parse(der);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** certifi's version is its release date (`2024.02.02`, also written `2024.2.2`); null when it is not one. */
export function versionDate(version: string | null): Date | null {
  const match = /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/.exec(version ?? '');
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
}

const newest = (entries: Parsed[]) => Math.max(...entries.map((e) => e.time));
const entry = ({ subject, sha256, notBefore }: Parsed): RootEntry => ({ subject, sha256, notBefore });

/**
 * Compares `candidate` with `reference` (DER lists). `candidateDate` is when the candidate was made
 * (certifi's version), when known; `ignore` holds SHA-256s of certificates known to be added by hand
 * (corporate CAs), which say nothing about the snapshot's age.
 */
export function compareRootSets(
  candidate: Buffer[],
  reference: Buffer[],
  candidateDate: Date | null = null,
  ignore: ReadonlySet<string> = new Set(),
): RootSetComparison {
  let onlyReference = notIn(reference, candidate);
  let onlyCandidate = notIn(candidate, reference);
  // A root re-issued with new dates but the same name and key is the same anchor in both.
  const candidateIds = new Set(onlyCandidate.map((p) => p.identity));
  const referenceIds = new Set(onlyReference.map((p) => p.identity));
  onlyReference = onlyReference.filter((p) => !candidateIds.has(p.identity));
  onlyCandidate = onlyCandidate.filter((p) => !referenceIds.has(p.identity));
  const dating = onlyCandidate.filter((p) => !ignore.has(p.sha256));
  const base = {
    missing: onlyReference.map(entry),
    added: onlyCandidate.map(entry),
    candidateSize: candidate.length,
    referenceSize: reference.length,
  };
  return { age: age(onlyReference, dating, candidateDate), ...base };
}

/**
 * Mozilla adds roots made recently and removes old ones, so the set whose exclusive roots are the
 * newest is the newer snapshot. A missing root made after the candidate's release settles it.
 */
function age(missing: Parsed[], added: Parsed[], candidateDate: Date | null): RootSetAge {
  if (!missing.length && !added.length) return 'same';
  if (candidateDate && missing.some((m) => m.time > candidateDate.getTime())) return 'older';
  if (!added.length) return 'older';
  if (!missing.length) return 'newer';
  const [m, a] = [newest(missing), newest(added)];
  return m > a ? 'older' : a > m ? 'newer' : 'unclear';
}
