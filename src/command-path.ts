// The absolute path a command runs from on this machine, found once with findCommand, so a spawn never
// searches PATH again: execvp takes an empty PATH entry as the current directory, and on Windows libuv
// looks in the current directory first (Node docs, child_process "Spawning .bat and .cmd files" / PATH).
import { statSync } from 'node:fs';
import { win32 } from 'node:path';
import { findCommand } from './find-command.js';

/** A file the shell would run: on POSIX, one with an execute bit (sh skips the others and searches on). */
const isFile = (path: string) => {
  const info = statSync(path, { throwIfNoEntry: false });
  return info?.isFile() === true && (process.platform === 'win32' || (info.mode & 0o111) !== 0);
};

/** Where `command` is, or null; Windows' certutil is always the system one, never an NSS certutil earlier on PATH. */
export function commandPath(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (platform === 'win32' && command === 'certutil')
    return win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'certutil.exe');
  return findCommand(command, { platform, env, isFile });
}
