// The local CA the proxy signs with: created once per certs dir, RSA-2048 (http-mitm-proxy's loader
// and old clients need RSA), private key mode 0600 in a 0700 folder. Its files use the layout
// http-mitm-proxy's `sslCaDir` expects, so the library loads this CA instead of making its own.
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeAtomically } from '../atomic-write.js';
import { fileProblem, TlswitnessError } from '../errors.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { pemCertificates } from '../trust/pem.js';

const generate = promisify(generateKeyPair);
const DAY = 86_400_000;
// Two years: long enough not to nag, short enough that a leaked copy does not live for a decade.
const CA_VALIDITY_DAYS = 730;

export interface CaPaths {
  dir: string;
  cert: string;
  key: string;
  publicKey: string;
}

export interface LocalCa {
  paths: CaPaths;
  certPem: string;
  cert: ParsedCertificate;
  key: KeyObject;
  created: boolean;
}

export function caPaths(certsDir: string): CaPaths {
  const dir = join(certsDir, 'ca');
  return {
    dir,
    cert: join(dir, 'certs', 'ca.pem'),
    key: join(dir, 'keys', 'ca.private.key'),
    publicKey: join(dir, 'keys', 'ca.public.key'),
  };
}

// Loading reads and stats synchronously: a few small files, and a thread-pool round trip waits for a thread
// to be scheduled, which on a busy machine took longer than the reads (inspect's handshake waits for the CA).
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function unwritable(certsDir: string, error: unknown): TlswitnessError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new TlswitnessError(
    'unreadable-file',
    `certs dir ${certsDir} is not writable (${code}): pass --certs-dir DIR or set TLSWITNESS_CERTS_DIR`,
  );
}

/** A CA folder that exists but cannot be used: one line with what is wrong and the way out. */
function unusable(paths: CaPaths, problem: string): TlswitnessError {
  return new TlswitnessError(
    'unreadable-file',
    `the local CA in ${paths.dir} cannot be used: ${problem}; move that folder away and run tlswitness ca init (then trust the new CA again: tlswitness ca env or ca install)`,
  );
}

function readCaFile(paths: CaPaths, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw unusable(paths, `${path}: ${fileProblem(error)}`);
  }
}

/** The CA's certificate and key as read, or what is wrong with them (pure over the two PEM texts; doctor uses it too). */
export function openCaPair(
  paths: CaPaths,
  certPem: string,
  keyPem: string,
): { cert: ParsedCertificate; key: KeyObject } | { problem: string } {
  const der = pemCertificates(certPem)[0];
  if (!der) return { problem: `${paths.cert} holds no certificate` };
  let cert: ParsedCertificate;
  try {
    cert = new ParsedCertificate(der);
  } catch {
    return { problem: `${paths.cert} holds a damaged certificate` };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return { problem: `${paths.key} is not a readable private key (damaged, or encrypted with a passphrase)` };
  }
  // http-mitm-proxy's loader (node-forge) reads RSA keys only.
  if (key.asymmetricKeyType !== 'rsa')
    return {
      problem: `${paths.key} is an ${key.asymmetricKeyType?.toUpperCase()} key, and the proxy signs with RSA keys only`,
    };
  // A certificate from one CA beside another CA's key: every certificate the proxy made would fail to verify.
  if (!cert.x509.checkPrivateKey(key))
    return { problem: `its certificate ${paths.cert} (${cert.subject}) does not belong to its key ${paths.key}` };
  return { cert, key };
}

/**
 * node:fs/promises on first use, not with the module: loading it costs ~1 ms of CPU, and inspect (which looks for
 * the CA here) reads nothing asynchronously on its usual run.
 */
const fsPromises = () => import('node:fs/promises');

/** Null when there is no CA yet; throws a one-line TlswitnessError for one that is there but broken. */
export async function loadLocalCa(certsDir: string): Promise<LocalCa | null> {
  const paths = caPaths(certsDir);
  if (!exists(paths.cert) || !exists(paths.key)) return null;
  const [certPem, keyPem] = [readCaFile(paths, paths.cert), readCaFile(paths, paths.key)];
  const pair = openCaPair(paths, certPem, keyPem);
  if ('problem' in pair) throw unusable(paths, pair.problem);
  const { cert, key } = pair;
  // A key made readable by someone else is put back to 0600 (doctor reports it when that is not allowed).
  const mode = statSync(paths.key).mode & 0o777;
  if (mode & 0o077) await (await fsPromises()).chmod(paths.key, 0o600).catch(() => undefined);
  return { paths, certPem, cert, key, created: false };
}

/**
 * http-mitm-proxy's loader also reads keys/ca.public.key and fails on start without it. It is derived
 * from the private key, so a missing or stale one is written again.
 */
async function repairPublicKey(ca: LocalCa): Promise<void> {
  const { readFile } = await fsPromises();
  const wanted = createPublicKey(ca.key);
  const current = await readFile(ca.paths.publicKey, 'utf8').catch(() => null);
  // Compared as keys, not text: node-forge writes the same PEM with CRLF line ends.
  const same = (() => {
    try {
      return current !== null && createPublicKey(current).equals(wanted);
    } catch {
      return false;
    }
  })();
  if (same) return;
  try {
    await writeAtomically(ca.paths.publicKey, wanted.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  } catch (error) {
    throw unusable(
      ca.paths,
      `${ca.paths.publicKey} is ${current === null ? 'missing' : 'not the public half of the key'} and cannot be written again (${fileProblem(error)})`,
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads the local CA, creating it on first use; two processes starting together get one CA. */
export async function ensureLocalCa(certsDir: string, now: Date = new Date()): Promise<LocalCa> {
  const existing = await loadLocalCa(certsDir);
  if (existing) {
    await repairPublicKey(existing);
    return existing;
  }
  const paths = caPaths(certsDir);
  const { chmod, mkdir, unlink, writeFile } = await fsPromises();
  try {
    await mkdir(join(paths.dir, 'keys'), { recursive: true, mode: 0o700 });
    await mkdir(join(paths.dir, 'certs'), { recursive: true, mode: 0o700 });
    await chmod(paths.dir, 0o700);
  } catch (error) {
    throw unwritable(certsDir, error);
  }
  // O_EXCL lock: whoever creates it makes the CA; the others wait for its files.
  const lock = join(paths.dir, '.creating');
  for (let waited = 0; ; waited += 50) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(certsDir, error);
      const made = await loadLocalCa(certsDir);
      if (made) return made;
      // A lock left by a process that died mid-way is taken over after 10 s.
      if (waited > 10_000) await unlink(lock).catch(() => undefined);
      await sleep(50);
    }
  }
  try {
    const raced = await loadLocalCa(certsDir);
    return raced ?? (await createLocalCa(certsDir, paths, now));
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function createLocalCa(certsDir: string, paths: CaPaths, now: Date): Promise<LocalCa> {
  // node-forge is loaded only when a CA is made, not on every start.
  const { buildCertificate } = await import('./certificate-builder.js');
  const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048 });
  const id = randomBytes(4).toString('hex');
  // Unique per install, and says whose it is when someone finds it in a trust store.
  const subject = [
    { type: 'O', value: 'tlswitness local CA' },
    { type: 'OU', value: `${hostname()} ${id}` },
    { type: 'CN', value: `tlswitness CA ${id}` },
  ];
  const built = await buildCertificate({
    subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY),
    publicKey,
    signingKey: privateKey,
    isCA: true,
    // pathlen 0: it signs leaves only.
    pathLen: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  try {
    // Key first, certificate last: loadLocalCa only sees a CA once both are complete.
    await writeAtomically(paths.key, privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 0o600);
    await writeAtomically(
      paths.publicKey,
      createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      0o644,
    );
    await writeAtomically(paths.cert, built.pem, 0o644);
  } catch (error) {
    throw unwritable(certsDir, error);
  }
  return { paths, certPem: built.pem, cert: new ParsedCertificate(built.der), key: privateKey, created: true };
}
