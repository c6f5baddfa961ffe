// Where the local CA and the extra trusted roots live (SPEC "The certs dir"): --certs-dir, else
// $TLSWITNESS_CERTS_DIR, else the checkout's certs/ when writable, else the per-user config dir.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function checkoutCertsDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'tlswitness') return join(dir, 'certs');
      } catch {
        return null;
      }
    }
    dir = dirname(dir);
  }
  return null;
}

/** Whose certs dir: under sudo, the invoking user's (see invoking-user.ts), not root's. */
export interface CertsDirOwner {
  home: string;
  uid: number;
  gid: number;
}

/** Whether the owner may write there, from the mode bits (root's own access check says yes to everything). */
export function writableBy(stats: { uid: number; gid: number; mode: number }, owner: CertsDirOwner): boolean {
  if (stats.uid === owner.uid) return (stats.mode & 0o200) !== 0;
  if (stats.gid === owner.gid) return (stats.mode & 0o020) !== 0;
  return (stats.mode & 0o002) !== 0;
}

function writable(path: string, owner?: CertsDirOwner): boolean {
  if (owner) {
    const stats = statSync(path, { throwIfNoEntry: false });
    return !!stats && writableBy(stats, owner);
  }
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function userConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'tlswitness');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'tlswitness');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'tlswitness');
}

export function findCertsDir(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  owner?: CertsDirOwner,
): string {
  if (explicit) return explicit;
  if (env.TLSWITNESS_CERTS_DIR) return env.TLSWITNESS_CERTS_DIR;
  const checkout = checkoutCertsDir();
  if (checkout && existsSync(checkout) && writable(checkout, owner)) return checkout;
  return userConfigDir(env, platform, owner?.home ?? homedir());
}
