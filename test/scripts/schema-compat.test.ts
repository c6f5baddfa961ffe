// The schema compatibility checker: additions pass, every kind of removal or narrowing is named.
import test from 'ava';
import { incompatibilities } from '../../scripts/schema-compat.js';

const base = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    problem: { type: 'string', enum: ['ok', 'expired'] },
    proxy: { type: ['string', 'null'] },
    chain: { type: 'array', items: { $ref: '#/$defs/entry' } },
    trust: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['id', 'port'],
  $defs: { entry: { type: 'object', properties: { subject: { type: 'string' } }, required: ['subject'] } },
  oneOf: [
    { type: 'object', properties: { type: { const: 'a' } } },
    { type: 'object', properties: { type: { const: 'b' } } },
  ],
};

const copy = () => structuredClone(base) as typeof base & Record<string, unknown>;

test('the same schema, and purely additive changes, are compatible', (t) => {
  t.deepEqual(incompatibilities(base, base), []);
  const next = copy();
  Object.assign(next.properties, { added: { type: 'boolean' } });
  next.properties.problem.enum.push('weak-crypto');
  next.properties.proxy.type.push('number');
  (next.properties.port as Record<string, unknown>).type = 'number';
  next.properties.port.maximum = 70000;
  Object.assign(next.$defs.entry.properties, { pem: { type: 'string' } });
  next.oneOf = [next.oneOf[1]!, next.oneOf[0]!, { type: 'object', properties: { type: { const: 'c' } } }];
  t.deepEqual(incompatibilities(base, next), []);
});

test('a removed property, anywhere, is named with its path', (t) => {
  const next = copy();
  delete (next.properties as Partial<typeof base.properties>).proxy;
  delete (next.$defs.entry.properties as Partial<typeof base.$defs.entry.properties>).subject;
  t.deepEqual(incompatibilities(base, next), [
    '#/properties/proxy: removed',
    '#/$defs/entry/properties/subject: removed',
  ]);
});

test('narrowed types, enums, bounds and branches are named', (t) => {
  const next = copy();
  next.properties.proxy.type = ['string'];
  next.properties.problem.enum = ['ok'];
  next.properties.port.minimum = 1;
  next.oneOf = [next.oneOf[0]!];
  t.deepEqual(incompatibilities(base, next), [
    '#/properties/port: minimum 1 narrows',
    '#/properties/problem: enum value(s) "expired" removed',
    '#/properties/proxy: type null no longer allowed',
    '#/oneOf[type b]: removed',
  ]);
});

test('a newly required field, a new constraint or a closed object is named', (t) => {
  const next = copy();
  next.required = ['id', 'port', 'problem'];
  Object.assign(next.properties.id, { pattern: '^h-' });
  Object.assign(next, { additionalProperties: false });
  next.properties.trust.additionalProperties = { type: 'integer' } as unknown as { type: string };
  t.deepEqual(incompatibilities(base, next), [
    '#: problem newly required',
    '#/properties/id: pattern added',
    '#/properties/trust/additionalProperties: type string no longer allowed',
    '#: additionalProperties restricted',
  ]);
});

test('a changed $ref cannot be judged, so it is named', (t) => {
  const next = copy();
  next.properties.chain.items.$ref = '#/$defs/other';
  t.deepEqual(incompatibilities(base, next), [
    '#/properties/chain/items: $ref changed from #/$defs/entry to #/$defs/other',
  ]);
});
