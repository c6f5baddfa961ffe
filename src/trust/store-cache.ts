// A large store (Node's bundled roots, the OS bundle, certifi's) kept in the cache dir as one file: its
// certificates as DER with the subject key of each, so that a run reads one file instead of decoding ~140 PEM
// blocks and indexing their subjects (~2 ms a store). The file holds trust anchors, so it is kept as the code
// cache is (private-file.ts: a directory of this user's alone, owner-only), names what it was made from (a
// bundle by path, size, times and inode; Node's roots by the node binary), and carries a digest of its contents:
// a store that changed, another Node's roots or a damaged file are never read as the store.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readPrivateFile, writePrivateFile } from '../private-file.js';
import { cacheDir } from './cache-dir.js';

const MAGIC = Buffer.from('tlswitness store cache 1\n');
const DIGEST_SIZE = 32;
const HEADER_SIZE = MAGIC.length + 2 * DIGEST_SIZE;
/** Smaller stores (--extra-ca files) are read as fast as their cache would be. */
export const MIN_SIZE_TO_CACHE = 32;

/** A store's certificates and, for each, its subject key (trust-store.ts subjectKeyOfDer; '' when unparseable). */
export interface StoreSnapshot {
  ders: Buffer[];
  keys: string[];
}

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * What a file's contents are known by without reading them: any write changes its size, mtime or ctime (which
 * no one can set back), a new file its inode.
 */
export function fileIdentity(path: string): string | null {
  try {
    const info = statSync(path);
    return `file ${path} ${info.size} ${info.mtimeMs} ${info.ctimeMs} ${info.dev}:${info.ino}`;
  } catch {
    return null;
  }
}

/** Node's bundled roots are part of the node binary: its version and the binary file itself name them. */
export function nodeRootsIdentity(): string | null {
  const binary = fileIdentity(process.execPath);
  return binary && `node-roots ${process.version} ${process.arch} ${binary}`;
}

export function encodeStoreCache(identity: string, snapshot: StoreSnapshot): Buffer {
  const parts: Buffer[] = [];
  snapshot.ders.forEach((der, i) => {
    const key = Buffer.from(snapshot.keys[i] ?? '', 'utf8');
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(der.length, 0);
    lengths.writeUInt32BE(key.length, 4);
    parts.push(lengths, der, key);
  });
  const body = Buffer.concat(parts);
  return Buffer.concat([MAGIC, sha256(identity), sha256(body), body]);
}

/** The store in `file` if it was made from what `identity` names and is whole; null otherwise. */
export function decodeStoreCache(file: Buffer, identity: string): StoreSnapshot | null {
  if (file.length < HEADER_SIZE || !file.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  if (!file.subarray(MAGIC.length, MAGIC.length + DIGEST_SIZE).equals(sha256(identity))) return null;
  const body = file.subarray(HEADER_SIZE);
  if (!sha256(body).equals(file.subarray(MAGIC.length + DIGEST_SIZE, HEADER_SIZE))) return null;
  const snapshot: StoreSnapshot = { ders: [], keys: [] };
  for (let offset = 0; offset < body.length;) {
    if (offset + 8 > body.length) return null;
    const derEnd = offset + 8 + body.readUInt32BE(offset);
    const keyEnd = derEnd + body.readUInt32BE(offset + 4);
    if (keyEnd > body.length) return null;
    snapshot.ders.push(body.subarray(offset + 8, derEnd));
    snapshot.keys.push(body.toString('utf8', derEnd, keyEnd));
    offset = keyEnd;
  }
  return snapshot.ders.length ? snapshot : null;
}

function fileName(identity: string): string {
  return `store-${sha256(identity).toString('hex').slice(0, 32)}.bin`;
}

/**
 * The files this one's writer keeps to the newest few: stores, and the subject indexes that earlier versions
 * kept per bundle (`subjects-<hash>.json`), which stores replaced; an older tlswitness on the same machine may
 * still read those, so they go as stores do, oldest first.
 */
const KINDS = [/^store-[0-9a-f]{32}\.bin$/, /^subjects-[0-9a-f]{32}\.json$/];

export function readStoreCache(identity: string, dir: string = cacheDir()): StoreSnapshot | null {
  const file = readPrivateFile(dir, fileName(identity));
  return file && decodeStoreCache(file, identity);
}

export function writeStoreCache(identity: string, snapshot: StoreSnapshot, dir: string = cacheDir()): void {
  if (snapshot.ders.length < MIN_SIZE_TO_CACHE || snapshot.keys.length !== snapshot.ders.length) return;
  writePrivateFile(dir, fileName(identity), () => encodeStoreCache(identity, snapshot), KINDS);
}
