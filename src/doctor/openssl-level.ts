// This machine's OpenSSL security level, as its curl, git and wget get it: the system `openssl`'s build
// default, overridden by a `CipherString = ...@SECLEVEL=N` in its configuration. Read once per process;
// what `openssl version -a` printed is kept in the cache dir while the openssl file stays the same.
// Not Python's SSLContext.security_level: python.org builds set @SECLEVEL=2 in their own cipher string.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { childEnv } from '../child-env.js';
import { commandPath } from '../command-path.js';
import { fileProgramIdentity, readAnswer, writeAnswer } from '../trust/program-answer-cache.js';
import { cacheDir } from '../trust/cache-dir.js';

/** OpenSSL 3's default when the build does not set OPENSSL_TLS_SECURITY_LEVEL (ssl/ssl_cert.c). */
const OPENSSL_DEFAULT_LEVEL = 1;

/**
 * The effective level from `openssl version -a` and the configuration text: a SECLEVEL in a
 * CipherString wins (the system_default section applies it to every new SSL_CTX: Debian's and RHEL 9's
 * crypto-policies), else the build's -DOPENSSL_TLS_SECURITY_LEVEL (Debian 12 and Ubuntu build 2 in),
 * else OpenSSL's default 1. Null when the output is not OpenSSL's. Pure.
 */
export function parseOpensslLevel(versionAll: string, configText: string | null): number | null {
  if (!/^OpenSSL \d/m.test(versionAll)) return null;
  const configured = [...(configText ?? '').matchAll(/^[ \t]*CipherString[ \t]*=[^\n#]*@SECLEVEL=(\d)/gim)].map((m) =>
    Number(m[1]),
  );
  if (configured.length) return configured[configured.length - 1]!;
  const built = /-DOPENSSL_TLS_SECURITY_LEVEL=(\d)/.exec(versionAll);
  return built ? Number(built[1]) : OPENSSL_DEFAULT_LEVEL;
}

/** The configuration file OpenSSL reads: $OPENSSL_CONF, else OPENSSLDIR/openssl.cnf. */
export function configPath(versionAll: string, env: NodeJS.ProcessEnv): string | null {
  if (env.OPENSSL_CONF) return env.OPENSSL_CONF;
  const dir = /^OPENSSLDIR: "([^"]*)"/m.exec(versionAll)?.[1];
  return dir ? join(dir, 'openssl.cnf') : null;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  // Loaded here, not with the module: a cached answer (most runs) starts no program.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: childEnv(env), timeout: 3000, maxBuffer: 256 * 1024, windowsHide: true },
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
}

function readFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The configuration with its `.include` files (one level: RHEL's crypto-policies back end); read synchronously, as the cached answer is. */
function readConfig(path: string): string | null {
  const text = readFile(path);
  if (text === null) return null;
  const parts = [text];
  for (const m of text.matchAll(/^[ \t]*\.include[ \t]*=?[ \t]*(\S+)/gm)) {
    const file = isAbsolute(m[1]!) ? m[1]! : join(dirname(path), m[1]!);
    const included = readFile(file);
    if (included !== null) parts.push(included);
  }
  return parts.join('\n');
}

/** `openssl version -a`, from the cache when this openssl file answered it before (the config is read afresh). */
async function versionAll(env: NodeJS.ProcessEnv): Promise<string | null> {
  // One PATH search, and a path to run: the program asked is the program the cache knows it by.
  const openssl = commandPath('openssl', env);
  if (!openssl) return null;
  const program = await fileProgramIdentity(openssl);
  if (!program) return run(openssl, ['version', '-a'], env);
  const dir = cacheDir(env);
  const known = await readAnswer<string>('openssl-version', program, dir);
  if (known !== null) return known;
  const answer = await run(openssl, ['version', '-a'], env);
  if (answer !== null) writeAnswer('openssl-version', program, answer, dir);
  return answer;
}

let cached: Promise<number | null> | null = null;

/** Asks the system `openssl` once per process; null when it is not installed or does not answer. */
export function systemOpensslLevel(env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  cached ??= (async () => {
    const version = await versionAll(env);
    if (version === null) return null;
    const path = configPath(version, env);
    return parseOpensslLevel(version, path ? readConfig(path) : null);
  })();
  return cached;
}
