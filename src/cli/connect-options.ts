// The flags shared by the commands that connect (inspect, detect, evidence): declared once, validated
// before any work, and turned into a HandshakeRequest plus the trust stores (loaded in parallel).
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import type { Argv } from 'yargs';
import { findCertsDir } from '../ca/certs-dir.js';
import { loadLocalCa } from '../ca/local-ca.js';
import { systemOpensslLevel } from '../doctor/openssl-level.js';
import { TlswitnessError } from '../errors.js';
import { parseProxyUrl, type ProxySpec } from '../net/connector.js';
import { envProxyFor } from '../net/env-proxy.js';
import { isHostName, parseResolve, type ResolveMap } from '../net/target.js';
import type { AnchorStores, TrustContext } from '../record/assemble.js';
import type { HandshakeRequest } from '../record/observe.js';
import { spkiSha256 } from '../trust/certificate.js';
import { CertificateCache } from '../trust/certificate-cache.js';
import { clientCredentials } from './client-credentials.js';
import { certifiLabel, loadCertifiStore } from '../trust/certifi-store.js';
import type { ArgsOf } from './command-module.js';
import type { CertifiInfo } from '../diagnose/certifi-lag.js';
import { compareRootSets, versionDate, type RootSetAge } from '../trust/root-set-comparison.js';
import { loadExtraStore, loadPublicStore, loadSystemStore } from '../trust/stores.js';

const VERSIONS: Record<string, SecureVersion> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

/** Flags shared by everything that reaches hosts and judges their chains (the proxy included). */
export function withNetworkOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('resolve', {
      type: 'string',
      array: true,
      describe: 'HOST:PORT:ADDR, as curl: use ADDR for HOST:PORT (repeatable)',
    })
    .option('extra-ca', {
      type: 'string',
      array: true,
      describe: 'PEM bundle of extra trusted roots, e.g. a corporate CA (repeatable)',
    })
    .option('public-roots', { type: 'string', describe: "replace Node's bundled Mozilla roots as the public root set" })
    .option('upstream-proxy', {
      type: 'string',
      describe: 'reach the network through this HTTP proxy: http://[user:pass@]host:port',
    })
    .option('env-proxy', {
      type: 'boolean',
      default: true,
      describe: 'honour HTTPS_PROXY / NO_PROXY as curl does (--no-env-proxy ignores them)',
    })
    .option('tls-min', {
      type: 'string',
      default: '1.2',
      choices: Object.keys(VERSIONS),
      describe: 'lowest TLS version to offer',
    })
    .option('timeout', { type: 'number', default: 10000, describe: 'per connection, in milliseconds' })
    .option('certs-dir', {
      type: 'string',
      describe:
        "where the local CA and extra/ roots live (default: $TLSWITNESS_CERTS_DIR, the checkout's certs/, or the per-user config dir)",
    })
    .check((args) => {
      if (!Number.isFinite(args.timeout) || args.timeout <= 0)
        throw new TlswitnessError('bad-usage', '--timeout takes a positive number of milliseconds');
      return true;
    });
}

export function withConnectOptions<T>(yargs: Argv<T>) {
  return withNetworkOptions(yargs)
    .option('servername', {
      type: 'string',
      describe: 'SNI to send and name to check (default: the host; none for an IP)',
    })
    .option('fetch-missing', {
      type: 'boolean',
      default: false,
      describe: "fetch a missing intermediate from the leaf's AIA URL to confirm the diagnosis",
    })
    .option('http-probe', {
      type: 'boolean',
      default: true,
      describe:
        'when the server asks for a client certificate, none is given and it completes the handshake anyway, send HEAD / to learn whether it requires one (--no-http-probe sends nothing)',
    })
    .option('client-cert', {
      type: 'string',
      describe: 'client certificate to present (PEM, or PKCS#12 with --password)',
    })
    .option('client-key', { type: 'string', describe: 'private key for --client-cert (PEM)' })
    .option('password', { type: 'string', describe: 'password of a PKCS#12 --client-cert' })
    .option('tls-max', {
      type: 'string',
      default: '1.3',
      choices: Object.keys(VERSIONS),
      describe: 'highest TLS version to offer',
    })
    .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' })
    .check((args) => {
      // Usage errors before any connection (yargs' .implies() would print two lines without the fix).
      if (Number(args['tls-min']) > Number(args['tls-max']))
        throw new TlswitnessError('bad-usage', `--tls-min ${args['tls-min']} is above --tls-max ${args['tls-max']}`);
      if (args['client-key'] && !args['client-cert'])
        throw new TlswitnessError('bad-usage', '--client-key needs --client-cert');
      if (args.servername !== undefined && !isHostName(args.servername))
        throw new TlswitnessError('bad-usage', `--servername "${args.servername}" is not a host name`);
      return true;
    });
}

/** The flags of the commands that connect (inspect, detect, evidence), as their builder declares them. */
export type ConnectArgs = ArgsOf<typeof withConnectOptions<object>>;
/** The flags shared with the proxy. */
export type NetworkArgs = ArgsOf<typeof withNetworkOptions<object>>;

function chooseProxy(args: NetworkArgs, host: string, env: NodeJS.ProcessEnv): ProxySpec | null {
  if (args['upstream-proxy']) return parseProxyUrl(args['upstream-proxy'], 'upstream-proxy');
  if (!args['env-proxy']) return null;
  const fromEnv = envProxyFor(host, env);
  return fromEnv ? parseProxyUrl(fromEnv, 'env-proxy') : null;
}

export interface NetworkPlan {
  resolve: ResolveMap;
  minVersion: SecureVersion;
  timeoutMs: number;
  proxyFor(host: string): ProxySpec | null;
  trust: Promise<TrustContext>;
  /** Part of `trust`, ready sooner: the stores OpenSSL gets as anchors. */
  anchorStores: Promise<AnchorStores>;
}

/**
 * Validates the network and trust flags and starts loading the stores (in parallel with the rest), or
 * once `loadAfter` settles (the proxy: once it listens).
 */
export function networkPlan(
  args: NetworkArgs,
  env: NodeJS.ProcessEnv = process.env,
  loadAfter?: Promise<void>,
): NetworkPlan {
  const resolve = parseResolve(args.resolve ?? []);
  if (args['upstream-proxy']) parseProxyUrl(args['upstream-proxy'], 'upstream-proxy');
  const later = loadAfter?.then(() => startTrust(args, env));
  const { trust, anchorStores } = later
    ? { trust: later.then((loading) => loading.trust), anchorStores: later.then((loading) => loading.anchorStores) }
    : startTrust(args, env);
  // Surface a bad --extra-ca / --public-roots as a usage error even if the connection fails first.
  trust.catch(() => undefined);
  anchorStores.catch(() => undefined);
  return {
    resolve,
    minVersion: VERSIONS[args['tls-min']]!,
    timeoutMs: args.timeout,
    proxyFor: (host) => chooseProxy(args, host, env),
    trust,
    anchorStores,
  };
}

export type TrustArgs = Partial<Pick<ConnectArgs, 'extra-ca' | 'public-roots' | 'certs-dir'>>;

/** The stores as --public-roots, the OS, --extra-ca, the certs dir's extra/ and Python's certifi make them, without the local CA. */
export function loadTrust(args: TrustArgs, env: NodeJS.ProcessEnv = process.env): Promise<TrustContext> {
  return startTrust(args, env).trust;
}

/**
 * Starts loading every store; the anchor stores resolve as soon as they are read, without waiting
 * for python3 (certifi) and openssl (its security level), which can take far longer than a handshake.
 */
function startTrust(
  args: TrustArgs,
  env: NodeJS.ProcessEnv,
): { trust: Promise<TrustContext>; anchorStores: Promise<AnchorStores> } {
  const certsDir = findCertsDir(args['certs-dir'], env);
  const localCaLoading = loadLocalCa(certsDir).catch(() => null);
  const anchorLoading = Promise.all([
    loadPublicStore(args['public-roots']),
    loadSystemStore(env),
    loadExtraStore(args['extra-ca'] ?? [], join(certsDir, 'extra')),
    localCaLoading,
  ]).then(([pub, system, extra, localCa]) => {
    // SPEC: the local CA is never trusted upstream, even after `ca install` put it in a store.
    for (const store of [pub.store, system.store, extra.store]) if (store && localCa) store.exclude(localCa.cert.der);
    return { pub, system, extra, stores: { public: pub.store, system: system.store, extra: extra.store } };
  });
  const trust = (async (): Promise<TrustContext> => {
    const [{ pub, extra, stores }, certifi, localCa, opensslLevel] = await Promise.all([
      anchorLoading,
      // What requests and httpx trust by default, judged beside the others (python3 asked once per process).
      loadCertifiStore(env),
      localCaLoading,
      // Which of this machine's clients refuse a weak key or signature (weak-crypto); once per process.
      systemOpensslLevel(env),
    ]);
    if (certifi.store && localCa) certifi.store.exclude(localCa.cert.der);
    const ownCas = localCa
      ? [
          {
            subject: localCa.cert.subject,
            subjectKeyId: localCa.cert.details.subjectKeyId,
            spkiSha256: spkiSha256(localCa.cert.x509),
          },
        ]
      : [];
    // Whether certifi is older or newer than the public roots decides what its warning advises. Comparing
    // parses every root of both sets (tens of ms): done only when a certifi warning asks for it.
    let certifiInfo: CertifiInfo | null = null;
    if (certifi.store && certifi.location && pub.store) {
      const [certifiStore, publicStore, location] = [certifi.store, pub.store, certifi.location];
      let age: RootSetAge | undefined;
      certifiInfo = {
        label: certifiLabel(location),
        get age() {
          const extraDers = new Set((extra.store?.anchorDers() ?? []).map((der) => der.toString('base64')));
          return (age ??= compareRootSets(
            certifiStore.anchorDers().filter((der) => !extraDers.has(der.toString('base64'))),
            publicStore.anchorDers(),
            versionDate(location.version),
          ).age);
        },
      };
    }
    return {
      ...stores,
      certifi: certifi.store,
      certifiInfo,
      ownCas,
      opensslLevel,
      certificates: new CertificateCache(),
    };
  })();
  return { trust, anchorStores: anchorLoading.then(({ stores }) => stores) };
}

export interface ConnectPlan {
  request: Omit<HandshakeRequest, 'id' | 'target' | 'proxy'>;
  proxyFor(host: string): ProxySpec | null;
  trust: Promise<TrustContext>;
}

/**
 * Reads the files the shared flags name (usage errors before any connection; the flags alone are checked while
 * parsing) and starts loading the stores, at once or once `loadAfter` settles (inspect: once its handshake began).
 */
export function connectPlan(
  args: ConnectArgs,
  env: NodeJS.ProcessEnv = process.env,
  loadAfter?: Promise<void>,
): ConnectPlan {
  const maxVersion = VERSIONS[args['tls-max']]!;
  const client = clientCredentials(args);
  const network = networkPlan(args, env, loadAfter);
  return {
    // OpenSSL judges each connection too, so every run compares its verdict with tlswitness's.
    request: {
      servername: args.servername,
      resolve: network.resolve,
      minVersion: network.minVersion,
      maxVersion,
      alpn: ['h2', 'http/1.1'],
      client,
      timeoutMs: network.timeoutMs,
      fetchMissing: args['fetch-missing'],
      crossCheck: true,
      anchorStores: network.anchorStores,
      httpProbe: args['http-probe'] !== false,
    },
    proxyFor: network.proxyFor,
    trust: network.trust,
  };
}
