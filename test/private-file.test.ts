// The cache directory stays bounded: a run that writes a file of a kind (a store, python3's answer about certifi)
// leaves that kind its newest few and the file it wrote, through the real loaders; files of other kinds and
// anything else in the directory stay as they were, permissions and all.
import test from 'ava';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { KEEP_NEWEST } from '../src/cache-retention.js';
import { loadCertifiStore } from '../src/trust/certifi-store.js';
import { loadPublicStore } from '../src/trust/stores.js';

const HOUR = 3_600_000;
const privateTemp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-cache-bound-'));
  chmodSync(dir, 0o700);
  return dir;
};
const hex = (label: string) => createHash('sha256').update(label).digest('hex').slice(0, 32);

/** A file written `hoursAgo` hours ago. */
function plant(dir: string, name: string, hoursAgo: number, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, 'stale', { mode });
  const when = new Date(Date.now() - hoursAgo * HOUR);
  utimesSync(file, when, when);
  return name;
}

/** More files than a kind keeps, named as `prefix`'s writer names them, an hour apart; newest first. */
const manyOf = (dir: string, prefix: string, ext: string): string[] =>
  Array.from({ length: KEEP_NEWEST + 6 }, (_, i) => plant(dir, `${prefix}-${hex(`${prefix} ${i}`)}${ext}`, i + 1));

/** Names of one kind in `dir`, sorted. */
const kind = (dir: string, prefix: string, ext: string) =>
  readdirSync(dir)
    .filter(
      (name) =>
        name.startsWith(`${prefix}-`) &&
        name.endsWith(ext) &&
        /^[0-9a-f]{32}$/.test(name.slice(prefix.length + 1, -ext.length)),
    )
    .sort();

/** A stand-in python3 that names `bundle` as certifi's. */
function fakePython(bundle: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'tlswitness-fakepython-'));
  writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho '${bundle}'\necho 2024.02.02\n`);
  chmodSync(join(bin, 'python3'), 0o755);
  return bin;
}

/** Files that are not the writers' kinds, with other permissions: all must stay as they are. */
function unrelated(dir: string): Map<string, number> {
  const names = [
    plant(dir, 'notes.txt', 100, 0o644),
    plant(dir, `store-${hex('temp')}.bin.4242.tmp`, 100),
    plant(dir, 'certifi-backup.json', 100),
    plant(dir, `store-${hex('upper').toUpperCase()}.bin`, 100),
  ];
  return new Map(names.map((name) => [name, statSync(join(dir, name)).mode]));
}

(process.platform === 'win32' ? test.skip : test.serial)(
  "one run that asks python3 and caches certifi's store: certifi answers and stores keep their newest few and the new one; old subject indexes their newest few; nothing else is touched",
  async (t) => {
    const dir = privateTemp();
    const before = {
      certifi: manyOf(dir, 'certifi', '.json'),
      store: manyOf(dir, 'store', '.bin'),
      subjects: manyOf(dir, 'subjects', '.json'),
      openssl: manyOf(dir, 'openssl-version', '.json'),
    };
    const others = unrelated(dir);
    const bundle = join(mkdtempSync(join(tmpdir(), 'tlswitness-certifi-')), 'cacert.pem');
    writeFileSync(bundle, rootCertificates.join('\n'));
    process.env.TLSWITNESS_CACHE_DIR = dir;
    const loaded = await loadCertifiStore({ PATH: `${fakePython(bundle)}:/usr/bin:/bin`, TLSWITNESS_CACHE_DIR: dir });
    // A lookup indexes the store's subjects, which writes it to the cache.
    t.deepEqual(loaded.store!.dersWithSubjectKey('no such subject'), []);

    const newOne = (prefix: string, ext: string, old: string[]) => {
      const added = kind(dir, prefix, ext).filter((name) => !old.includes(name));
      t.is(added.length, 1, `one new ${prefix} file`);
      return added;
    };
    const certifi = newOne('certifi', '.json', before.certifi);
    t.deepEqual(kind(dir, 'certifi', '.json'), [...before.certifi.slice(0, KEEP_NEWEST), ...certifi].sort());
    const store = newOne('store', '.bin', before.store);
    t.deepEqual(kind(dir, 'store', '.bin'), [...before.store.slice(0, KEEP_NEWEST), ...store].sort());
    t.deepEqual(kind(dir, 'subjects', '.json'), before.subjects.slice(0, KEEP_NEWEST).sort(), 'stores replaced them');
    t.deepEqual(kind(dir, 'openssl-version', '.json'), before.openssl.sort(), 'another kind of answer');
    for (const [name, mode] of others) t.is(statSync(join(dir, name)).mode, mode, name);
    for (const name of [...before.certifi.slice(0, KEEP_NEWEST), ...before.store.slice(0, KEEP_NEWEST)])
      t.is(statSync(join(dir, name)).mode & 0o777, 0o600, name);
  },
);

(process.platform === 'win32' ? test.skip : test.serial)(
  "Node's roots written to the cache take the oldest stores beyond the newest few; a later run that reads its store from the cache removes nothing, nor does a run where the directory is not this user's alone",
  async (t) => {
    const dir = privateTemp();
    const stale = manyOf(dir, 'store', '.bin');
    process.env.TLSWITNESS_CACHE_DIR = dir;
    (await loadPublicStore()).store!.dersWithSubjectKey('no such subject');
    const [written] = kind(dir, 'store', '.bin').filter((name) => !stale.includes(name));
    t.truthy(written);
    t.deepEqual(kind(dir, 'store', '.bin'), [written!, ...stale.slice(0, KEEP_NEWEST)].sort());

    // Another directory holding that store: read from it, nothing is written, so nothing is taken.
    const cached = privateTemp();
    copyFileSync(join(dir, written!), join(cached, written!));
    const more = manyOf(cached, 'store', '.bin');
    process.env.TLSWITNESS_CACHE_DIR = cached;
    (await loadPublicStore()).store!.dersWithSubjectKey('no such subject');
    t.deepEqual(kind(cached, 'store', '.bin'), [written!, ...more].sort());

    const shared = privateTemp();
    const old = manyOf(shared, 'store', '.bin');
    chmodSync(shared, 0o777);
    process.env.TLSWITNESS_CACHE_DIR = shared;
    (await loadPublicStore()).store!.dersWithSubjectKey('no such subject');
    t.deepEqual(kind(shared, 'store', '.bin'), old.sort(), 'not written there, so not pruned either');
  },
);
