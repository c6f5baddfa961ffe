// The file that holds a bundle's V8 code cache: which bundle, Node and flags it was compiled for, and a checksum
// of V8's data, which a release build of V8 does not verify itself (a flipped byte could crash the run).
import { createHash } from 'node:crypto';

const MAGIC = Buffer.from('tlswitness code cache 1\n');
const DIGEST_SIZE = 32;
const HEADER_SIZE = MAGIC.length + 2 * DIGEST_SIZE;

/** What compiled code depends on besides the source: V8 rejects data from another version or other flags. */
export interface Runtime {
  version: string;
  arch: string;
  /** Node's and V8's flags: process.execArgv and NODE_OPTIONS. */
  flags: readonly string[];
}

const sha256 = (...parts: (string | Buffer)[]): Buffer =>
  parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();

/** A digest of the bundle's source and the runtime that compiles it: a cache made for another is not used. */
export function codeCacheKey(source: Buffer, runtime: Runtime): Buffer {
  return sha256(source, '\0', runtime.version, '\0', runtime.arch, '\0', runtime.flags.join('\0'));
}

/** What a cache file holds: V8's data, and whether the run that made it ended well (exit code 0). */
export interface CodeCache {
  data: Buffer;
  /** A run that failed early compiled less: its cache is used, and replaced by the next run that ends well. */
  complete: boolean;
}

export function encodeCodeCache(key: Buffer, cache: CodeCache): Buffer {
  const body = Buffer.concat([Buffer.from([cache.complete ? 1 : 0]), cache.data]);
  return Buffer.concat([MAGIC, key, sha256(body), body]);
}

/** The cache in `file` if it was made for `key`; null when it is for another bundle or runtime, or damaged. */
export function decodeCodeCache(file: Buffer, key: Buffer): CodeCache | null {
  if (file.length <= HEADER_SIZE + 1 || !file.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  if (!file.subarray(MAGIC.length, MAGIC.length + DIGEST_SIZE).equals(key)) return null;
  const body = file.subarray(HEADER_SIZE);
  if (!sha256(body).equals(file.subarray(MAGIC.length + DIGEST_SIZE, HEADER_SIZE)) || body[0]! > 1) return null;
  return { data: body.subarray(1), complete: body[0] === 1 };
}
