// `tlswitness proxy`'s flags checked before anything starts: every usage error is reported before a
// file is created or a port is taken.
import { findCertsDir } from '../ca/certs-dir.js';
import { TlswitnessError } from '../errors.js';
import { isLoopbackAddress } from '../net/address-category.js';
import type { HostPort } from '../types.js';
import { clientCertificateFor, parseUpstreamClientCert } from '../proxy/client-certificates.js';
import { parsePassthrough, type PassthroughPattern } from '../proxy/policy.js';
import type { ProxyAuth } from '../proxy/proxy-auth.js';
import type { ClientCredentials } from '../tls/probe.js';
import { networkPlan, type NetworkPlan } from './connect-options.js';
import { AUTH_ENV, proxyCredentials } from './proxy-credentials.js';
import type { ProxyArgs } from './proxy.js';

export interface ProxySettings {
  auth: ProxyAuth | null;
  passthrough: PassthroughPattern[];
  headerTimeoutMs: number | undefined;
  clientFor(target: HostPort): ClientCredentials | null;
  /** The network plan, whose stores are read once loadStores() is called (the proxy calls it once it listens). */
  network: NetworkPlan;
  loadStores(): void;
  certsDir: string;
}

/** Listening off loopback without credentials: refused by name here, by the bound address after listening. */
export function openProxyError(host: string): TlswitnessError {
  return new TlswitnessError(
    'bad-usage',
    `--host ${host} is not a loopback address: set ${AUTH_ENV}=user:password (or --auth-file FILE), or listen on 127.0.0.1`,
  );
}

export async function proxySettings(args: ProxyArgs): Promise<ProxySettings> {
  const auth = await proxyCredentials(args, process.env, (text) => process.stderr.write(`Warning: ${text}\n`));
  // Never an open proxy: listening off loopback needs credentials.
  if (!isLoopbackAddress(args.host) && !auth) throw openProxyError(args.host);
  const headerTimeoutMs = args['header-timeout'];
  if (headerTimeoutMs !== undefined && !(headerTimeoutMs > 0))
    throw new TlswitnessError('bad-usage', '--header-timeout takes a positive number of milliseconds');
  const passthrough = (args.passthrough ?? []).map((text) => {
    const pattern = parsePassthrough(text);
    if (!pattern)
      throw new TlswitnessError(
        'bad-usage',
        `--passthrough "${text}": expected host, *.domain, an IP address, with an optional :port`,
      );
    return pattern;
  });
  const clientCerts = (args['upstream-client-cert'] ?? []).map(parseUpstreamClientCert);
  let loadStores = () => undefined as void;
  const network = networkPlan(args, process.env, new Promise<void>((resolve) => (loadStores = resolve)));
  return {
    auth,
    passthrough,
    headerTimeoutMs,
    clientFor: (target) => clientCertificateFor(clientCerts, target),
    network,
    loadStores,
    certsDir: findCertsDir(args['certs-dir']),
  };
}
