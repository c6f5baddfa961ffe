// Writes a file whole or not at all: into a fresh temporary name beside it, then renamed over it, so a
// reader (or a crash) never sees half a file.
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';

export async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, content, { mode, flag: 'wx' });
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
