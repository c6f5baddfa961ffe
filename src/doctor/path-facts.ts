// Reading a CA file or directory into facts: what is there, what it holds. Never throws: a missing or
// unreadable path is a fact to report.
import { createHash, X509Certificate } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { pemCertificates } from '../trust/pem.js';
import type { CertFact, PathFacts } from './snapshot.js';

// A CA bundle is a few hundred KB; anything far larger is not one and is not read into memory.
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_DIR_ENTRIES = 5000;
// OpenSSL's by_dir lookup reads <8 hex digits of the subject hash>.<n> (c_rehash / openssl rehash).
const HASH_NAME = /^[0-9a-f]{8}\.\d+$/i;

let publicRoots: Set<string> | undefined;
function isPublicRoot(der: Buffer): boolean {
  publicRoots ??= new Set(rootCertificates.flatMap((pem) => pemCertificates(pem).map((d) => d.toString('base64'))));
  return publicRoots.has(der.toString('base64'));
}

// The same roots sit in the system bundle, its directory (twice: name and hash link) and other
// bundles: each is parsed once.
const parsed = new Map<string, CertFact | null>();

/** Null for DER that is not a certificate (one bad block is skipped, as OpenSSL skips it). */
export function certFact(der: Buffer): CertFact | null {
  const key = der.toString('base64');
  let fact = parsed.get(key);
  if (fact === undefined) parsed.set(key, (fact = parseFact(der)));
  return fact;
}

function parseFact(der: Buffer): CertFact | null {
  // Anything node:crypto cannot read (the certificate, its key, its dates) makes it "not a certificate" here.
  try {
    const x509 = new X509Certificate(der);
    return {
      // Node prints the subject most general first, one attribute a line (nothing for an empty name); reports read it leaf-first.
      subject: (x509.subject ?? '').split('\n').reverse().join(','),
      sha256: x509.fingerprint256,
      spkiSha256: createHash('sha256')
        .update(x509.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64'),
      notBefore: new Date(x509.validFrom).toISOString(),
      notAfter: new Date(x509.validTo).toISOString(),
      publicRoot: isPublicRoot(der),
    };
  } catch {
    return null;
  }
}

function certificatesIn(data: Buffer): CertFact[] {
  const ders = pemCertificates(data.toString('latin1'));
  if (ders.length === 0 && data[0] === 0x30) ders.push(data);
  return ders.map(certFact).filter((c): c is CertFact => c !== null);
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message);
}

async function readDirectory(path: string): Promise<PathFacts> {
  let names: string[];
  try {
    names = (await readdir(path)).slice(0, MAX_DIR_ENTRIES);
  } catch (error) {
    return { path, kind: 'unreadable', error: errorText(error) };
  }
  const seen = new Map<string, CertFact>();
  const hashed = new Set<string>();
  const wanted = names.filter((n) => HASH_NAME.test(n) || /\.(pem|crt|cer)$/i.test(n));
  await Promise.all(
    wanted.map(async (name) => {
      try {
        const file = join(path, name);
        if ((await stat(file)).size > MAX_FILE_BYTES) return;
        for (const cert of certificatesIn(await readFile(file))) {
          seen.set(cert.sha256, seen.get(cert.sha256) ?? cert);
          if (HASH_NAME.test(name)) hashed.add(cert.sha256);
        }
      } catch {
        // dangling links and unreadable entries are skipped, as OpenSSL skips them
      }
    }),
  );
  return { path, kind: 'directory', certificates: [...seen.values()], hashed: [...hashed] };
}

async function readPath(path: string): Promise<PathFacts> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, kind: 'missing', error: 'no such file' };
    return { path, kind: 'unreadable', error: errorText(error) };
  }
  if (info.isDirectory()) return readDirectory(path);
  if (info.size > MAX_FILE_BYTES)
    return { path, kind: 'unreadable', error: `${info.size} bytes: too large for a CA bundle` };
  try {
    return { path, kind: 'file', certificates: certificatesIn(await readFile(path)) };
  } catch (error) {
    return { path, kind: 'unreadable', error: errorText(error) };
  }
}

/** Reads each path once, even when several variables name it (or name links to one file). */
export async function readPaths(
  paths: string[],
  byReal = new Map<string, Promise<PathFacts>>(),
): Promise<Record<string, PathFacts>> {
  const entries = await Promise.all(
    paths.map(async (path): Promise<[string, PathFacts]> => {
      const real = await realpath(path).catch(() => path);
      let pending = byReal.get(real);
      if (!pending) byReal.set(real, (pending = readPath(path)));
      return [path, { ...(await pending), path }];
    }),
  );
  return Object.fromEntries(entries);
}
