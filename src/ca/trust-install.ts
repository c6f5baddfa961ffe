// `ca install` / `ca uninstall`: put the local CA into the OS trust store, NSS databases and Java's
// cacerts where present, the way mkcert does; where it cannot act, say exactly what to run.
// Uninstall takes out every tlswitness CA a store holds (older certs dirs' and older CAs' too).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { java, nss } from './app-stores.js';
import { commandPath } from '../command-path.js';
import { isLabelFile, macKeychainCas, tlswitnessCa, windowsStoreCas, type FoundCa } from './installed-cas.js';
import { oneLine } from '../report/terminal-safe.js';
import { commandLine } from '../shell-quote.js';
import {
  caLabel,
  firstLine,
  listFound,
  type InstallContext,
  type LinuxFlavour,
  type StoreResult,
  type TrustChange,
} from './store-change.js';
import { childEnv } from '../child-env.js';

export type { InstallContext, StoreResult, TrustChange } from './store-change.js';

export const LINUX: LinuxFlavour[] = [
  {
    store: 'system (Debian/Ubuntu)',
    anchorDir: '/usr/local/share/ca-certificates',
    extension: '.crt',
    update: ['update-ca-certificates', []],
  },
  {
    store: 'system (RHEL/Fedora)',
    anchorDir: '/etc/pki/ca-trust/source/anchors',
    extension: '.pem',
    update: ['update-ca-trust', ['extract']],
  },
];

const exec = promisify(execFile);

export function defaultInstallContext(user: { home: string; uid: number; gid: number } | null = null): InstallContext {
  return {
    platform: process.platform,
    // The path found, not the bare name: a spawn would search PATH again, the current directory included.
    run: (command, args, as) => {
      const path = commandPath(command);
      if (!path) return Promise.reject(Object.assign(new Error(`${command}: not found on PATH`), { code: 'ENOENT' }));
      return exec(path, args, { env: childEnv(), ...(as ? { uid: as.uid, gid: as.gid } : {}) });
    },
    which: (command) => commandPath(command),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    home: user?.home ?? homedir(),
    runAs: user ? { uid: user.uid, gid: user.gid } : null,
    linux: LINUX,
  };
}

/** The tlswitness CAs an anchor directory holds: named by an install and with a tlswitness CA inside. */
function anchorFiles(dir: string): FoundCa[] {
  const found: FoundCa[] = [];
  for (const name of readdirSync(dir).filter(isLabelFile).sort()) {
    const path = join(dir, name);
    let content: Buffer;
    try {
      content = readFileSync(path);
    } catch {
      continue;
    }
    const ca = tlswitnessCa(path, content);
    if (ca) found.push(ca);
  }
  return found;
}

async function linuxSystem(change: TrustChange, context: InstallContext): Promise<StoreResult> {
  for (const flavour of context.linux) {
    if (!existsSync(flavour.anchorDir) || !context.which(flavour.update[0])) continue;
    const [command, args] = flavour.update;
    const update = commandLine(['sudo', command, ...args]);
    if (change.action === 'install') {
      const { ca } = change;
      const file = join(flavour.anchorDir, `${caLabel(ca)}${flavour.extension}`);
      const manual = `${commandLine(['sudo', 'cp', ca.paths.cert, file])} && ${update}`;
      if (!context.isRoot) return { store: flavour.store, status: 'manual', detail: `needs root: ${manual}` };
      try {
        await writeFile(file, ca.certPem, { mode: 0o644 });
        await context.run(command, args);
        return {
          store: flavour.store,
          status: 'done',
          detail: `added ${file}; ran ${commandLine([command, ...args])}`,
        };
      } catch (error) {
        return { store: flavour.store, status: 'failed', detail: `${firstLine(error)}; by hand: ${manual}` };
      }
    }
    const found = anchorFiles(flavour.anchorDir);
    if (!found.length)
      return { store: flavour.store, status: 'skipped', detail: `no tlswitness CA in ${flavour.anchorDir}` };
    const manual = `${commandLine(['sudo', 'rm', '-f', ...found.map((f) => f.id)])} && ${update}`;
    if (!context.isRoot)
      return { store: flavour.store, status: 'manual', detail: `needs root: ${manual}${listFound(found)}` };
    try {
      for (const file of found) await rm(file.id, { force: true });
      await context.run(command, args);
      return {
        store: flavour.store,
        status: 'done',
        detail: `removed ${found.length} tlswitness CA${found.length > 1 ? 's' : ''}; ran ${commandLine([command, ...args])}${listFound(found)}`,
      };
    } catch (error) {
      return {
        store: flavour.store,
        status: 'failed',
        detail: `${firstLine(error)}; by hand: ${manual}${listFound(found)}`,
      };
    }
  }
  const none = 'no update-ca-certificates or update-ca-trust here';
  if (change.action === 'uninstall')
    return {
      store: 'system',
      status: 'manual',
      detail: `${none}: remove the "tlswitness CA" certificates from your distribution's trust store (p11-kit: trust list, then trust anchor --remove)`,
    };
  const { cert } = change.ca.paths;
  return {
    store: 'system',
    status: 'manual',
    detail: `${none}: add ${cert} to your distribution's trust store (p11-kit: ${commandLine(['trust', 'anchor', cert])})`,
  };
}

const KEYCHAIN = '/Library/Keychains/System.keychain';

async function macSystem(change: TrustChange, context: InstallContext): Promise<StoreResult> {
  const store = 'system (macOS keychain)';
  if (change.action === 'install') {
    const { ca } = change;
    const args = ['add-trusted-cert', '-d', '-r', 'trustRoot', '-k', KEYCHAIN, ca.paths.cert];
    try {
      await context.run('security', args);
      return { store, status: 'done', detail: commandLine(['security', ...args]) };
    } catch (error) {
      return {
        store,
        status: 'manual',
        detail: `run: ${commandLine(['sudo', 'security', ...args])} (${firstLine(error)})`,
      };
    }
  }
  let found: FoundCa[];
  try {
    found = macKeychainCas(
      (await context.run('security', ['find-certificate', '-a', '-c', 'tlswitness CA', '-Z', '-p', KEYCHAIN])).stdout,
    );
  } catch {
    // security exits non-zero when nothing matches.
    found = [];
  }
  if (!found.length) return { store, status: 'skipped', detail: `no tlswitness CA in ${KEYCHAIN}` };
  const removed: FoundCa[] = [];
  for (const entry of found) {
    const args = ['delete-certificate', '-Z', entry.id, KEYCHAIN];
    try {
      await context.run('security', args);
      removed.push(entry);
    } catch (error) {
      const left = found.filter((f) => !removed.includes(f));
      return {
        store,
        status: 'manual',
        detail: `run: ${left.map((f) => commandLine(['sudo', 'security', 'delete-certificate', '-Z', f.id, KEYCHAIN])).join(' && ')} (${firstLine(error)})${listFound(left)}`,
      };
    }
  }
  return { store, status: 'done', detail: `removed ${removed.length}${listFound(removed)}` };
}

async function windowsSystem(change: TrustChange, context: InstallContext): Promise<StoreResult> {
  const store = 'system (Windows ROOT)';
  const manual = (args: string[]) =>
    `run in PowerShell as administrator: ${commandLine(['certutil', ...args], 'powershell')}`;
  if (change.action === 'install') {
    const { ca } = change;
    const args = ['-addstore', '-f', 'ROOT', ca.paths.cert];
    try {
      await context.run('certutil', args);
      return { store, status: 'done', detail: commandLine(['certutil', ...args], 'powershell') };
    } catch (error) {
      return { store, status: 'manual', detail: `${manual(args)} (${firstLine(error)})` };
    }
  }
  let found: Array<{ id: string; subject: string }>;
  try {
    found = windowsStoreCas((await context.run('certutil', ['-store', 'ROOT'])).stdout);
  } catch (error) {
    return {
      store,
      status: 'manual',
      detail: `${manual(['-store', 'ROOT'])}, then certutil -delstore ROOT <Cert Hash(sha1)> for each "tlswitness CA" (${firstLine(error)})`,
    };
  }
  if (!found.length) return { store, status: 'skipped', detail: 'no tlswitness CA in ROOT' };
  const list = found.map((f) => `\n    ${oneLine(f.id)}: ${oneLine(f.subject)}`).join('');
  for (const entry of found) {
    try {
      await context.run('certutil', ['-delstore', 'ROOT', entry.id]);
    } catch (error) {
      return {
        store,
        status: 'manual',
        detail: `${found.map((f) => manual(['-delstore', 'ROOT', f.id])).join('; ')} (${firstLine(error)})${list}`,
      };
    }
  }
  return { store, status: 'done', detail: `removed ${found.length}${list}` };
}

/** Install one CA, or uninstall every tlswitness CA (no current CA needed): system store, NSS, Java, in that order. */
export async function changeTrust(
  change: TrustChange,
  context: InstallContext = defaultInstallContext(),
): Promise<StoreResult[]> {
  const system = context.platform === 'darwin' ? macSystem : context.platform === 'win32' ? windowsSystem : linuxSystem;
  return [await system(change, context), await nss(change, context), await java(change, context)];
}
