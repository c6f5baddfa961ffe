// Loading the three trust stores: public (Node's bundled Mozilla roots, never Node's default CA set,
// which adds NODE_EXTRA_CA_CERTS), system (the OS store, found as OpenSSL and Go find it) and extra
// (--extra-ca files and the certs dir's extra/ folder).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { TlswitnessError } from '../errors.js';
import type { StoreName } from '../types.js';
import { ParsedCertificate } from './certificate.js';
import { pemCertificates } from './pem.js';
import { fileIdentity, nodeRootsIdentity, readStoreCache, writeStoreCache } from './store-cache.js';
import { TrustStore } from './trust-store.js';
import { childEnv } from '../child-env.js';

/** A program's output; node:child_process is loaded only here (macOS and Windows stores), not with the module. */
async function run(command: string, args: string[], options: { env: NodeJS.ProcessEnv; maxBuffer: number }) {
  const { execFile } = await import('node:child_process');
  return promisify(execFile)(command, args, options);
}

// Go's crypto/x509 root_linux.go list, in its order.
export const LINUX_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];
export const LINUX_DIRS = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

export interface LoadedStore {
  store: TrustStore | null;
  /** Where it came from, for reports. */
  source: string | null;
  notes: string[];
}

export { fileIdentity };

/** What the cache knows a store by: the key format is part of it, so keys made otherwise are never read back. */
function cacheIdentity(contentIdentity: string): string {
  return `${contentIdentity} subject-keys:canonical-1`;
}

/** The store that `contentIdentity` names, read from the cache (store-cache.ts); null when it is not there. */
export function cachedStore(name: StoreName, contentIdentity: string | null): TrustStore | null {
  const cached = contentIdentity ? readStoreCache(cacheIdentity(contentIdentity)) : null;
  return cached && new TrustStore(name, cached.ders, cached.keys);
}

/** A store over DER blocks; when `contentIdentity` is known, it goes to the cache once its subjects are indexed. */
export function lazyStore(name: StoreName, ders: Buffer[], contentIdentity: string | null): TrustStore {
  const identity = contentIdentity ? cacheIdentity(contentIdentity) : null;
  const remember = identity ? (keys: string[]) => writeStoreCache(identity, { ders, keys }) : undefined;
  return new TrustStore(name, ders, null, remember);
}

/**
 * Reads a PEM bundle (or one DER certificate) named by a flag; a clear error when it is unusable. Synchronously:
 * a thread-pool round trip waits for a thread to be scheduled, which on a busy machine took longer than the read
 * (inspect's handshake waits for the extra store).
 */
export async function readCertificateFile(path: string, flag: string): Promise<Buffer[]> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code);
    throw new TlswitnessError('unreadable-file', `${flag} ${path}: ${why}`);
  }
  const ders = pemCertificates(data.toString('latin1'));
  if (ders.length === 0 && data[0] === 0x30) ders.push(data);
  const usable =
    ders.length > 0 &&
    (() => {
      try {
        return new ParsedCertificate(ders[0]!) !== null;
      } catch {
        return false;
      }
    })();
  if (!usable) {
    throw new TlswitnessError(
      'not-certificates',
      `${flag} ${path}: holds no certificate (expected PEM "-----BEGIN CERTIFICATE-----" blocks or one DER certificate)`,
    );
  }
  return ders;
}

export async function loadPublicStore(publicRootsFile?: string): Promise<LoadedStore> {
  if (publicRootsFile) {
    const identity = fileIdentity(publicRootsFile);
    return {
      store:
        cachedStore('public', identity) ??
        lazyStore('public', await readCertificateFile(publicRootsFile, '--public-roots'), identity),
      source: publicRootsFile,
      notes: [],
    };
  }
  const identity = nodeRootsIdentity();
  return {
    store:
      cachedStore('public', identity) ??
      lazyStore(
        'public',
        rootCertificates.map((pem) => pemCertificates(pem)[0]!),
        identity,
      ),
    source: `Node ${process.version} bundled Mozilla roots`,
    notes: [],
  };
}

// node:fs/promises is loaded where a store is read from its files, not with the module: loading it costs ~1 ms of
// CPU, and inspect's usual run reads every store from the cache (store-cache.ts).
async function readBundle(path: string): Promise<Buffer[]> {
  const { readFile } = await import('node:fs/promises');
  return pemCertificates(await readFile(path, 'latin1'));
}

async function readCertDir(dir: string): Promise<Buffer[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const names = (await readdir(dir)).filter((n) => /\.(pem|crt|\d+)$/.test(n));
  const seen = new Set<string>();
  const ders: Buffer[] = [];
  for (const name of names) {
    try {
      for (const der of pemCertificates(await readFile(join(dir, name), 'latin1'))) {
        const key = der.toString('base64');
        if (!seen.has(key)) {
          seen.add(key);
          ders.push(der);
        }
      }
    } catch {
      // dangling links and unreadable entries are skipped, as OpenSSL skips them
    }
  }
  return ders;
}

async function macSystemCertificates(notes: string[]): Promise<Buffer[]> {
  // The admin and System keychains are where MDM profiles put corporate CAs.
  const keychains = ['/Library/Keychains/System.keychain', '/System/Library/Keychains/SystemRootCertificates.keychain'];
  const ders: Buffer[] = [];
  for (const keychain of keychains) {
    try {
      const { stdout } = await run('security', ['find-certificate', '-a', '-p', keychain], {
        env: childEnv(),
        maxBuffer: 64 * 1024 * 1024,
      });
      ders.push(...pemCertificates(stdout));
    } catch (error) {
      notes.push(`security find-certificate ${keychain}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return ders;
}

async function windowsSystemCertificates(notes: string[]): Promise<Buffer[]> {
  const script =
    'Get-ChildItem Cert:\\LocalMachine\\Root, Cert:\\CurrentUser\\Root | ForEach-Object { [Convert]::ToBase64String($_.RawData) }';
  try {
    const { stdout } = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], {
      env: childEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout
      .split(/\r?\n/)
      .filter(Boolean)
      .map((b64) => Buffer.from(b64.trim(), 'base64'));
  } catch (error) {
    notes.push(`PowerShell Cert:\\ stores: ${(error as Error).message.split('\n')[0]}`);
    return [];
  }
}

/** The OS trust store, or `store: null` (not-configured) when this machine has none. */
export async function loadSystemStore(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<LoadedStore> {
  const notes: string[] = [];
  const done = (ders: Buffer[], source: string, identity: string | null): LoadedStore =>
    ders.length
      ? { store: lazyStore('system', ders, identity), source, notes }
      : { store: null, source, notes: [...notes, `${source} holds no certificates`] };
  const fromBundle = async (path: string, source: string): Promise<LoadedStore> => {
    const identity = fileIdentity(path);
    const cached = cachedStore('system', identity);
    return cached ? { store: cached, source, notes } : done(await readBundle(path), source, identity);
  };
  if (platform === 'darwin') return done(await macSystemCertificates(notes), 'macOS System keychains', null);
  if (platform === 'win32') return done(await windowsSystemCertificates(notes), 'Windows Root stores', null);

  // OpenSSL's own variables win, as they do for openssl, curl, Python and Go.
  if (env.SSL_CERT_FILE) {
    if (!existsSync(env.SSL_CERT_FILE))
      return { store: null, source: env.SSL_CERT_FILE, notes: [`SSL_CERT_FILE=${env.SSL_CERT_FILE} does not exist`] };
    return fromBundle(env.SSL_CERT_FILE, `SSL_CERT_FILE=${env.SSL_CERT_FILE}`);
  }
  const bundle = LINUX_BUNDLES.find((path) => existsSync(path));
  if (bundle) return fromBundle(bundle, bundle);
  const dirs = env.SSL_CERT_DIR ? env.SSL_CERT_DIR.split(':') : LINUX_DIRS;
  for (const dir of dirs) {
    if (existsSync(dir)) {
      const ders = await readCertDir(dir);
      if (ders.length) return done(ders, dir, null);
    }
  }
  return { store: null, source: null, notes: ['no system CA bundle found (install the ca-certificates package)'] };
}

/** --extra-ca files plus PEM files dropped into the certs dir's extra/ folder. */
export async function loadExtraStore(files: string[], extraDir: string | null): Promise<LoadedStore> {
  const notes: string[] = [];
  const ders: Buffer[] = [];
  for (const file of files) ders.push(...(await readCertificateFile(file, '--extra-ca')));
  if (extraDir && existsSync(extraDir)) {
    for (const name of readdirSync(extraDir).filter((n) => /\.(pem|crt)$/i.test(n))) {
      try {
        ders.push(...(await readCertificateFile(join(extraDir, name), 'extra/')));
      } catch (error) {
        notes.push((error as Error).message);
      }
    }
  }
  const sources = [...files, ...(extraDir ? [extraDir] : [])];
  return ders.length
    ? { store: new TrustStore('extra', ders), source: sources.join(', '), notes }
    : { store: null, source: null, notes };
}
