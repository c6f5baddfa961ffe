// Where tlswitness keeps what it learned on earlier runs (compiled code, store snapshots, programs' answers).
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TLSWITNESS_CACHE_DIR) return env.TLSWITNESS_CACHE_DIR;
  const home = env.HOME || homedir() || tmpdir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'tlswitness', 'cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tlswitness');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'tlswitness');
}
