// Whether a directory is this user's alone, ancestors included: where code that runs as this user may be kept.
import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { oncePerProcess } from './cross-bundle.js';

const STICKY = 0o1000;
/** How long a directory found private is taken as such without a new check. */
const BATCH_MS = 5000;

/**
 * The real path of `dir` when no other user can change what is in it: it and every directory above it are this
 * user's or root's, and none is writable by group or others (an ancestor may be if it is sticky, as /tmp is:
 * there no one can rename or replace another user's entries). Another user who can write to an ancestor could
 * swap the directory for one of theirs; to the directory itself, put a link to a file of this user's holding
 * their bytes (a download, say). Null where it is not, or where users are not told apart (Windows).
 */
export function privateDir(dir: string): string | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  // What is above a directory found private stays so unless this user or root changes it (only the owners of
  // those directories can). So a batch of reads walks it once (inspect reads its code cache, three store snapshots
  // and two programs' answers from one directory: ~0.15 ms a walk), and checks only the directory itself at each
  // read; a long-running process walks it again once the batch is over.
  const known = oncePerProcess('private-dirs', () => new Map<string, { real: string; until: number }>());
  const now = Date.now();
  const seen = known.get(dir);
  if (seen && now < seen.until) return ownAlone(seen.real, uid) ? seen.real : null;
  const real = checkedDir(dir, uid);
  if (real === null) known.delete(dir);
  else known.set(dir, { real, until: now + BATCH_MS });
  return real;
}

/** The directory itself: this user's, writable by no one else. */
function ownAlone(real: string, uid: number): boolean {
  try {
    const stats = statSync(real);
    return stats.isDirectory() && stats.uid === uid && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function checkedDir(dir: string, uid: number): string | null {
  try {
    const real = realpathSync(dir);
    for (let path = real; ; path = dirname(path)) {
      const stats = statSync(path);
      const owner = stats.uid === uid || (path !== real && stats.uid === 0);
      const shared = (stats.mode & 0o022) !== 0 && (path === real || (stats.mode & STICKY) === 0);
      if (!stats.isDirectory() || !owner || shared) return null;
      if (dirname(path) === path) return real;
    }
  } catch {
    return null;
  }
}
