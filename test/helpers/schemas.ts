// The published JSON Schemas (docs/schema/) compiled with ajv in strict mode, plus a "closed" twin
// that refuses any field the schemas do not list, so an output cannot grow undocumented fields.
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

export const SCHEMA_DIR = join(ROOT, 'docs', 'schema');

export type Schema = Record<string, unknown>;

export function readSchemas(dir: string = SCHEMA_DIR): Map<string, Schema> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .sort();
  return new Map(files.map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as Schema]));
}

/** A copy in which every object schema that lists properties allows no others (unless it says what it allows). */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    out[key] = key === 'examples' || key === 'enum' || key === 'const' ? value : closed(value);
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

export interface Validators {
  /** Problems of `value` against the named schema file, as "path: message" lines; empty when it is valid. */
  check(file: string, value: unknown): string[];
}

export function compileSchemas(
  schemas: Map<string, Schema>,
  transform: (schema: Schema) => Schema = (s) => s,
): Validators {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const schema of schemas.values()) ajv.addSchema(transform(schema));
  return {
    check(file, value) {
      const validate = ajv.getSchema(file);
      if (!validate) throw new Error(`no schema ${file}`);
      if (validate(value)) return [];
      return (validate.errors ?? []).map(
        (e: ErrorObject) =>
          `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
      );
    },
  };
}
