// Which CA bundle each client really uses (Python requests, Python's ssl module, Node, curl, git,
// the system store), the way each one picks it, and whether the corporate CAs are in it; pure.
import type { DoctorSnapshot, PathFacts } from './snapshot.js';

export type ClientName = 'Python requests' | 'Python certifi' | 'Python ssl' | 'Node' | 'curl' | 'git' | 'system store';

export interface TrustSource {
  path: string;
  /** Where the choice came from: a variable, a config key, a tool's answer. */
  from: string;
  accepts: 'file' | 'directory' | 'either';
  /** Set when an environment variable named it (its file is judged under the CA variables). */
  envVar: string | null;
}

export interface ClientTrust {
  client: ClientName;
  sources: TrustSource[];
  /** Node's bundled Mozilla roots are part of this client's trust. */
  bundledRoots: boolean;
  /** The OS store is part of this client's trust. */
  systemStore: boolean;
  /** low: assumed (no curl-config to ask), not read from the tool. */
  confidence: 'high' | 'low';
  note: string | null;
}

type Inputs = Pick<DoctorSnapshot, 'env' | 'python' | 'curl' | 'git' | 'curlrc' | 'platform' | 'nodeVersion'>;

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

function envSource(name: string, value: string, accepts: TrustSource['accepts']): TrustSource {
  return { path: value, from: name, accepts, envVar: name };
}

function python(inputs: Inputs): ClientTrust[] {
  if (inputs.python.state !== 'found') return [];
  const { env } = inputs;
  const facts = inputs.python.facts;
  const out: ClientTrust[] = [];
  // requests: `verify = REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE or True` (sessions.py), True meaning requests.certs.where().
  if (facts.requests) {
    const source = set(env.REQUESTS_CA_BUNDLE)
      ? envSource('REQUESTS_CA_BUNDLE', env.REQUESTS_CA_BUNDLE, 'either')
      : set(env.CURL_CA_BUNDLE)
        ? envSource('CURL_CA_BUNDLE', env.CURL_CA_BUNDLE, 'either')
        : (facts.requests.where ?? facts.certifi?.where)
          ? {
              path: (facts.requests.where ?? facts.certifi!.where)!,
              from: 'requests.certs.where()',
              accepts: 'either' as const,
              envVar: null,
            }
          : null;
    const patched =
      facts.requests.where && facts.certifi && facts.requests.where !== facts.certifi.where
        ? `this requests is patched to use ${facts.requests.where}, not certifi (a distribution package)`
        : null;
    out.push({
      client: 'Python requests',
      sources: source ? [source] : [],
      bundledRoots: false,
      systemStore: false,
      confidence: 'high',
      note: patched,
    });
  } else if (facts.certifi) {
    out.push({
      client: 'Python certifi',
      sources: [{ path: facts.certifi.where, from: 'certifi.where()', accepts: 'file', envVar: null }],
      bundledRoots: false,
      systemStore: false,
      confidence: 'high',
      note: 'requests is not installed for this python3; pip, httpx and others that use certifi read this bundle',
    });
  }
  // ssl.create_default_context(): OpenSSL's default file and directory, SSL_CERT_FILE / SSL_CERT_DIR applied.
  const ssl: TrustSource[] = [];
  // Python reports no cafile when SSL_CERT_FILE names nothing; the variable is kept so the reason shows.
  if (set(env.SSL_CERT_FILE)) ssl.push(envSource('SSL_CERT_FILE', facts.sslCafile ?? env.SSL_CERT_FILE, 'file'));
  else if (facts.sslCafile)
    ssl.push({ path: facts.sslCafile, from: 'OpenSSL default file', accepts: 'file', envVar: null });
  if (facts.sslCapath)
    ssl.push(
      set(env.SSL_CERT_DIR)
        ? envSource('SSL_CERT_DIR', facts.sslCapath, 'directory')
        : { path: facts.sslCapath, from: 'OpenSSL default directory', accepts: 'directory', envVar: null },
    );
  out.push({
    client: 'Python ssl',
    sources: ssl,
    bundledRoots: false,
    systemStore: false,
    confidence: 'high',
    note: null,
  });
  return out;
}

function node(inputs: Inputs): ClientTrust {
  const { env } = inputs;
  const options = env.NODE_OPTIONS ?? '';
  // --use-openssl-ca swaps the bundled roots for OpenSSL's store; --use-system-ca (Node 22.15 / 23.8) adds the OS store.
  const opensslCa = /(^|\s)--use-openssl-ca\b/.test(options);
  const systemCa = /(^|\s)--use-system-ca\b/.test(options);
  const sources: TrustSource[] = [];
  if (opensslCa && set(env.SSL_CERT_FILE)) sources.push(envSource('SSL_CERT_FILE', env.SSL_CERT_FILE, 'file'));
  if (set(env.NODE_EXTRA_CA_CERTS)) sources.push(envSource('NODE_EXTRA_CA_CERTS', env.NODE_EXTRA_CA_CERTS, 'file'));
  return {
    client: 'Node',
    sources,
    bundledRoots: !opensslCa,
    systemStore: systemCa || (opensslCa && !set(env.SSL_CERT_FILE)),
    confidence: 'high',
    note: set(env.NODE_EXTRA_CA_CERTS) ? 'NODE_EXTRA_CA_CERTS is read once, when a process starts' : null,
  };
}

function builtinCurlBundle(inputs: Inputs): {
  source: TrustSource | null;
  systemStore: boolean;
  confidence: 'high' | 'low';
  note: string | null;
} {
  if (inputs.curl.state !== 'found')
    return {
      source: null,
      systemStore: true,
      confidence: 'low',
      note: "libcurl's built-in bundle is unknown without curl",
    };
  const facts = inputs.curl.facts;
  if (facts.builtinBundle)
    return {
      source: { path: facts.builtinBundle, from: 'curl-config --ca', accepts: 'file', envVar: null },
      systemStore: false,
      confidence: 'high',
      note: null,
    };
  // Schannel and Secure Transport builds verify against the OS store.
  if (facts.tls && /schannel|securetransport/i.test(facts.tls))
    return { source: null, systemStore: true, confidence: 'high', note: `${facts.tls} uses the OS store` };
  return {
    source: null,
    systemStore: true,
    confidence: 'low',
    note: "libcurl's built-in bundle is unknown without curl-config",
  };
}

function curl(inputs: Inputs): ClientTrust | null {
  if (inputs.curl.state !== 'found') return null;
  const { env } = inputs;
  const rc = inputs.curlrc;
  // tool_operate.c: --cacert/--capath (command line or .curlrc) win; else CURL_CA_BUNDLE; else SSL_CERT_DIR
  // and SSL_CERT_FILE; else libcurl's built-in bundle. curl_getenv() treats an empty variable as unset.
  if (rc?.cacert || rc?.capath) {
    const sources: TrustSource[] = [];
    if (rc.cacert) sources.push({ path: rc.cacert, from: `${rc.path} cacert`, accepts: 'file', envVar: null });
    if (rc.capath) sources.push({ path: rc.capath, from: `${rc.path} capath`, accepts: 'directory', envVar: null });
    return { client: 'curl', sources, bundledRoots: false, systemStore: false, confidence: 'high', note: null };
  }
  if (set(env.CURL_CA_BUNDLE))
    return {
      client: 'curl',
      sources: [envSource('CURL_CA_BUNDLE', env.CURL_CA_BUNDLE, 'file')],
      bundledRoots: false,
      systemStore: false,
      confidence: 'high',
      note: null,
    };
  if (set(env.SSL_CERT_FILE) || set(env.SSL_CERT_DIR)) {
    const sources: TrustSource[] = [];
    if (set(env.SSL_CERT_FILE)) sources.push(envSource('SSL_CERT_FILE', env.SSL_CERT_FILE, 'file'));
    if (set(env.SSL_CERT_DIR)) sources.push(envSource('SSL_CERT_DIR', env.SSL_CERT_DIR.split(':')[0]!, 'directory'));
    return { client: 'curl', sources, bundledRoots: false, systemStore: false, confidence: 'high', note: null };
  }
  const builtin = builtinCurlBundle(inputs);
  return {
    client: 'curl',
    sources: builtin.source ? [builtin.source] : [],
    bundledRoots: false,
    systemStore: builtin.systemStore,
    confidence: builtin.confidence,
    note: builtin.note,
  };
}

function lastConfig(inputs: Inputs, key: string): string | null {
  if (inputs.git.state !== 'found') return null;
  // The last value git prints is the one that wins (system, then global, then local config).
  const values = inputs.git.facts.http.filter((e) => e.key.toLowerCase() === key && e.value);
  return values.length ? values[values.length - 1]!.value : null;
}

function git(inputs: Inputs): ClientTrust | null {
  if (inputs.git.state !== 'found') return null;
  const { env } = inputs;
  // http.c: GIT_SSL_CAINFO / GIT_SSL_CAPATH override http.sslCAInfo / http.sslCAPath. libcurl itself
  // reads no variable, so SSL_CERT_FILE and CURL_CA_BUNDLE do not reach git.
  const sources: TrustSource[] = [];
  const cainfo = lastConfig(inputs, 'http.sslcainfo');
  const capath = lastConfig(inputs, 'http.sslcapath');
  if (set(env.GIT_SSL_CAINFO)) sources.push(envSource('GIT_SSL_CAINFO', env.GIT_SSL_CAINFO, 'file'));
  else if (cainfo) sources.push({ path: cainfo, from: 'git config http.sslCAInfo', accepts: 'file', envVar: null });
  if (set(env.GIT_SSL_CAPATH)) sources.push(envSource('GIT_SSL_CAPATH', env.GIT_SSL_CAPATH, 'directory'));
  else if (capath)
    sources.push({ path: capath, from: 'git config http.sslCAPath', accepts: 'directory', envVar: null });
  const backend = lastConfig(inputs, 'http.sslbackend');
  if (backend && /schannel/i.test(backend))
    return {
      client: 'git',
      sources,
      bundledRoots: false,
      systemStore: !sources.length,
      confidence: 'high',
      note: 'http.sslBackend=schannel: the Windows store',
    };
  if (sources.length)
    return {
      client: 'git',
      sources,
      bundledRoots: false,
      systemStore: false,
      confidence: 'high',
      note: 'SSL_CERT_FILE and CURL_CA_BUNDLE do not reach git (libcurl reads no variable)',
    };
  const builtin = builtinCurlBundle(inputs);
  return {
    client: 'git',
    sources: builtin.source ? [builtin.source] : [],
    bundledRoots: false,
    systemStore: builtin.systemStore,
    confidence: builtin.confidence,
    note: ['SSL_CERT_FILE and CURL_CA_BUNDLE do not reach git', builtin.note].filter(Boolean).join('; '),
  };
}

/** Every client this machine has, with the bundle it uses. */
export function resolveClients(inputs: Inputs): ClientTrust[] {
  const out: ClientTrust[] = [...python(inputs), node(inputs)];
  const c = curl(inputs);
  if (c) out.push(c);
  const g = git(inputs);
  if (g) out.push(g);
  out.push({
    client: 'system store',
    sources: [],
    bundledRoots: false,
    systemStore: true,
    confidence: 'high',
    note: null,
  });
  return out;
}

/** The CA paths the clients name, for the I/O layer to read. */
export function clientPaths(clients: ClientTrust[]): string[] {
  return [...new Set(clients.flatMap((c) => c.sources.map((s) => s.path)))];
}

export type PathLookup = (path: string) => PathFacts | undefined;
