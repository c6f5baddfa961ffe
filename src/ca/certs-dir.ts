// Where the local CA and the extra trusted roots live (SPEC "The certs dir"): --certs-dir, else
// $TLSWITNESS_CERTS_DIR, else the checkout's certs/ when writable, else the per-user config dir.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
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

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function userConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'tlswitness');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'tlswitness');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'tlswitness');
}

export function findCertsDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (explicit) return explicit;
  if (env.TLSWITNESS_CERTS_DIR) return env.TLSWITNESS_CERTS_DIR;
  const checkout = checkoutCertsDir();
  if (checkout && existsSync(checkout) && writable(checkout)) return checkout;
  return userConfigDir(env, platform);
}
