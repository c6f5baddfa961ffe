// `ca env`: the shell lines that point apps at the proxy and make them trust its CA, and the
// combined bundle they name. Additive: the bundle holds the system store (or the public roots when
// there is none) plus the local CA, so hosts reached without the proxy still verify.
import { join } from 'node:path';
import { writeAtomically } from '../atomic-write.js';
import { derToPem } from '../trust/pem.js';
import type { TrustStore } from '../trust/trust-store.js';
import type { LocalCa } from './local-ca.js';
import { posixString, powerShellString } from '../shell-quote.js';

/** zsh and sh read bash's lines (`export NAME='value'`, `unset NAME`) as they are; `dotenv` is a .env file's `NAME='value'`. */
export const SHELLS = ['bash', 'zsh', 'sh', 'fish', 'pwsh', 'dotenv'] as const;
export type Shell = (typeof SHELLS)[number];

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
  await writeAtomically(path, pems.join(''), 0o644);
  return path;
}

function quote(shell: Shell, value: string): string {
  // dotenv unescapes nothing in quotes: single quotes keep a value as is, double quotes hold one with a '.
  if (shell === 'dotenv') return value.includes("'") ? `"${value}"` : `'${value}'`;
  if (shell === 'pwsh') return powerShellString(value);
  if (shell === 'fish') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return posixString(value);
}

function assign(shell: Shell, name: string, value: string): string {
  if (shell === 'pwsh') return `$env:${name} = ${quote(shell, value)}`;
  if (shell === 'fish') return `set -gx ${name} ${quote(shell, value)}`;
  if (shell === 'dotenv') return `${name}=${quote(shell, value)}`;
  return `export ${name}=${quote(shell, value)}`;
}

/** The variables `ca env` sets, in its order; `--unset` removes the same ones. */
const VARIABLES = [
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'https_proxy',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'SSL_CERT_FILE',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'NODE_EXTRA_CA_CERTS',
] as const;

/** How to run the command's output in that shell. */
function usage(shell: Shell, flags: string): string {
  const command = `tlswitness ca env${shell === 'fish' || shell === 'pwsh' || shell === 'dotenv' ? ` --shell ${shell}` : ''}${flags}`;
  if (shell === 'dotenv') return `${command} >> .env`;
  if (shell === 'pwsh') return `${command} | Invoke-Expression`;
  if (shell === 'fish') return `${command} | source`;
  return `eval "$(${command})"`;
}

export function envLines(shell: Shell, proxyUrl: string, bundlePath: string, caCertPath: string): string {
  const values: Record<(typeof VARIABLES)[number], string> = {
    HTTPS_PROXY: proxyUrl,
    HTTP_PROXY: proxyUrl,
    https_proxy: proxyUrl,
    http_proxy: proxyUrl,
    NO_PROXY: 'localhost,127.0.0.1,::1',
    no_proxy: 'localhost,127.0.0.1,::1',
    // OpenSSL-based tools, Python requests, curl and git read a whole bundle that replaces their roots.
    SSL_CERT_FILE: bundlePath,
    REQUESTS_CA_BUNDLE: bundlePath,
    CURL_CA_BUNDLE: bundlePath,
    GIT_SSL_CAINFO: bundlePath,
    // Node adds these to its own roots (read once at start-up).
    NODE_EXTRA_CA_CERTS: caCertPath,
  };
  if (shell === 'dotenv') {
    return [
      `# tlswitness: for apps that load this .env (${usage(shell, '')}); every path is absolute, so it works from any directory`,
      '# when the proxy is stopped, delete these lines, or apps that load this file cannot connect',
      ...VARIABLES.map((name) => assign(shell, name, values[name])),
      '',
    ].join('\n');
  }
  return [
    `# tlswitness: start the app from a shell where these are set (${usage(shell, '')})`,
    // Once the proxy stops, every client in this shell still goes to it: curl says (7), couldn't connect.
    `# when the proxy is stopped, undo them: ${usage(shell, ' --unset')}`,
    ...VARIABLES.map((name) => assign(shell, name, values[name])),
    '',
  ].join('\n');
}

/** The lines that undo envLines in the same shell. */
export function unsetLines(shell: Shell): string {
  // A .env has no way to unset: the lines have to go.
  if (shell === 'dotenv')
    return `# tlswitness: delete the lines ${usage(shell, '')} added to .env: ${VARIABLES.join(', ')}\n`;
  const lines =
    shell === 'pwsh'
      ? VARIABLES.map((name) => `Remove-Item Env:${name} -ErrorAction SilentlyContinue`)
      : shell === 'fish'
        ? VARIABLES.map((name) => `set -e ${name}`)
        : [`unset ${VARIABLES.join(' ')}`];
  return [
    `# tlswitness: apps in this shell no longer use the proxy or its CA (${usage(shell, ' --unset')})`,
    ...lines,
    '',
  ].join('\n');
}
