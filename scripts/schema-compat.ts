// Whether a JSON Schema only adds to an older one, so that a consumer written against the old one
// still reads everything the new one allows: properties, types, enum values and branches may be
// added; removing or narrowing any of them, a newly required field or a new constraint may not. Pure.

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const types = (schema: Schema): string[] | null =>
  schema.type === undefined ? null : ([] as string[]).concat(schema.type as string | string[]);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// A bound may move outwards (allow more), never inwards.
const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
// Constraints the checker does not order: any addition or change counts as narrowing.
const FIXED = [
  'pattern',
  'format',
  'multipleOf',
  'uniqueItems',
  'const',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
  'patternProperties',
  'contains',
  'prefixItems',
  'unevaluatedProperties',
  'unevaluatedItems',
];

/** How a branch of anyOf / oneOf is recognised across versions: its $ref, its `type` const, else its position. */
function branchKey(branch: unknown, index: number): string {
  if (!isSchema(branch)) return `#${index}`;
  if (typeof branch.$ref === 'string') return `$ref ${branch.$ref}`;
  const properties = isSchema(branch.properties) ? branch.properties : {};
  const type = isSchema(properties.type) ? properties.type.const : undefined;
  if (type !== undefined) return `type ${String(type)}`;
  if (branch.type !== undefined) return `type ${JSON.stringify(branch.type)}`;
  return `#${index}`;
}

/** What `current` removes or narrows compared with `old`, one "path: what" line each; empty when it only adds. */
export function incompatibilities(old: unknown, current: unknown, path = '#'): string[] {
  if (current === undefined) return [`${path}: removed`];
  if (!isSchema(old))
    return old === true && current !== true && !(isSchema(current) && Object.keys(current).length === 0)
      ? [`${path}: was unrestricted`]
      : [];
  if (!isSchema(current)) return current === true ? [] : [`${path}: now ${JSON.stringify(current)}`];
  const out: string[] = [];

  const oldTypes = types(old);
  const newTypes = types(current);
  if (newTypes && !oldTypes) out.push(`${path}: type ${newTypes.join('|')} added`);
  if (oldTypes && newTypes) {
    const lost = oldTypes.filter((t) => !newTypes.includes(t) && !(t === 'integer' && newTypes.includes('number')));
    if (lost.length) out.push(`${path}: type ${lost.join('|')} no longer allowed`);
  }

  if (Array.isArray(current.enum)) {
    if (!Array.isArray(old.enum)) out.push(`${path}: enum added`);
    else {
      const lost = old.enum.filter((v) => !(current.enum as unknown[]).some((w) => same(v, w)));
      if (lost.length) out.push(`${path}: enum value(s) ${lost.map((v) => JSON.stringify(v)).join(', ')} removed`);
    }
  }

  for (const key of LOWER) {
    if (current[key] === undefined) continue;
    if (old[key] === undefined || (current[key] as number) > (old[key] as number))
      out.push(`${path}: ${key} ${String(current[key])} narrows`);
  }
  for (const key of UPPER) {
    if (current[key] === undefined) continue;
    if (old[key] === undefined || (current[key] as number) < (old[key] as number))
      out.push(`${path}: ${key} ${String(current[key])} narrows`);
  }
  for (const key of FIXED) {
    if (current[key] !== undefined && !same(current[key], old[key]))
      out.push(`${path}: ${key} ${old[key] === undefined ? 'added' : 'changed'}`);
  }

  if (current.$ref !== undefined && current.$ref !== old.$ref)
    out.push(
      `${path}: $ref ${old.$ref === undefined ? 'added' : `changed from ${String(old.$ref)}`} to ${String(current.$ref)}`,
    );

  const oldRequired = Array.isArray(old.required) ? (old.required as string[]) : [];
  for (const name of Array.isArray(current.required) ? (current.required as string[]) : []) {
    if (!oldRequired.includes(name)) out.push(`${path}: ${name} newly required`);
  }

  for (const container of ['properties', '$defs'] as const) {
    const before = isSchema(old[container]) ? old[container] : {};
    const after = isSchema(current[container]) ? current[container] : {};
    for (const [name, schema] of Object.entries(before))
      out.push(...incompatibilities(schema, after[name], `${path}/${container}/${name}`));
  }

  // Absent or true: anything allowed. false, or a schema, narrows that; a schema may itself only widen.
  const oldExtra = old.additionalProperties;
  const newExtra = current.additionalProperties;
  if (newExtra !== undefined && newExtra !== true) {
    if (oldExtra === undefined || oldExtra === true) out.push(`${path}: additionalProperties restricted`);
    else if (oldExtra !== false) out.push(...incompatibilities(oldExtra, newExtra, `${path}/additionalProperties`));
  }

  if (old.items !== undefined || current.items !== undefined) {
    if (old.items === undefined) out.push(`${path}: items added`);
    else out.push(...incompatibilities(old.items, current.items ?? true, `${path}/items`));
  }

  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const before = Array.isArray(old[combinator]) ? (old[combinator] as unknown[]) : null;
    const after = Array.isArray(current[combinator]) ? (current[combinator] as unknown[]) : null;
    if (after && !before) out.push(`${path}: ${combinator} added`);
    if (!before) continue;
    const byKey = new Map((after ?? []).map((branch, i) => [branchKey(branch, i), branch]));
    before.forEach((branch, i) => {
      const key = branchKey(branch, i);
      out.push(...incompatibilities(branch, byKey.get(key), `${path}/${combinator}[${key}]`));
    });
  }
  return out;
}
