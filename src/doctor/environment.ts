// The "environment" part of `doctor --json`: the variables doctor read (proxy credentials hidden),
// the tools it asked, and the bundle each client uses; pure.
import { caVariable } from './ca-variable-catalogue.js';
import type { ClientTrust } from './client-trust.js';
import { redactProxyUrl, redactText } from '../redact/url.js';
import type { DoctorSnapshot } from './snapshot.js';

const PROXY = /^(https?|all|no)_proxy$/i;
const OTHER = [
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'PYTHONHTTPSVERIFY',
  'GIT_SSL_NO_VERIFY',
  'GIT_SSL_CAPATH',
  'PIP_TRUSTED_HOST',
];

export function doctorEnvironment(snapshot: DoctorSnapshot, clients: ClientTrust[]) {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(snapshot.env)) {
    if (value === undefined) continue;
    if (PROXY.test(name)) variables[name] = /^no_proxy$/i.test(name) ? value : redactProxyUrl(value);
    else if (caVariable(name) || OTHER.includes(name) || /^npm_config_strict[-_]ssl$/i.test(name))
      variables[name] = value;
  }
  // NODE_OPTIONS may carry anything; only its trust flags are shown.
  const nodeFlags = (snapshot.env.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter((f) => /^--use-(openssl|system|bundled)-ca$/.test(f));
  if (nodeFlags.length) variables.NODE_OPTIONS = nodeFlags.join(' ');
  const probe = <T>(p: { state: string; facts?: T; error?: string }) =>
    p.state === 'found' ? p.facts : { state: p.state, ...(p.error ? { error: p.error } : {}) };
  return {
    platform: snapshot.platform,
    variables,
    tools: {
      node: { version: snapshot.nodeVersion },
      python3: probe(snapshot.python),
      curl: probe(snapshot.curl),
      git:
        snapshot.git.state === 'found'
          ? {
              version: snapshot.git.facts.version,
              http: snapshot.git.facts.http.map((e) => ({ key: redactText(e.key), value: e.value })),
            }
          : probe(snapshot.git),
      curlrc: snapshot.curlrc,
    },
    clients: clients.map((c) => ({
      client: c.client,
      sources: c.sources.map(({ path, from }) => ({ path, from })),
      bundledRoots: c.bundledRoots,
      systemStore: c.systemStore,
      confidence: c.confidence,
      note: c.note,
    })),
    systemStore: snapshot.systemStore
      ? { source: snapshot.systemStore.source, certificates: snapshot.systemStore.certificates.length }
      : null,
    localCa: snapshot.localCa.cert
      ? {
          certificate: snapshot.localCa.certPath,
          subject: snapshot.localCa.cert.subject,
          notAfter: snapshot.localCa.cert.notAfter,
        }
      : null,
    corporate: snapshot.corporate.map((c) => ({
      file: c.file,
      subject: c.cert.subject,
      sha256: c.cert.sha256,
      notAfter: c.cert.notAfter,
    })),
  };
}
