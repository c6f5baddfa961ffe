// Files that tlswitness keeps to run faster next time and uses without checking what they say (compiled code,
// trust anchors): read only from a directory that is this user's alone, only when this user wrote them, and
// written atomically, owner-only. Best effort: a file that cannot be read or written is as if there were none.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
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

/** Atomically (a new file renamed over the old), 0600, in a directory that is this user's alone; else not at all. */
export function writePrivateFile(dir: string, name: string, contents: () => Buffer): void {
  let temp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = privateDir(dir);
    if (real === null) return;
    const path = join(real, name);
    temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, contents(), { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch {
    // A read-only or full disk: the next run does without.
    try {
      if (temp !== undefined) unlinkSync(temp);
    } catch {
      // never created
    }
  }
}
