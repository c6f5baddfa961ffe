// Asking the installed tools which bundle they use: python3, curl, curl-config, git. Async spawns with
// a short timeout; a tool that is not installed is a fact ("missing"), not an error. Nothing here
// connects anywhere.
import { execFile } from 'node:child_process';
import { childEnv } from '../child-env.js';
import type { CurlFacts, Env, GitFacts, Probe, PythonFacts } from './snapshot.js';

export interface ProbeOptions {
  env: Env;
  cwd: string;
  timeoutMs: number;
}

type RunResult =
  { state: 'missing' } | { state: 'failed'; error: string; stdout: string } | { state: 'ok'; stdout: string };

function run(command: string, args: string[], options: ProbeOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: childEnv(options.env),
        cwd: options.cwd,
        timeout: options.timeoutMs,
        maxBuffer: 1024 * 1024,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ state: 'ok', stdout });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        if (e.code === 'ENOENT') return resolve({ state: 'missing' });
        const why = e.killed
          ? `no answer within ${options.timeoutMs} ms`
          : (stderr.trim().split('\n').pop() ?? `exit ${e.code}`);
        resolve({ state: 'failed', error: why || `exit ${e.code}`, stdout });
      },
    );
  });
}

// The bundle requests uses is requests.certs.where() (certifi's, unless a distribution patched it);
// urllib and http.client use ssl's default paths, which apply SSL_CERT_FILE / SSL_CERT_DIR.
const PYTHON_SCRIPT = `
import json, ssl, sys
out = {"version": sys.version.split()[0], "executable": sys.executable, "openssl": ssl.OPENSSL_VERSION}
paths = ssl.get_default_verify_paths()
out["sslCafile"] = paths.cafile
out["sslCapath"] = paths.capath
out["opensslCafile"] = paths.openssl_cafile
out["prefix"] = sys.prefix
try:
    import certifi
    out["certifi"] = {"where": certifi.where(), "version": getattr(certifi, "__version__", None)}
except Exception:
    out["certifi"] = None
try:
    import requests, requests.certs
    out["requests"] = {"version": requests.__version__, "where": requests.certs.where()}
except Exception:
    out["requests"] = None
print("TLSWITNESS-DOCTOR " + json.dumps(out))
`;

export async function probePython(options: ProbeOptions): Promise<Probe<PythonFacts>> {
  const result = await run('python3', ['-c', PYTHON_SCRIPT], options);
  if (result.state === 'missing') return result;
  const line = result.stdout.split('\n').find((l) => l.startsWith('TLSWITNESS-DOCTOR '));
  if (!line) return { state: 'failed', error: result.state === 'failed' ? result.error : 'no answer from python3' };
  try {
    return { state: 'found', facts: JSON.parse(line.slice('TLSWITNESS-DOCTOR '.length)) as PythonFacts };
  } catch {
    return { state: 'failed', error: 'python3 gave an answer that is not JSON' };
  }
}

export async function probeCurl(options: ProbeOptions): Promise<Probe<CurlFacts>> {
  const [version, config] = await Promise.all([run('curl', ['-V'], options), run('curl-config', ['--ca'], options)]);
  if (version.state === 'missing') return version;
  if (version.state === 'failed') return { state: 'failed', error: version.error };
  // "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13 ..."
  const first = version.stdout.split('\n')[0] ?? '';
  const tls = first
    .split(/\s+/)
    .find((word) =>
      /^\(?(OpenSSL|LibreSSL|BoringSSL|quictls|AWS-LC|GnuTLS|NSS|wolfSSL|mbedTLS|Schannel|SecureTransport|rustls|BearSSL)\b/i.test(
        word,
      ),
    );
  const builtin = config.state === 'ok' ? config.stdout.trim() : '';
  return {
    state: 'found',
    facts: {
      version: /^curl (\S+)/.exec(first)?.[1] ?? first,
      tls: tls?.replace(/[()]/g, '') ?? null,
      builtinBundle: builtin || null,
    },
  };
}

/** `git config -z` entries: "key\nvalue\0", or "key\0" for a key without `=`. */
export function parseGitConfigZ(text: string): GitFacts['http'] {
  return text
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const newline = entry.indexOf('\n');
      return newline < 0
        ? { key: entry, value: null }
        : { key: entry.slice(0, newline), value: entry.slice(newline + 1) };
    });
}

export async function probeGit(options: ProbeOptions): Promise<Probe<GitFacts>> {
  const version = await run('git', ['--version'], options);
  if (version.state === 'missing') return version;
  if (version.state === 'failed') return { state: 'failed', error: version.error };
  // Run where doctor runs: a repository's own config counts, as it does for git there. Only the TLS
  // keys are read: http.extraHeader often holds a token (actions/checkout puts one there).
  const config = await run(
    'git',
    ['config', '-z', '--get-regexp', '^http\\.(.*\\.)?(sslverify|sslcainfo|sslcapath|sslbackend)$'],
    options,
  );
  // Exit 1 with no output: no http.* key is set.
  const http = config.state === 'missing' ? [] : parseGitConfigZ(config.stdout);
  return { state: 'found', facts: { version: version.stdout.trim().replace(/^git version /, ''), http } };
}
