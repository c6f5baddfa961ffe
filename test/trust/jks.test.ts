// The JKS / JCEKS reader on stores keytool writes (when installed) and on hand-made bytes.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JksError, readJks } from '../../src/trust/jks.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { keytool, KEYTOOL_MISSING, keytoolTruststore } from '../helpers/java-stores.js';
import { makeTestCa } from '../helpers/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'tlswitness-jks-'));
let rootA: Buffer;
let rootB: Buffer;
let stores: { jks: Buffer; jceksTrusted: Buffer; jceksSecret: Buffer; withKey: Buffer } | undefined;

test.before(async () => {
  const [a, b] = await Promise.all([makeTestCa('JKS Root A'), makeTestCa('JKS Root B')]);
  rootA = pemCertificates(a.pem)[0]!;
  rootB = pemCertificates(b.pem)[0]!;
  writeFileSync(join(dir, 'a.pem'), a.pem);
  writeFileSync(join(dir, 'b.pem'), b.pem);
  if (KEYTOOL_MISSING) return;
  const withKey = join(dir, 'with-key.jks');
  const [jks, jceksTrusted] = await Promise.all([
    keytoolTruststore(dir, 'two', 'JKS', [
      { alias: 'root-a', file: join(dir, 'a.pem') },
      { alias: 'root-b', file: join(dir, 'b.pem') },
    ]),
    keytoolTruststore(dir, 'one', 'JCEKS', [{ alias: 'root-a', file: join(dir, 'a.pem') }]),
    keytool([
      '-genkeypair',
      '-storetype',
      'JKS',
      '-keystore',
      withKey,
      '-storepass',
      'changeit',
      '-keypass',
      'changeit',
      '-alias',
      'me',
      '-keyalg',
      'EC',
      '-dname',
      'CN=me',
      '-validity',
      '30',
    ]),
    keytool([
      '-genseckey',
      '-storetype',
      'JCEKS',
      '-keystore',
      join(dir, 'secret.jceks'),
      '-storepass',
      'changeit',
      '-keypass',
      'changeit',
      '-alias',
      'sk',
      '-keyalg',
      'AES',
      '-keysize',
      '128',
    ]),
  ]);
  stores = {
    jks: readFileSync(jks),
    jceksTrusted: readFileSync(jceksTrusted),
    jceksSecret: readFileSync(join(dir, 'secret.jceks')),
    withKey: readFileSync(withKey),
  };
});

const withKeytool = KEYTOOL_MISSING ? test.skip : test;
if (KEYTOOL_MISSING) console.log(`jks.test.ts: keytool tests skipped: ${KEYTOOL_MISSING}`);

withKeytool('a keytool JKS: both trusted entries, by alias and DER; the digest checks with its password only', (t) => {
  const store = readJks(stores!.jks, 'changeit');
  t.is(store.kind, 'JKS');
  t.deepEqual(store.trusted.map((e) => e.alias).sort(), ['root-a', 'root-b']);
  const byAlias = new Map(store.trusted.map((e) => [e.alias, e.der]));
  t.true(byAlias.get('root-a')!.equals(rootA));
  t.true(byAlias.get('root-b')!.equals(rootB));
  t.is(store.keyEntries, 0);
  t.is(store.integrity, 'ok');
  t.is(readJks(stores!.jks, 'wrong').integrity, 'mismatch');
  t.is(readJks(stores!.jks).integrity, 'unchecked');
});

withKeytool(
  'a key entry is counted, not taken as trusted; JCEKS trusted entries read; a JCEKS secret key is refused by name',
  (t) => {
    const keyed = readJks(stores!.withKey, 'changeit');
    t.is(keyed.keyEntries, 1);
    t.deepEqual(keyed.trusted, []);
    t.is(keyed.integrity, 'ok');
    const jceks = readJks(stores!.jceksTrusted, 'changeit');
    t.is(jceks.kind, 'JCEKS');
    t.true(jceks.trusted[0]!.der.equals(rootA));
    t.regex(t.throws(() => readJks(stores!.jceksSecret), { instanceOf: JksError })!.message, /secret-key entry/);
  },
);

withKeytool('cut short or with bytes appended: a JksError that says which, never a crash or a wrong answer', (t) => {
  const jks = stores!.jks;
  for (const cut of [4, 12, 40, jks.length - 30, jks.length - 1])
    t.throws(() => readJks(jks.subarray(0, cut)), { instanceOf: JksError, message: /truncated/ }, `cut at ${cut}`);
  t.throws(() => readJks(Buffer.concat([jks, Buffer.from([0])])), { instanceOf: JksError, message: /trailing bytes/ });
  // A flipped certificate byte still parses as a store, and the digest says it was changed.
  const flipped = Buffer.from(jks);
  flipped[200] = flipped[200]! ^ 0xff;
  t.is(readJks(flipped, 'changeit').integrity, 'mismatch');
});

/** A version-1 JKS (no certificate type strings, as JDK 1.1 wrote it), built by hand with its digest. */
function versionOneStore(der: Buffer, password: string, count = 1): Buffer {
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  const alias = Buffer.from('old');
  const body = Buffer.concat([
    u32(0xfeedfeed),
    u32(1),
    u32(count),
    u32(2),
    Buffer.from([0, alias.length]),
    alias,
    Buffer.alloc(8),
    u32(der.length),
    der,
  ]);
  const digest = createHash('sha1')
    .update(Buffer.from(password, 'utf16le').swap16())
    .update('Mighty Aphrodite')
    .update(body)
    .digest();
  return Buffer.concat([body, digest]);
}

test('a version-1 store made by hand reads, with its digest; a count larger than its entries ends in an error, not a long loop', (t) => {
  const store = readJks(versionOneStore(rootA, 'pw'), 'pw');
  t.is(store.integrity, 'ok');
  t.true(store.trusted[0]!.der.equals(rootA));
  t.is(store.trusted[0]!.alias, 'old');
  t.throws(() => readJks(versionOneStore(rootA, 'pw', 0xffffffff)), {
    instanceOf: JksError,
    message: /truncated|unknown type/,
  });
  t.throws(() => readJks(Buffer.from('feedfeed00000003', 'hex')), { instanceOf: JksError, message: /version 3/ });
  t.throws(() => readJks(Buffer.from('3082', 'hex')), { instanceOf: JksError, message: /not a Java keystore/ });
});
