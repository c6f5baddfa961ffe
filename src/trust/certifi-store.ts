// The certifi store: the CA bundle of the installed Python certifi package (what requests, httpx
// and pip trust by default), found by asking python3 once per process, asynchronously, and the
// answer kept in the cache dir for later runs (starting python3 costs 0.1-0.5 s; see findCertifi).
// TLSWITNESS_CERTIFI_BUNDLE=FILE names the bundle instead (tests, offline machines); `none` skips it.
import { commandPath } from '../command-path.js';
import { childEnv } from '../child-env.js';
import { cacheDir } from './cache-dir.js';
import { fileProgramIdentity, readAnswer, writeAnswer } from './program-answer-cache.js';
import type { LoadedStore } from './stores.js';
import { cachedStore, fileIdentity, lazyStore, readCertificateFile } from './stores.js';
import { pemCertificates } from './pem.js';

export const CERTIFI_OVERRIDE = 'TLSWITNESS_CERTIFI_BUNDLE';

export interface CertifiLocation {
  path: string;
  /** certifi.__version__ (a date, `2024.02.02`); null when unknown (the override). */
  version: string | null;
  /** How it was found: certifi.where(), or the override variable. */
  from: 'certifi.where()' | typeof CERTIFI_OVERRIDE;
}

// The current directory is dropped from sys.path, so a stray certifi.py there is not what gets
// judged; the user's site-packages and PYTHONPATH count, as they do for their apps.
const SCRIPT = `
import sys
if sys.path and sys.path[0] in ("", "."): sys.path.pop(0)
import certifi
print(certifi.where())
print(getattr(certifi, "__version__", ""))
`;

// python3 answers in ~0.1 s (~0.5 s through a pyenv shim); a loaded machine can take seconds, and
// the wait runs beside the connection, so only a python3 that hangs is given up on.
const PYTHON_TIMEOUT_MS = 20_000;

/** @param python the python3 PATH names, as a path: a bare name would let execvp run ./python3 for an empty PATH entry */
async function askPython(python: string, env: NodeJS.ProcessEnv): Promise<CertifiLocation | null> {
  // Loaded here, not with the module: a cached answer (most runs) starts no program.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', SCRIPT],
      { env: childEnv(env), timeout: PYTHON_TIMEOUT_MS, windowsHide: true, maxBuffer: 64 * 1024 },
      (error, stdout) => {
        // No python3, or no certifi for it: nothing to judge, which is not an error.
        if (error) return resolve(null);
        const [path, version] = stdout.split(/\r?\n/).map((line) => line.trim());
        resolve(path ? { path, version: version || null, from: 'certifi.where()' } : null);
      },
    );
  });
}

/** What changes which python3 runs and where it finds certifi, besides the python3 file itself. */
const PYTHON_ENV = [
  'PATH',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONUSERBASE',
  'PYTHONNOUSERSITE',
  'VIRTUAL_ENV',
  'PYENV_VERSION',
  'CONDA_PREFIX',
] as const;

interface CachedLocation {
  location: CertifiLocation;
  /** The bundle's size and mtime when python3 named it: `pip install -U certifi` rewrites it. */
  bundle: string;
}

/**
 * Asks python3, or takes its earlier answer from the cache dir: valid while python3 is the same file
 * (resolved path, size, mtime; a shim's answer also per directory), the environment that steers it
 * is the same, and the bundle it named is unchanged. "No certifi" is not cached: installing it must
 * show on the next run.
 */
export async function locateCertifi(
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): Promise<CertifiLocation | null> {
  // One PATH search: the program asked is the program the cache knows it by.
  const python = commandPath('python3', env);
  if (!python) return null;
  const program = await fileProgramIdentity(python, cwd);
  if (!program) return askPython(python, env);
  const key = [program, ...PYTHON_ENV.map((name) => `${name}=${env[name] ?? ''}`)].join('\0');
  const dir = cacheDir(env);
  const cached = await readAnswer<CachedLocation>('certifi', key, dir);
  if (cached && cached.bundle === fileIdentity(cached.location.path)) return cached.location;
  const location = await askPython(python, env);
  const bundle = location ? fileIdentity(location.path) : null;
  if (location && bundle) writeAnswer('certifi', key, { location, bundle } satisfies CachedLocation, dir);
  return location;
}

// Once per process for each PATH and Python search path: the proxy asks at start, not per handshake.
const asked = new Map<string, Promise<CertifiLocation | null>>();

/** Where certifi's bundle is, or null when there is no python3, no certifi, or the override says `none`. */
export function findCertifi(env: NodeJS.ProcessEnv = process.env): Promise<CertifiLocation | null> {
  const override = env[CERTIFI_OVERRIDE];
  if (override === 'none') return Promise.resolve(null);
  if (override) return Promise.resolve({ path: override, version: null, from: CERTIFI_OVERRIDE });
  const key = PYTHON_ENV.map((name) => env[name] ?? '').join('\0');
  let pending = asked.get(key);
  if (!pending) asked.set(key, (pending = locateCertifi(env)));
  return pending;
}

/** certifi's bundle as a store; `store: null` (not-configured) when there is none to read. */
export async function loadCertifiStore(
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedStore & { location: CertifiLocation | null }> {
  const location = await findCertifi(env);
  if (!location) return { store: null, source: null, notes: [], location };
  const identity = fileIdentity(location.path);
  const cached = cachedStore('certifi', identity);
  if (cached) return { store: cached, source: location.path, notes: [], location };
  // A wrong override is the user's mistake, said as for --extra-ca; certifi's own file missing is a fact.
  if (location.from === CERTIFI_OVERRIDE) {
    const ders = await readCertificateFile(location.path, CERTIFI_OVERRIDE);
    return { store: lazyStore('certifi', ders, identity), source: location.path, notes: [], location };
  }
  try {
    // Loaded here, not with the module: a run that finds the store in the cache never pays for node:fs/promises.
    const { readFile } = await import('node:fs/promises');
    const ders = pemCertificates(await readFile(location.path, 'latin1'));
    if (!ders.length)
      return {
        store: null,
        source: location.path,
        notes: [`certifi's bundle ${location.path} holds no certificates`],
        location,
      };
    return {
      store: lazyStore('certifi', ders, identity),
      source: location.path,
      notes: [],
      location,
    };
  } catch (error) {
    return {
      store: null,
      source: location.path,
      notes: [
        `certifi's bundle ${location.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      ],
      location,
    };
  }
}

/** `certifi 2024.02.02 (/path/cacert.pem)`, or the override's file. */
export function certifiLabel(location: CertifiLocation): string {
  return location.from === CERTIFI_OVERRIDE
    ? `certifi bundle ${location.path} (${CERTIFI_OVERRIDE})`
    : `certifi ${location.version ?? '(version unknown)'} (${location.path})`;
}
