// compareRootSets() on fixture root lists: which roots one set lacks or adds, and which set is older.
import test from 'ava';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { buildCertificate } from '../../src/ca/certificate-builder.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { compareRootSets, versionDate } from '../../src/trust/root-set-comparison.js';

const YEAR = 365 * 86_400_000;

async function root(
  cn: string,
  notBefore: Date,
  key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
): Promise<Buffer> {
  const built = await buildCertificate({
    subject: [{ type: 'CN', value: cn }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + 20 * YEAR),
    publicKey: key.publicKey as KeyObject,
    signingKey: key.privateKey as KeyObject,
    isCA: true,
  });
  return built.der;
}

const node = rootCertificates.map((pem) => pemCertificates(pem)[0]!);
const subjectOf = (der: Buffer) => new X509Certificate(der).subject.split('\n').reverse().join(',');

test('the same list: nothing missing, nothing added', (t) => {
  const result = compareRootSets(node, node);
  t.is(result.age, 'same');
  t.deepEqual([result.missing, result.added], [[], []]);
  t.is(result.candidateSize, node.length);
});

test('an old certifi lacking a root the reference has: older, and the missing root is named', async (t) => {
  const recent = await root('Fixture Root 2025', new Date('2025-03-01T00:00:00Z'));
  const reference = [...node, recent];
  const result = compareRootSets(node, reference);
  t.is(result.age, 'older');
  t.deepEqual(
    result.missing.map((m) => m.subject),
    ['CN=Fixture Root 2025'],
  );
  t.deepEqual(result.added, []);
});

test('a root made after the release date settles it: older, even when the candidate adds newer-looking roots', async (t) => {
  const missing = await root('Fixture Root 2024', new Date('2024-06-01T00:00:00Z'));
  const handAdded = await root('Corp Root', new Date('2025-01-01T00:00:00Z'));
  const result = compareRootSets([...node, handAdded], [...node, missing], versionDate('2024.02.02'));
  t.is(result.age, 'older');
  // Without the date the newest exclusive root decides, and the hand-added one looks newer.
  t.is(compareRootSets([...node, handAdded], [...node, missing]).age, 'newer');
  // A certificate known to be added by hand (a corporate CA) says nothing about the age.
  const corp = new X509Certificate(handAdded).fingerprint256;
  t.is(compareRootSets([...node, handAdded], [...node, missing], null, new Set([corp])).age, 'older');
});

test('a newer certifi: it dropped an old root the reference still has and holds a newer one', async (t) => {
  const old = node[0]!;
  const added = await root('Fixture Root 2026', new Date('2026-01-01T00:00:00Z'));
  const result = compareRootSets([...node.slice(1), added], node);
  t.is(result.age, 'newer');
  t.deepEqual(
    result.missing.map((m) => m.subject),
    [subjectOf(old)],
  );
  t.deepEqual(
    result.added.map((a) => a.subject),
    ['CN=Fixture Root 2026'],
  );
});

test('a root re-issued with new dates, same name and key, is the same anchor', async (t) => {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const first = await root('Fixture Reissued Root', new Date('2015-01-01T00:00:00Z'), key);
  const again = await root('Fixture Reissued Root', new Date('2021-01-01T00:00:00Z'), key);
  t.is(compareRootSets([first], [again]).age, 'same');
  // Another key under the same name is another root.
  const rekeyed = await root('Fixture Reissued Root', new Date('2021-01-01T00:00:00Z'));
  t.is(compareRootSets([first], [rekeyed]).age, 'older');
});

test("versionDate reads certifi's date versions, both spellings", (t) => {
  t.is(versionDate('2024.02.02')?.toISOString(), '2024-02-02T00:00:00.000Z');
  t.is(versionDate('2020.12.5')?.toISOString(), '2020-12-05T00:00:00.000Z');
  t.is(versionDate('1.0'), null);
  t.is(versionDate(null), null);
});
