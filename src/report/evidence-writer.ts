// Writes an evidence bundle to a new directory, or to PATH.tar.gz (via node-tar, a maintained
// archiver, never a hand-rolled tar); a partly written bundle never stays behind.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TlswitnessError } from '../errors.js';
import type { EvidenceFile } from './evidence-files.js';

export function isTarball(path: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(path);
}

async function isMissingOrEmptyDir(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTDIR') return false;
    throw new TlswitnessError('unreadable-file', `-o ${path}: ${code}`);
  }
}

/** Owner-only: a bundle names the user's hosts, proxies and environment. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

async function writeTree(dir: string, files: EvidenceFile[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  for (const file of files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
    await writeFile(path, file.content, { flag: 'wx', mode: FILE_MODE });
  }
}

function failure(path: string, error: unknown): TlswitnessError {
  if (error instanceof TlswitnessError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new TlswitnessError(
    'unreadable-file',
    `-o ${path}: cannot write the bundle (${code}); choose a writable path`,
  );
}

/** Writes the bundle; returns the paths written, relative to it. */
export async function writeEvidence(path: string, files: EvidenceFile[]): Promise<string[]> {
  if (isTarball(path)) {
    const staging = await mkdtemp(join(tmpdir(), 'tlswitness-evidence-'));
    const top = basename(path).replace(/\.(tar\.gz|tgz)$/i, '') || 'evidence';
    try {
      await writeTree(join(staging, top), files);
      const tar = await import('tar');
      await tar.create({ gzip: true, file: path, mode: FILE_MODE, cwd: staging, portable: true, noMtime: false }, [
        top,
      ]);
    } catch (error) {
      throw failure(path, error);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return files.map((file) => `${top}/${file.path}`);
  }
  if (!(await isMissingOrEmptyDir(path)))
    throw new TlswitnessError(
      'bad-usage',
      `-o ${path} already exists and is not an empty directory: choose a new path (or end it in .tar.gz)`,
    );
  try {
    await writeTree(path, files);
  } catch (error) {
    throw failure(path, error);
  }
  return files.map((file) => file.path);
}

/** DIR/NAME, or DIR/NAME-2, -3... when taken: bundles from earlier runs are never overwritten. */
export async function freshDirectory(parent: string, name: string): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = join(parent, n === 1 ? name : `${name}-${n}`);
    if (await isMissingOrEmptyDir(candidate).catch(() => false)) return candidate;
  }
  throw new TlswitnessError('bad-usage', `${parent}: too many evidence bundles for ${name}; clean it up`);
}
