// Files that tlswitness keeps to run faster next time and uses without checking what they say (compiled code,
// trust anchors): read only from a directory that is this user's alone, only when this user wrote them, and
// written atomically, owner-only, each kind kept to its newest few. Best effort: a file that cannot be read or
// written is as if there were none.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { staleCacheFiles, type CacheEntry } from './cache-retention.js';
import { oncePerProcess } from './cross-bundle.js';
import { privateDir } from './private-dir.js';

/**
 * A regular file of this user's, writable by no one else. Whoever can write it decides what runs or what is
 * trusted, and no key or checksum in it stops them (so the file is read only in a directory that is this
 * user's alone, privateDir).
 */
function trusted(stats: Stats): boolean {
  return stats.isFile() && stats.uid === process.getuid?.() && (stats.mode & 0o022) === 0;
}

/** `name` in `dir`, or null when it is missing, unreadable, or not this user's alone (file or directory). */
export function readPrivateFile(dir: string, name: string): Buffer | null {
  const real = privateDir(dir);
  if (real === null) return null;
  let fd: number | undefined;
  try {
    // Not through a link: one to a file of this user's could hold anyone's bytes.
    fd = openSync(join(real, name), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    return trusted(fstatSync(fd)) ? readFileSync(fd) : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Atomically (a new file renamed over the old), 0600, in a directory that is this user's alone; else not at all.
 * Once written, the files of each of `kinds` (patterns for whole names: the name's own and any it replaced) are
 * cut to the newest few (pruneKind).
 */
export function writePrivateFile(
  dir: string,
  name: string,
  contents: () => Buffer,
  kinds: readonly RegExp[] = [],
): void {
  let temp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = privateDir(dir);
    if (real === null) return;
    const path = join(real, name);
    temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, contents(), { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
    temp = undefined;
    for (const kind of kinds) pruneKind(real, kind, name);
  } catch {
    // A read-only or full disk: the next run does without.
    try {
      if (temp !== undefined) unlinkSync(temp);
    } catch {
      // never created
    }
  }
}

/**
 * Removes the files of `kind` in `real` beyond the newest few (cache-retention.ts), never `written`; once per
 * process for each directory and kind (a run writes up to three stores), after the write, so a run that finds
 * everything cached never lists the directory. Another run may be reading a file removed here: on POSIX it reads
 * on from the open file, and one that finds it gone makes it again, as for any file not there.
 */
function pruneKind(real: string, kind: RegExp, written: string): void {
  const pruned = oncePerProcess('pruned-cache-kinds', () => new Set<string>());
  const key = `${real}\0${kind.source}`;
  if (pruned.has(key)) return;
  pruned.add(key);
  try {
    const entries: CacheEntry[] = [];
    for (const name of readdirSync(real)) {
      if (!kind.test(name)) continue;
      // lstat: a link is not a file of ours (none can be here: the directory is this user's alone).
      const stats = lstatSync(join(real, name), { throwIfNoEntry: false });
      if (stats?.isFile()) entries.push({ name, mtimeMs: stats.mtimeMs });
    }
    for (const name of staleCacheFiles(entries, kind, written)) {
      try {
        unlinkSync(join(real, name));
      } catch {
        // Removed by another run already.
      }
    }
  } catch {
    // An unreadable directory: a later run tries again.
  }
}
