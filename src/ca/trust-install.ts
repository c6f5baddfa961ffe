// `ca install` / `ca uninstall`: put the local CA into the OS trust store, NSS databases and Java's
// cacerts where present, the way mkcert does; where it cannot act, say exactly what to run.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalCa } from './local-ca.js';

const run = promisify(execFile);

export interface StoreResult {
  store: string;
  /** done: changed; skipped: not on this machine; manual: the user must run `instructions`. */
  status: 'done' | 'skipped' | 'manual' | 'failed';
  detail: string;
}

async function onPath(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((dir) => existsSync(join(dir, command)));
}

/** File and alias name: unique per CA, so two installs never collide. */
export function caLabel(ca: LocalCa): string {
  return `tlswitness-${ca.cert.x509.fingerprint256.replace(/:/g, '').slice(0, 12).toLowerCase()}`;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

interface LinuxFlavour {
  store: string;
  anchorDir: string;
  extension: string;
  update: [string, string[]];
}

const LINUX: LinuxFlavour[] = [
  { store: 'system (Debian/Ubuntu)', anchorDir: '/usr/local/share/ca-certificates', extension: '.crt', update: ['update-ca-certificates', []] },
  { store: 'system (RHEL/Fedora)', anchorDir: '/etc/pki/ca-trust/source/anchors', extension: '.pem', update: ['update-ca-trust', ['extract']] },
];

async function linuxSystem(ca: LocalCa, action: 'install' | 'uninstall'): Promise<StoreResult> {
  for (const flavour of LINUX) {
    if (!existsSync(flavour.anchorDir) || !(await onPath(flavour.update[0]))) continue;
    const file = join(flavour.anchorDir, `${caLabel(ca)}${flavour.extension}`);
    const [command, args] = flavour.update;
    const manual = action === 'install' ? `sudo cp ${ca.paths.cert} ${file} && sudo ${command} ${args.join(' ')}` : `sudo rm -f ${file} && sudo ${command} ${args.join(' ')}`;
    if (!isRoot()) return { store: flavour.store, status: 'manual', detail: `needs root: ${manual.trim()}` };
    try {
      if (action === 'install') await writeFile(file, ca.certPem, { mode: 0o644 });
      else await rm(file, { force: true });
      await run(command, args);
      return { store: flavour.store, status: 'done', detail: `${action === 'install' ? 'added' : 'removed'} ${file}; ran ${command} ${args.join(' ')}`.trim() };
    } catch (error) {
      return { store: flavour.store, status: 'failed', detail: `${(error as Error).message.split('\n')[0]}; by hand: ${manual}` };
    }
  }
  return { store: 'system', status: 'manual', detail: `no update-ca-certificates or update-ca-trust here: add ${ca.paths.cert} to your distribution's trust store (p11-kit: trust anchor ${ca.paths.cert})` };
}

async function macSystem(ca: LocalCa, action: 'install' | 'uninstall'): Promise<StoreResult> {
  const keychain = '/Library/Keychains/System.keychain';
  const args = action === 'install' ? ['add-trusted-cert', '-d', '-r', 'trustRoot', '-k', keychain, ca.paths.cert] : ['delete-certificate', '-Z', ca.cert.x509.fingerprint.replace(/:/g, ''), keychain];
  try {
    await run('security', args);
    return { store: 'system (macOS keychain)', status: 'done', detail: `security ${args.join(' ')}` };
  } catch (error) {
    return { store: 'system (macOS keychain)', status: 'manual', detail: `run: sudo security ${args.join(' ')} (${(error as Error).message.split('\n')[0]})` };
  }
}

async function windowsSystem(ca: LocalCa, action: 'install' | 'uninstall'): Promise<StoreResult> {
  const args = action === 'install' ? ['-addstore', '-f', 'ROOT', ca.paths.cert] : ['-delstore', 'ROOT', ca.cert.x509.serialNumber];
  try {
    await run('certutil', args);
    return { store: 'system (Windows ROOT)', status: 'done', detail: `certutil ${args.join(' ')}` };
  } catch (error) {
    return { store: 'system (Windows ROOT)', status: 'manual', detail: `run as administrator: certutil ${args.join(' ')} (${(error as Error).message.split('\n')[0]})` };
  }
}

/** NSS databases (Firefox profiles, Chromium's ~/.pki/nssdb on Linux), as mkcert finds them. */
function nssDatabases(): string[] {
  const home = homedir();
  const found: string[] = [];
  const pki = join(home, '.pki', 'nssdb');
  if (existsSync(join(pki, 'cert9.db'))) found.push(pki);
  for (const base of [join(home, '.mozilla', 'firefox'), join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')]) {
    if (!existsSync(base)) continue;
    for (const profile of readdirSync(base)) if (existsSync(join(base, profile, 'cert9.db'))) found.push(join(base, profile));
  }
  return found;
}

async function nss(ca: LocalCa, action: 'install' | 'uninstall'): Promise<StoreResult> {
  const databases = nssDatabases();
  if (!databases.length) return { store: 'NSS (Firefox, Chromium)', status: 'skipped', detail: 'no NSS database found' };
  if (!(await onPath('certutil'))) return { store: 'NSS (Firefox, Chromium)', status: 'manual', detail: `certutil not found: install libnss3-tools (Debian) or nss-tools, then run tlswitness ca ${action} again` };
  const done: string[] = [];
  for (const db of databases) {
    const args = action === 'install' ? ['-A', '-d', `sql:${db}`, '-t', 'C,,', '-n', caLabel(ca), '-i', ca.paths.cert] : ['-D', '-d', `sql:${db}`, '-n', caLabel(ca)];
    try {
      await run('certutil', args);
      done.push(db);
    } catch {
      // a profile in use or without the alias: the others still count
    }
  }
  return { store: 'NSS (Firefox, Chromium)', status: done.length ? 'done' : 'failed', detail: done.length ? done.join(', ') : `certutil failed for ${databases.join(', ')}` };
}

async function keytool(args: string[]): Promise<{ ok: boolean; why: string }> {
  try {
    await run('keytool', args);
    return { ok: true, why: '' };
  } catch (error) {
    return { ok: false, why: String((error as { stdout?: string }).stdout || (error as Error).message).trim().split('\n').pop() ?? '' };
  }
}

async function java(ca: LocalCa, action: 'install' | 'uninstall'): Promise<StoreResult> {
  if (!(await onPath('keytool'))) return { store: 'Java cacerts', status: 'skipped', detail: 'no keytool on PATH' };
  const label = caLabel(ca);
  // The JDK's default cacerts password (changeit); -cacerts is the JDK 9+ spelling of its path.
  const common = ['-cacerts', '-storepass', 'changeit'];
  if (action === 'install') {
    const args = ['-importcert', '-noprompt', ...common, '-alias', label, '-file', ca.paths.cert];
    const result = await keytool(args);
    if (result.ok || /already exists/i.test(result.why)) return { store: 'Java cacerts', status: 'done', detail: `alias ${label}` };
    return { store: 'Java cacerts', status: 'manual', detail: `run: sudo keytool ${args.join(' ')} (${result.why})` };
  }
  // Debian's ca-certificates-java hook copies the system anchor in as debian:<file> on install, and
  // does not take it out again on removal (seen on Debian 12): remove that alias as well.
  const removed: string[] = [];
  for (const alias of [label, `debian:${label}.crt`, `debian:${label}.pem`]) {
    const result = await keytool(['-delete', ...common, '-alias', alias]);
    if (result.ok) removed.push(alias);
    else if (!/does not exist/i.test(result.why)) return { store: 'Java cacerts', status: 'manual', detail: `run: sudo keytool -delete ${common.join(' ')} -alias ${alias} (${result.why})` };
  }
  return { store: 'Java cacerts', status: removed.length ? 'done' : 'skipped', detail: removed.length ? `removed ${removed.join(', ')}` : 'not there' };
}

export async function changeTrust(ca: LocalCa, action: 'install' | 'uninstall', platform: NodeJS.Platform = process.platform): Promise<StoreResult[]> {
  const system = platform === 'darwin' ? macSystem : platform === 'win32' ? windowsSystem : linuxSystem;
  return [await system(ca, action), await nss(ca, action), await java(ca, action)];
}
