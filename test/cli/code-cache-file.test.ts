// The code cache's file: read back only for the bundle and runtime it was made for, and never when damaged.
import test from 'ava';
import { codeCacheKey, decodeCodeCache, encodeCodeCache, type Runtime } from '../../src/cli/code-cache-file.js';

const runtime: Runtime = { version: 'v20.20.2', arch: 'x64', flags: [] };
const source = Buffer.from('module.exports = () => 42;');
const key = codeCacheKey(source, runtime);
const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));

test('a cache file reads back as written, with whether its run ended well', (t) => {
  for (const complete of [true, false]) {
    const read = decodeCodeCache(encodeCodeCache(key, { data, complete }), key);
    t.deepEqual(read && { data: Buffer.from(read.data), complete: read.complete }, { data, complete });
  }
});

test('a cache made for another bundle, Node, architecture or flags is not used', (t) => {
  const file = encodeCodeCache(key, { data, complete: true });
  const others = [
    codeCacheKey(Buffer.from('module.exports = () => 43;'), runtime),
    codeCacheKey(source, { ...runtime, version: 'v20.20.3' }),
    codeCacheKey(source, { ...runtime, arch: 'arm64' }),
    codeCacheKey(source, { ...runtime, flags: ['--max-old-space-size=100'] }),
    codeCacheKey(source, { ...runtime, flags: ['', ''] }),
  ];
  t.is(new Set([key, ...others].map((k) => k.toString('hex'))).size, others.length + 1);
  for (const other of others) t.is(decodeCodeCache(file, other), null);
});

test('a damaged cache file is not used: any byte changed, truncated, extended or empty', (t) => {
  const file = encodeCodeCache(key, { data, complete: true });
  for (let at = 0; at < file.length; at++) {
    const flipped = Buffer.from(file);
    flipped[at] = flipped[at]! ^ 0x20;
    t.is(decodeCodeCache(flipped, key), null, `byte ${at}`);
  }
  for (const length of [0, 1, 24, 56, 88, 89, file.length - 1])
    t.is(decodeCodeCache(file.subarray(0, length), key), null, `${length} bytes`);
  t.is(decodeCodeCache(Buffer.concat([file, Buffer.from([0])]), key), null);
});
