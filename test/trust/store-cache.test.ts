// A store's on-disk copy: used only when it was made from the same bundle (or Node), whole, and kept where only
// this user can write; a store read from it answers every lookup and verdict as the bundle itself does.
import test from 'ava';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { makeFixturePki, type FixturePki } from '../../scripts/fixture-pki.js';
import { judgeChain } from '../../src/diagnose/chain-judgement.js';
import { pemCertificates } from '../../src/trust/pem.js';
import {
  decodeStoreCache,
  encodeStoreCache,
  fileIdentity,
  nodeRootsIdentity,
  readStoreCache,
  writeStoreCache,
  type StoreSnapshot,
} from '../../src/trust/store-cache.js';
import { loadPublicStore, loadSystemStore } from '../../src/trust/stores.js';
import { subjectKeyOfDer, type TrustStore } from '../../src/trust/trust-store.js';

let pki: FixturePki;
test.before(async () => {
  pki = await makeFixturePki(mkdtempSync(join(tmpdir(), 'tlswitness-store-cache-')));
});

const privateTemp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-store-cache-'));
  chmodSync(dir, 0o700);
  return dir;
};
const nodeRoots = () => rootCertificates.map((pem) => pemCertificates(pem)[0]!);
const snapshotOf = (ders: Buffer[]): StoreSnapshot => ({ ders, keys: ders.map(subjectKeyOfDer) });
const cacheFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('store-'));

test('a store written to the cache reads back as it was; another identity (a changed bundle, another Node) reads nothing', (t) => {
  const dir = privateTemp();
  const snapshot = snapshotOf(nodeRoots());
  writeStoreCache('file /etc/x.pem 1 2 3 4:5', snapshot, dir);
  t.deepEqual(readStoreCache('file /etc/x.pem 1 2 3 4:5', dir), snapshot);
  t.is(readStoreCache('file /etc/x.pem 1 2 3 4:6', dir), null, 'another inode');
  t.is(readStoreCache('node-roots v99.0.0 x64 file /usr/bin/node 1 2 3 4:5', dir), null);
  writeStoreCache('small', snapshotOf(nodeRoots().slice(0, 3)), dir);
  t.is(cacheFiles(dir).length, 1, 'small stores are not cached');
});

test('a damaged or cut short cache file, or one made for another identity under its name, is not used', (t) => {
  const snapshot = snapshotOf(nodeRoots());
  const file = encodeStoreCache('id', snapshot);
  t.deepEqual(decodeStoreCache(file, 'id'), snapshot);
  const flipped = Buffer.from(file);
  flipped[file.length - 700]! ^= 1;
  t.is(decodeStoreCache(flipped, 'id'), null, 'one bit changed in a certificate');
  t.is(decodeStoreCache(file.subarray(0, file.length - 1), 'id'), null, 'cut short');
  t.is(decodeStoreCache(file.subarray(0, 40), 'id'), null, 'only a header');
  t.is(decodeStoreCache(file, 'other'), null);
  t.is(decodeStoreCache(Buffer.from('{"identity":"id","keys":[]}'), 'id'), null, 'the old JSON index');
});

test('the cache is read only where this user alone can write: not from a shared directory, not through a link', (t) => {
  const snapshot = snapshotOf(nodeRoots());
  const shared = join(privateTemp(), 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  writeStoreCache('id', snapshot, shared);
  t.deepEqual(cacheFiles(shared), [], 'not written there');
  const mine = privateTemp();
  writeStoreCache('id', snapshot, mine);
  const [name] = cacheFiles(mine);
  t.is(statSync(join(mine, name!)).mode & 0o777, 0o600);
  writeFileSync(join(shared, name!), readFileSync(join(mine, name!)));
  t.is(readStoreCache('id', shared), null, 'a shared directory');
  const linked = privateTemp();
  symlinkSync(join(mine, name!), join(linked, name!));
  t.is(readStoreCache('id', linked), null, 'a link');
  chmodSync(join(mine, name!), 0o620);
  t.is(readStoreCache('id', mine), null, 'a file others may write');
});

test("a bundle's identity changes when it is rewritten, even to the same size with its mtime put back", (t) => {
  const file = join(privateTemp(), 'bundle.pem');
  writeFileSync(file, pki.publicRoot.pem);
  const before = fileIdentity(file);
  const { atime, mtime } = statSync(file);
  writeFileSync(file, pki.publicRoot.pem.replace('MII', 'MIJ'));
  utimesSync(file, atime, mtime);
  t.not(fileIdentity(file), before);
  t.is(fileIdentity(join(file, 'missing')), null);
  t.truthy(nodeRootsIdentity()?.startsWith(`node-roots ${process.version} `));
});

/** Every lookup a verification makes of the store, and the store's anchors, as data to compare. */
function answers(store: TrustStore | null, ders: Buffer[]): unknown {
  const keys = [...new Set(ders.map(subjectKeyOfDer))];
  return {
    anchors: store?.anchorDers().map((der) => der.toString('base64')),
    bySubject: keys.map((key) => store?.dersWithSubjectKey(key).map((der) => der.toString('base64'))),
  };
}

test.serial(
  'a system store read from the cache answers every lookup and gives every fixture chain the verdicts the bundle gives; a changed bundle is read afresh',
  async (t) => {
    const fixtureCas = [pki.publicRoot, pki.corporateRoot, pki.publicIntermediate, pki.unknownRoot].map((i) => i.pem);
    const bundle = join(privateTemp(), 'ca-certificates.crt');
    writeFileSync(bundle, [...rootCertificates, ...fixtureCas].join('\n'));
    const env = { SSL_CERT_FILE: bundle };
    process.env.TLSWITNESS_CACHE_DIR = privateTemp();
    const fresh = (await loadSystemStore(env, 'linux')).store!;
    t.deepEqual(cacheFiles(process.env.TLSWITNESS_CACHE_DIR), [], 'written once the subjects are indexed');
    const ders = pemCertificates(readFileSync(bundle, 'latin1'));
    const expected = answers(fresh, ders);
    t.is(cacheFiles(process.env.TLSWITNESS_CACHE_DIR).length, 1);
    const cached = (await loadSystemStore(env, 'linux')).store!;
    t.deepEqual(answers(cached, ders), expected);
    const now = new Date();
    for (const scenario of Object.values(pki.scenarios)) {
      const chain = scenario.sent.flatMap((pem) => pemCertificates(pem));
      const verdict = (system: TrustStore) =>
        judgeChain(chain, { public: null, system, extra: null }, now, scenario.host).verification;
      t.deepEqual(verdict(cached), verdict(fresh), scenario.name);
    }
    // Rewritten without the fixture roots, same mtime: the cache made from the old bundle is not read.
    const { atime, mtime } = statSync(bundle);
    writeFileSync(bundle, rootCertificates.join('\n'));
    utimesSync(bundle, atime, mtime);
    const changed = (await loadSystemStore(env, 'linux')).store!;
    t.is(changed.size, rootCertificates.length);
    t.deepEqual(changed.dersWithSubjectKey(subjectKeyOfDer(pki.publicRoot.der)), []);
  },
);

test.serial("Node's roots read from the cache are tls.rootCertificates, lookups and all", async (t) => {
  process.env.TLSWITNESS_CACHE_DIR = privateTemp();
  const fresh = (await loadPublicStore()).store!;
  const ders = nodeRoots();
  const expected = answers(fresh, ders);
  t.is(cacheFiles(process.env.TLSWITNESS_CACHE_DIR).length, 1);
  const cached = (await loadPublicStore()).store!;
  t.deepEqual(answers(cached, ders), expected);
  t.is(cached.size, rootCertificates.length);
});
