// The environment in report.json: OS, Node, tool version, the versions of Python (with certifi),
// curl and OpenSSL, and the variables that change how clients verify TLS, with proxy credentials
// removed; pure.
import type { CurlFacts, Probe, PythonFacts } from '../doctor/snapshot.js';
import { redactProxyUrl } from '../redact/url.js';

const PROXY_VARS = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy',
  'NO_PROXY',
  'no_proxy',
];
const TLS_VARS = [
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'NODE_EXTRA_CA_CERTS',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'NODE_OPTIONS',
  'PYTHONHTTPSVERIFY',
  'GIT_SSL_CAINFO',
  'GIT_SSL_NO_VERIFY',
  'AWS_CA_BUNDLE',
];

export interface PlatformFacts {
  platform: string;
  release: string;
  arch: string;
  node: string;
}

export interface EnvironmentSnapshot extends PlatformFacts {
  tool: string;
  variables: Record<string, string>;
  /** Absent when the writer did not ask the installed tools (the proxy's bundles). */
  versions?: ToolVersions;
}

export function environmentSnapshot(
  env: Record<string, string | undefined>,
  facts: PlatformFacts,
  toolVersion: string,
  versions?: ToolVersions,
): EnvironmentSnapshot {
  const variables: Record<string, string> = {};
  for (const name of PROXY_VARS)
    if (env[name] !== undefined) variables[name] = /no_proxy/i.test(name) ? env[name]! : redactProxyUrl(env[name]!);
  // NODE_OPTIONS may carry anything; only its TLS-relevant flags are kept.
  for (const name of TLS_VARS) {
    const value = env[name];
    if (value === undefined) continue;
    variables[name] =
      name === 'NODE_OPTIONS'
        ? (value.match(/--(?:use-openssl-ca|use-bundled-ca|tls-[a-z-]+(?:=\S+)?)/g) ?? []).join(' ')
        : value;
  }
  return { ...facts, tool: toolVersion, variables, ...(versions ? { versions } : {}) };
}

/** What a bug report asks for beside the OS and Node: Python with its certifi, curl, OpenSSL. */
export interface ToolVersions {
  /** Node's own OpenSSL (process.versions.openssl): the library tlswitness verified with. */
  nodeOpenssl: string;
  python:
    | Pick<PythonFacts, 'version' | 'executable' | 'openssl' | 'certifi' | 'requests'>
    | { missing: true }
    | { error: string };
  curl: Pick<CurlFacts, 'version' | 'tls'> | { missing: true } | { error: string };
}

function fromProbe<T, U>(probe: Probe<T>, pick: (facts: T) => U): U | { missing: true } | { error: string } {
  return probe.state === 'found'
    ? pick(probe.facts)
    : probe.state === 'missing'
      ? { missing: true }
      : { error: probe.error };
}

/** The versions as doctor's probes found them, reduced to what a bug report needs. */
export function toolVersions(nodeOpenssl: string, python: Probe<PythonFacts>, curl: Probe<CurlFacts>): ToolVersions {
  return {
    nodeOpenssl,
    python: fromProbe(python, ({ version, executable, openssl, certifi, requests }) => ({
      version,
      executable,
      openssl,
      certifi,
      requests,
    })),
    curl: fromProbe(curl, ({ version, tls }) => ({ version, tls })),
  };
}
