// Finding the JVMs (JAVA_HOME, then `java` on PATH with its links resolved) and reading the truststore
// each uses, for doctor. Reads files only: no JVM is started, nothing connects.
import { constants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { commandPath } from '../command-path.js';
import { javaKeystoreKind } from '../trust/java-keystore.js';
import { JksError, readJks } from '../trust/jks.js';
import { looksLikePkcs12, Pkcs12Error, readPkcs12 } from '../trust/pkcs12.js';
import { javaTrustOptions } from './java-options.js';
import { certFact } from './path-facts.js';
import type { CertFact, Env, JavaFacts, JavaStoreContents, JavaStoreFacts, JvmFacts } from './snapshot.js';

// The JDK's documented default password of cacerts (keytool -cacerts and every guide use it).
export const DEFAULT_STOREPASS = 'changeit';
// A JDK's cacerts is about 200 KB; anything far larger is not a truststore and is not read into memory.
const MAX_STORE_BYTES = 16 * 1024 * 1024;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** lib/security since JDK 9; jre/lib/security in a JDK 8 home. */
async function securityDir(home: string): Promise<string | null> {
  for (const dir of [join(home, 'lib', 'security'), join(home, 'jre', 'lib', 'security')])
    if (await exists(dir)) return dir;
  return null;
}

async function jvmAt(home: string, from: string, platform: NodeJS.Platform): Promise<JvmFacts | null> {
  if (!(await securityDir(home))) return null;
  // A JDK 8 JRE's java.home is <jdk>/jre; its release file is one level up.
  const release = await readFile(join(home, 'release'), 'utf8').catch(() =>
    readFile(join(home, '..', 'release'), 'utf8').catch(() => ''),
  );
  const version = /^JAVA_VERSION="?([^"\n]+)"?/m.exec(release)?.[1] ?? null;
  const keytoolPath = join(home, 'bin', platform === 'win32' ? 'keytool.exe' : 'keytool');
  const keytool = (await exists(keytoolPath)) ? await realpath(keytoolPath).catch(() => keytoolPath) : null;
  return { home, from, version, keytool };
}

async function findJvms(env: Env, platform: NodeJS.Platform): Promise<Pick<JavaFacts, 'jvms' | 'javaHomeProblem'>> {
  const found: JvmFacts[] = [];
  const homes = new Set<string>();
  const add = async (home: string, from: string): Promise<boolean> => {
    const real = await realpath(home).catch(() => home);
    if (homes.has(real)) return true;
    const jvm = await jvmAt(home, from, platform);
    if (jvm) {
      homes.add(real);
      found.push(jvm);
    }
    return jvm !== null;
  };
  let javaHomeProblem: JavaFacts['javaHomeProblem'];
  const javaHome = env.JAVA_HOME?.trim();
  if (javaHome && !(await add(javaHome, 'JAVA_HOME')))
    javaHomeProblem = { home: javaHome, why: (await exists(javaHome)) ? 'no lib/security in it' : 'no such directory' };
  const java = commandPath('java', env, platform);
  // /usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/java-17-openjdk-amd64/bin/java: the home is two levels above.
  if (java) await add(dirname(dirname(await realpath(java).catch(() => java))), `java on PATH, ${java}`);
  return { jvms: found, ...(javaHomeProblem ? { javaHomeProblem } : {}) };
}

function certificates(ders: Buffer[]): CertFact[] {
  return ders.map(certFact).filter((c): c is CertFact => c !== null);
}

/** What Java finds in the file: trusted-certificate entries (PKCS#12: bags marked trusted for Java). */
export function readJavaStore(data: Buffer, password: string, passwordGiven: boolean): JavaStoreContents {
  const kind = javaKeystoreKind(data);
  if (kind) {
    try {
      // Java checks a JKS digest only when a password is configured (cacerts is read without one).
      const jks = readJks(data, passwordGiven ? password : undefined);
      if (jks.integrity === 'mismatch')
        return {
          state: 'wrong-password',
          format: kind,
          error:
            'its integrity check fails with javax.net.ssl.trustStorePassword (a wrong password, or a damaged file)',
        };
      return { state: 'read', format: kind, certificates: certificates(jks.trusted.map((e) => e.der)) };
    } catch (error) {
      if (error instanceof JksError) return { state: 'damaged', format: kind, error: error.message };
      throw error;
    }
  }
  if (looksLikePkcs12(data)) {
    try {
      const p12 = readPkcs12(data, password);
      return {
        state: 'read',
        format: 'PKCS12',
        certificates: certificates(p12.certificates.filter((_, i) => p12.javaTrusted[i])),
      };
    } catch (error) {
      if (!(error instanceof Pkcs12Error)) throw error;
      if (error.reason === 'wrong-password')
        return {
          state: 'wrong-password',
          format: 'PKCS12',
          error: `it does not open with ${passwordGiven ? 'javax.net.ssl.trustStorePassword' : `the default password ${DEFAULT_STOREPASS}`} (${error.message})`,
        };
      return { state: 'damaged', format: 'PKCS12', error: error.message };
    }
  }
  return { state: 'damaged', format: null, error: 'neither a JKS nor a PKCS#12 keystore' };
}

async function readStore(path: string, password: string, passwordGiven: boolean): Promise<JavaStoreContents> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { state: 'unreadable', error: 'a directory, not a keystore file' };
    if (info.size > MAX_STORE_BYTES)
      return { state: 'unreadable', error: `${info.size} bytes: too large for a truststore` };
    return readJavaStore(await readFile(path), password, passwordGiven);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'missing', error: 'no such file' };
    return { state: 'unreadable', error: code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message) };
  }
}

async function writable(path: string): Promise<boolean> {
  // A missing store is created by keytool: then its folder must be writable.
  const target = (await exists(path)) ? path : dirname(path);
  return access(target, constants.W_OK).then(
    () => true,
    () => false,
  );
}

async function store(
  path: string,
  source: JavaStoreFacts['source'],
  jvm: JvmFacts | null,
  password: string,
  passwordGiven: boolean,
): Promise<JavaStoreFacts> {
  const realPath = await realpath(path).catch(() => path);
  const [contents, canWrite] = await Promise.all([readStore(realPath, password, passwordGiven), writable(realPath)]);
  return { path, realPath, source, jvm, writable: canWrite, contents };
}

export async function gatherJava(env: Env, platform: NodeJS.Platform, cwd: string): Promise<JavaFacts> {
  const options = javaTrustOptions(env);
  const [{ jvms, javaHomeProblem }, keytool] = await Promise.all([
    findJvms(env, platform),
    Promise.resolve(commandPath('keytool', env, platform)),
  ]);
  const keytoolOnPath = keytool ? await realpath(keytool).catch(() => keytool) : null;
  const password = options.trustStorePassword?.value ?? DEFAULT_STOREPASS;
  const given = options.trustStorePassword !== null;
  const stores: JavaStoreFacts[] = [];
  if (options.trustStore && options.trustStore.value !== 'NONE') {
    // The option applies to every JVM started with this environment; its path is relative to the app's directory.
    stores.push(await store(resolve(cwd, options.trustStore.value), 'option', jvms[0] ?? null, password, given));
  } else if (!options.trustStore) {
    const seen = new Set<string>();
    for (const jvm of jvms) {
      const dir = (await securityDir(jvm.home))!;
      // sun.security.ssl.TrustStoreManager: jssecacerts, when present, is used instead of cacerts.
      const jssecacerts = join(dir, 'jssecacerts');
      const facts = (await exists(jssecacerts))
        ? await store(jssecacerts, 'jssecacerts', jvm, password, given)
        : await store(join(dir, 'cacerts'), 'cacerts', jvm, password, given);
      if (seen.has(facts.realPath)) continue;
      seen.add(facts.realPath);
      stores.push(facts);
    }
  }
  return { jvms, ...(javaHomeProblem ? { javaHomeProblem } : {}), options, stores, keytoolOnPath };
}
