// Which files of one kind in the cache directory to remove once a new one is written: each kind is named by a
// hash of what it was made from (a bundle, python3's answer, the node binary), so every change leaves the old
// file behind; the kind keeps only its newest few. Pure: names and times in, names out.

/** A file in the cache directory and when it was last written. */
export interface CacheEntry {
  name: string;
  mtimeMs: number;
}

/**
 * Files of a kind kept besides the one just written. Several can be in use at once, and one in use is never
 * rewritten while it stays valid, so it can be the oldest: three stores per setup (Node's roots, the OS
 * bundle, certifi's), times the Node versions a version manager switches between; one certifi answer per
 * python3 environment (a developer's virtualenvs). One taken while still in use costs its next run the work
 * again (python3 asked again: ~50-100 ms), so the bound is generous: at most ~17 files of a kind (~3 MB of
 * stores) rather than a file for every change for ever.
 */
export const KEEP_NEWEST = 16;

/**
 * The files of `kind` (a pattern for whole names, without the g flag) to remove: all but the `keep` newest,
 * never `written` (the file this run just made) and never a name of another kind.
 */
export function staleCacheFiles(
  entries: readonly CacheEntry[],
  kind: RegExp,
  written: string | null,
  keep: number = KEEP_NEWEST,
): string[] {
  return entries
    .filter((entry) => entry.name !== written && kind.test(entry.name))
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(keep)
    .map((entry) => entry.name);
}
