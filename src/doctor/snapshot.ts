// The facts `doctor` judges, gathered once by the I/O layer (gather.ts) and judged by pure functions.
import type { DotenvEntry } from './dotenv.js';
import type { JavaTrustOptions } from './java-options.js';
import type { Env } from '../types.js';

export type { Env };

/** One certificate as far as doctor needs it. */
export interface CertFact {
  /** Most specific attribute first, as `CN=Example Corp Root CA,O=Example Corp,C=US`. */
  subject: string;
  /** SHA-256 of the DER, colon hex (as `tlswitness cert` prints it). */
  sha256: string;
  /** SHA-256 of the public key (SPKI), base64: a re-issued CA keeps it, a re-keyed one does not. */
  spkiSha256: string;
  notBefore: string;
  notAfter: string;
  /** One of Node's bundled Mozilla roots (`tls.rootCertificates`). */
  publicRoot: boolean;
}

/** A CA file or directory named by a variable, a config key or a tool. */
export type PathFacts =
  | { path: string; kind: 'missing' | 'unreadable'; error: string }
  | {
      path: string;
      kind: 'file' | 'directory';
      certificates: CertFact[];
      /** Directories: SHA-256s of the certificates OpenSSL can find (in `<subject hash>.N` files). */
      hashed?: string[];
    };

export interface LocalCaFacts {
  certsDir: string;
  certPath: string;
  keyPath: string;
  cert: CertFact | null;
  /** Why the certificate could not be read, when it exists but is unusable. */
  error: string | null;
  /** Permission bits of the key file, null when there is none. */
  keyMode: number | null;
}

export type Probe<T> = { state: 'missing' } | { state: 'failed'; error: string } | { state: 'found'; facts: T };

export interface PythonFacts {
  version: string;
  executable: string;
  openssl: string;
  /** ssl.get_default_verify_paths(): what urllib / http.client use (SSL_CERT_FILE applied; null when that file is missing). */
  sslCafile: string | null;
  sslCapath: string | null;
  certifi: { where: string; version: string | null } | null;
  /** requests.certs.where(): certifi's bundle, unless a distribution patched it to the system store. */
  requests: { version: string; where: string | null } | null;
  /** The CA file this Python's OpenSSL was built to read (openssl_cafile), whether or not it exists. */
  opensslCafile?: string | null;
  /** sys.prefix: where a virtualenv's own pip.conf lives. */
  prefix?: string | null;
}

/** certifi's bundle as read (its certificates as DER), or why it could not be read. */
export type CertifiFacts = { path: string; version: string | null; from: string } & (
  { ders: Buffer[] } | { error: string }
);

/** One `cert = ...` line of a pip config file (pip.conf / pip.ini), in the section it sits in. */
export interface PipCertSetting {
  file: string;
  section: string;
  /** As written. */
  value: string;
  /** The path pip reads: `~` expanded, as pip expands it in config files (pip 20.0, pypa/pip#980). */
  path: string;
  line: number;
}

export interface CurlFacts {
  version: string;
  /** The TLS library curl was built with (OpenSSL/3.0.19, Schannel, SecureTransport, ...). */
  tls: string | null;
  /** `curl-config --ca`: the bundle built into libcurl; null when unknown (no curl-config). */
  builtinBundle: string | null;
}

export interface GitFacts {
  version: string;
  /** http.[<url>.]sslVerify / sslCAInfo / sslCAPath / sslBackend as git prints them (section and name lower-cased); null value = key without `=` (true). */
  http: Array<{ key: string; value: string | null }>;
}

export interface CurlrcFacts {
  path: string;
  insecure: boolean;
  cacert: string | null;
  capath: string | null;
}

/** A .env file in the current directory, as dotenv reads it (never run). */
export type EnvFileFacts =
  /** `file`: the name as found in `dir` (the current directory). */
  { file: string; dir: string; entries: DotenvEntry[] } | { file: string; dir: string; error: string };

/** A JVM found on this machine. */
export interface JvmFacts {
  /** Its java.home: JAVA_HOME as set, or two levels above the real path of `java` on PATH. */
  home: string;
  /** How it was found: `JAVA_HOME`, or `java on PATH, /usr/bin/java`. */
  from: string;
  /** JAVA_VERSION from its `release` file; null when there is none. */
  version: string | null;
  /** <home>/bin/keytool when it exists. */
  keytool: string | null;
}

export type JavaStoreContents =
  | { state: 'missing' | 'unreadable'; error: string }
  /** Not a keystore, cut short, or the password does not open it. */
  | { state: 'damaged' | 'wrong-password'; format: 'JKS' | 'JCEKS' | 'PKCS12' | null; error: string }
  | { state: 'read'; format: 'JKS' | 'JCEKS' | 'PKCS12'; certificates: CertFact[] };

/** A truststore a JVM uses. */
export interface JavaStoreFacts {
  /** The path Java opens. */
  path: string;
  /** Links resolved (Debian's JDKs link lib/security/cacerts to /etc/ssl/certs/java/cacerts). */
  realPath: string;
  /** option: -Djavax.net.ssl.trustStore; jssecacerts / cacerts: the JVM's own file (jssecacerts wins when present). */
  source: 'option' | 'jssecacerts' | 'cacerts';
  /** The JVM whose file it is, or whose keytool to use for an option's store; null when no JVM was found. */
  jvm: JvmFacts | null;
  /** Whether this user can change it (else keytool needs sudo). */
  writable: boolean;
  contents: JavaStoreContents;
}

export interface JavaFacts {
  jvms: JvmFacts[];
  /** JAVA_HOME is set but names no Java installation: its value, and why (missing, or no lib/security in it). */
  javaHomeProblem?: { home: string; why: string };
  options: JavaTrustOptions;
  stores: JavaStoreFacts[];
  /** The real path of `keytool` on PATH, null when there is none. */
  keytoolOnPath: string | null;
}

export interface DoctorSnapshot {
  platform: NodeJS.Platform;
  nodeVersion: string;
  env: Env;
  /** Every CA path doctor looked at, by the path as named. */
  paths: Record<string, PathFacts>;
  /** The OS store as OpenSSL and Go find it without SSL_CERT_FILE (null: none found). */
  systemStore: { source: string; certificates: CertFact[] } | null;
  localCa: LocalCaFacts;
  /** The corporate CAs to look for (--extra-ca and the certs dir's extra/), with the file each came from. */
  corporate: Array<{ file: string; cert: CertFact }>;
  python: Probe<PythonFacts>;
  curl: Probe<CurlFacts>;
  git: Probe<GitFacts>;
  curlrc: CurlrcFacts | null;
  /** `.env` and `*.env` in the current directory. */
  envFiles: EnvFileFacts[];
  /** Python's certifi bundle (certifi.where(), or TLSWITNESS_CERTIFI_BUNDLE); null or absent when there is none. */
  certifi?: CertifiFacts | null;
  /** Node's bundled Mozilla roots (`tls.rootCertificates`, never the default CA set with NODE_EXTRA_CA_CERTS), as DER. */
  nodeRoots?: Buffer[];
  /** `cert` settings found in pip's config files. */
  pipCerts?: PipCertSetting[];
  /** The JVMs and their truststores; absent when not gathered (a snapshot built for other checks). */
  java?: JavaFacts;
}
