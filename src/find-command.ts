// Whether a command is on PATH, as the shell would find it: entries split on the platform's
// delimiter (; on Windows), and on Windows each PATHEXT extension tried; pure over env and a file test.
import { posix, win32 } from 'node:path';

export interface CommandSearch {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether a file exists there (injected: tests never look at this machine). */
  isFile: (path: string) => boolean;
}

/** Windows environment names ignore case (Path, PATH); a plain object from a test does not. */
function variable(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

// cmd.exe's default when PATHEXT is unset.
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** The full path the command runs from, or null. */
export function findCommand(command: string, search: CommandSearch): string | null {
  const windows = search.platform === 'win32';
  const path = windows ? win32 : posix;
  const entries = (variable(search.env, 'PATH', search.platform) ?? '')
    .split(path.delimiter)
    // Windows PATH entries may be quoted ("C:\Program Files\Java\bin"); an empty or relative entry
    // (the current directory, or one below it, for sh) is not searched: a tool must not run from
    // wherever the user stands.
    .map((dir) => (windows ? dir.replace(/^"(.*)"$/, '$1') : dir))
    .filter((dir) => path.isAbsolute(dir));
  const extensions =
    windows && !path.extname(command)
      ? (variable(search.env, 'PATHEXT', search.platform) || DEFAULT_PATHEXT).split(';').filter(Boolean)
      : [''];
  for (const dir of entries) {
    for (const extension of extensions) {
      const candidate = path.join(dir, `${command}${extension}`);
      if (search.isFile(candidate)) return candidate;
    }
  }
  return null;
}
