// The anchors OpenSSL could ever reach while verifying one chain: its store is only asked for
// certificates by subject name (X509_STORE lookups by the issuer's name, and by a certificate's own
// name to see whether it is itself trusted), so anchors with no name on the way are never looked at.
// Giving OpenSSL only these gives the same verdict as the whole set, without parsing every root. Pure.
import { nameKeyOfDer } from './canonical-name.js';
import type { TrustStore } from './trust-store.js';
import { readTbsFields } from './x509-fields.js';

function nameKeys(der: Buffer): string[] {
  try {
    const fields = readTbsFields(der);
    return [nameKeyOfDer(fields.subjectDer), nameKeyOfDer(fields.issuerDer)].filter((key): key is string => !!key);
  } catch {
    return [];
  }
}

/**
 * Every anchor whose subject is the subject or issuer of a certificate in `chain`, then of those
 * anchors' issuers, and so on (an anchor that is not self-signed leads OpenSSL on to its issuer).
 */
export function anchorClosure(chain: Buffer[], stores: Array<TrustStore | null>): Buffer[] {
  const seenKeys = new Set<string>();
  const pending: string[] = [];
  const want = (der: Buffer) => {
    for (const key of nameKeys(der)) {
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      pending.push(key);
    }
  };
  chain.forEach(want);
  const found = new Map<string, Buffer>();
  while (pending.length) {
    const key = pending.pop()!;
    for (const store of stores) {
      for (const der of store?.dersWithSubjectKey(key) ?? []) {
        const id = der.toString('base64');
        if (found.has(id)) continue;
        found.set(id, der);
        want(der);
      }
    }
  }
  return [...found.values()];
}
