// The thin I/O layer of `doctor`: reads files and asks tools, in parallel, into one snapshot. It
// creates nothing (not even the local CA) and connects nowhere.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { caPaths, openCaPair } from '../ca/local-ca.js';
import { fileProblem } from '../errors.js';
import { CERTIFI_OVERRIDE } from '../trust/certifi-store.js';
import { pemCertificates } from '../trust/pem.js';
import { LINUX_BUNDLES, LINUX_DIRS, loadSystemStore, readCertificateFile } from '../trust/stores.js';
import { caVariableNames, caVariablePaths } from './ca-variable-catalogue.js';
import { clientPaths, resolveClients } from './client-trust.js';
import { readCurlrc } from './curlrc.js';
import { parseDotenv } from './dotenv.js';
import { envFilePaths } from './env-files.js';
import { gatherJava } from './java-gather.js';
import { certFact, readPaths } from './path-facts.js';
import { parsePipCerts, pipConfigFiles } from './pip-config.js';
import { probeCurl, probeGit, probePython } from './probes.js';
import type {
  CertFact,
  CertifiFacts,
  DoctorSnapshot,
  Env,
  EnvFileFacts,
  LocalCaFacts,
  PathFacts,
  PipCertSetting,
} from './snapshot.js';

type PathCache = Map<string, Promise<PathFacts>>;

export interface GatherOptions {
  env: Env;
  platform: NodeJS.Platform;
  cwd: string;
  certsDir: string;
  /** --extra-ca files: unreadable ones are a usage error (exit 2), as for every command. */
  extraCaFiles: string[];
  timeoutMs: number;
}

const facts = (ders: Buffer[]) => ders.map(certFact).filter((c): c is CertFact => c !== null);

async function corporateCas(files: string[], extraDir: string): Promise<DoctorSnapshot['corporate']> {
  const out: DoctorSnapshot['corporate'] = [];
  for (const file of files)
    for (const cert of facts(await readCertificateFile(file, '--extra-ca'))) out.push({ file, cert });
  // The certs dir's extra/ roots count as corporate CAs, as they do for the proxy.
  const names = await readdir(extraDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /\.(pem|crt)$/i.test(n)).sort()) {
    const file = join(extraDir, name);
    const ders = await readCertificateFile(file, 'extra/').catch(() => [] as Buffer[]);
    for (const cert of facts(ders)) out.push({ file, cert });
  }
  return out;
}

async function localCa(certsDir: string): Promise<LocalCaFacts> {
  const paths = caPaths(certsDir);
  const base = { certsDir, certPath: paths.cert, keyPath: paths.key };
  const keyMode = await stat(paths.key).then(
    (s) => s.mode & 0o777,
    () => null,
  );
  let pem: string;
  try {
    pem = await readFile(paths.cert, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...base, cert: null, error: code === 'ENOENT' ? null : `${paths.cert}: ${code}`, keyMode };
  }
  const cert = facts(pemCertificates(pem))[0] ?? null;
  if (!cert) return { ...base, cert, error: 'holds no certificate', keyMode };
  // The proxy refuses a key it cannot sign with, or one its certificate does not belong to: say so before it does.
  const keyPem =
    keyMode === null
      ? null
      : await readFile(paths.key, 'utf8').catch((error: unknown) => ({ error: fileProblem(error) }));
  if (keyPem !== null && typeof keyPem !== 'string')
    return { ...base, cert: null, error: `${paths.key}: ${keyPem.error}`, keyMode };
  const pair = keyPem === null ? null : openCaPair(paths, pem, keyPem);
  // An unusable CA is reported once, here, not as a CA each client should trust.
  return pair && 'problem' in pair
    ? { ...base, cert: null, error: pair.problem, keyMode }
    : { ...base, cert, error: null, keyMode };
}

// A .env is a few KB; a file far larger under that name is not one.
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** `.env` and `*.env` in the directory, read as text: nothing in them is run. */
async function envFiles(dir: string): Promise<EnvFileFacts[]> {
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => n === '.env' || n.endsWith('.env'))
    .sort();
  return Promise.all(
    names.map(async (file): Promise<EnvFileFacts> => {
      const path = join(dir, file);
      try {
        const info = await stat(path);
        if (!info.isFile()) return { file, dir, error: 'not a file' };
        if (info.size > MAX_ENV_FILE_BYTES) return { file, dir, error: `${info.size} bytes, too large for a .env` };
        return { file, dir, entries: parseDotenv(await readFile(path, 'utf8')) };
      } catch (error) {
        return { file, dir, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
      }
    }),
  );
}

/** The OS store as OpenSSL and Go find it when no variable says otherwise. */
async function systemStore(platform: NodeJS.Platform, cache: PathCache): Promise<DoctorSnapshot['systemStore']> {
  if (platform === 'darwin' || platform === 'win32') {
    const loaded = await loadSystemStore({}, platform);
    return loaded.store
      ? { source: loaded.source ?? 'system store', certificates: facts(loaded.store.anchorDers()) }
      : null;
  }
  const bundle = LINUX_BUNDLES.find((path) => existsSync(path));
  const candidates = bundle ? [bundle] : LINUX_DIRS.filter((dir) => existsSync(dir));
  for (const path of candidates) {
    const read = (await readPaths([path], cache))[path]!;
    if ('certificates' in read) return { source: path, certificates: read.certificates };
  }
  return null;
}

/** certifi's bundle: TLSWITNESS_CERTIFI_BUNDLE when set (`none`: skipped), else the one python3's certifi.where() named. */
async function certifiBundle(env: Env, python: DoctorSnapshot['python']): Promise<CertifiFacts | null> {
  const override = env[CERTIFI_OVERRIDE];
  if (override === 'none') return null;
  const found = python.state === 'found' ? python.facts.certifi : null;
  const where = override
    ? { path: override, version: null, from: CERTIFI_OVERRIDE }
    : found
      ? { path: found.where, version: found.version, from: 'certifi.where()' }
      : null;
  if (!where) return null;
  try {
    return { ...where, ders: pemCertificates(await readFile(where.path, 'latin1')) };
  } catch (error) {
    return { ...where, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

/** The `cert` settings of pip's config files (read as text, never run); missing files are skipped. */
async function pipCerts(
  env: Env,
  platform: NodeJS.Platform,
  python: DoctorSnapshot['python'],
): Promise<PipCertSetting[]> {
  const prefix = python.state === 'found' ? (python.facts.prefix ?? null) : null;
  const files = pipConfigFiles(env, platform, prefix);
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => null)));
  return files.flatMap((file, i) =>
    texts[i] === null ? [] : parsePipCerts(file, texts[i]!, env.HOME ?? env.USERPROFILE),
  );
}

export async function gatherSnapshot(options: GatherOptions): Promise<DoctorSnapshot> {
  const { env, platform } = options;
  const probe = { env, cwd: options.cwd, timeoutMs: options.timeoutMs };
  // One read per file, even when the system store is also named by variables and tools.
  const cache: PathCache = new Map();
  const [corporate, python, curl, git, curlrc, ca, system, dotenv, java] = await Promise.all([
    corporateCas(options.extraCaFiles, join(options.certsDir, 'extra')),
    probePython(probe),
    probeCurl(probe),
    probeGit(probe),
    readCurlrc(env),
    localCa(options.certsDir),
    systemStore(platform, cache),
    envFiles(options.cwd),
    gatherJava(env, platform, options.cwd),
  ]);
  const [certifi, pip] = await Promise.all([certifiBundle(env, python), pipCerts(env, platform, python)]);
  // Node's own bundled roots, never the default CA set (which NODE_EXTRA_CA_CERTS extends).
  const nodeRoots = rootCertificates.map((pem) => pemCertificates(pem)[0]!);
  const partial = {
    platform,
    nodeVersion: process.version,
    env,
    python,
    curl,
    git,
    curlrc,
    envFiles: dotenv,
    certifi,
    nodeRoots,
    pipCerts: pip,
  };
  const variablePaths = caVariableNames(env).flatMap((name) =>
    env[name]?.trim() ? caVariablePaths(name, env[name]!, platform, env.HOME ?? env.USERPROFILE) : [],
  );
  // A relative path in a .env is read from the current directory, where apps that load it usually start.
  variablePaths.push(...envFilePaths(dotenv, platform));
  const paths = await readPaths(
    [...new Set([...variablePaths, ...pip.map((p) => p.path), ...clientPaths(resolveClients(partial))])],
    cache,
  );
  return { ...partial, paths, systemStore: system, localCa: ca, corporate, java };
}
