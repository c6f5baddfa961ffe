// `ca env`: the shell lines that point apps at the proxy and make them trust its CA, and the
// combined bundle they name. Additive: the bundle holds the system store (or the public roots when
// there is none) plus the local CA, so hosts reached without the proxy still verify.
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { derToPem } from '../trust/pem.js';
import type { TrustStore } from '../trust/trust-store.js';
import type { LocalCa } from './local-ca.js';

export type Shell = 'bash' | 'fish' | 'pwsh';

/** Writes `<ca dir>/bundle.pem` and returns its path. */
export async function writeCombinedBundle(ca: LocalCa, base: TrustStore | null): Promise<string> {
  const seen = new Set<string>();
  const pems: string[] = [];
  for (const der of [...(base?.all().map((c) => c.der) ?? []), ca.cert.der]) {
    const key = der.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    pems.push(derToPem(der));
  }
  const path = join(ca.paths.dir, 'bundle.pem');
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, pems.join(''), { mode: 0o644 });
  await rename(temp, path);
  return path;
}

function quote(shell: Shell, value: string): string {
  if (shell === 'pwsh') return `'${value.replace(/'/g, "''")}'`;
  if (shell === 'fish') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function assign(shell: Shell, name: string, value: string): string {
  if (shell === 'pwsh') return `$env:${name} = ${quote(shell, value)}`;
  if (shell === 'fish') return `set -gx ${name} ${quote(shell, value)}`;
  return `export ${name}=${quote(shell, value)}`;
}

export function envLines(shell: Shell, proxyUrl: string, bundlePath: string, caCertPath: string): string {
  const vars: Array<[string, string]> = [
    ['HTTPS_PROXY', proxyUrl],
    ['HTTP_PROXY', proxyUrl],
    ['https_proxy', proxyUrl],
    ['http_proxy', proxyUrl],
    ['NO_PROXY', 'localhost,127.0.0.1,::1'],
    ['no_proxy', 'localhost,127.0.0.1,::1'],
    // OpenSSL-based tools, Python requests, curl and git read a whole bundle that replaces their roots.
    ['SSL_CERT_FILE', bundlePath],
    ['REQUESTS_CA_BUNDLE', bundlePath],
    ['CURL_CA_BUNDLE', bundlePath],
    ['GIT_SSL_CAINFO', bundlePath],
    // Node adds these to its own roots (read once at start-up).
    ['NODE_EXTRA_CA_CERTS', caCertPath],
  ];
  const usage = shell === 'pwsh' ? 'tlswitness ca env --shell pwsh | Invoke-Expression' : shell === 'fish' ? 'tlswitness ca env --shell fish | source' : 'eval "$(tlswitness ca env)"';
  return [`# tlswitness: start the app from a shell where these are set (${usage})`, ...vars.map(([n, v]) => assign(shell, n, v)), ''].join('\n');
}
