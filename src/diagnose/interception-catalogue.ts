// The catalogue of interception products (interception-catalogue.json) matched against a certificate
// name: which product's CA issued it, by the name attributes each product's CAs carry; pure.
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

/** Names matched lately: the same issuers come in most records (bounded, so hostile names cannot grow it). */
const matched = new Map<string, CatalogueMatch | null>();
const MATCHED_MAX = 512;

export function matchCatalogue(name: string): CatalogueMatch | null {
  let match = matched.get(name);
  if (match === undefined) {
    match = matchEntries(name);
    if (matched.size >= MATCHED_MAX) matched.delete(matched.keys().next().value!);
    matched.set(name, match);
  }
  return match && { ...match };
}

function matchEntries(name: string): CatalogueMatch | null {
  const attributes = nameAttributes(name);
  for (const entry of ENTRIES) {
    for (const rule of entry.compiled) {
      const ok = rule.every(({ attribute, test, equals }) =>
        attributes.some(
          ([type, value]) =>
            type === attribute && (equals !== null ? value.toLowerCase() === equals : test!.test(value)),
        ),
      );
      if (ok) return { product: entry.product, kind: entry.kind, status: entry.status, name };
    }
  }
  return null;
}
