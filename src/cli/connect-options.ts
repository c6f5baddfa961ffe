// The flags shared by the commands that connect (inspect, detect, evidence): declared once, validated
// before any work, and turned into a HandshakeRequest plus the trust stores (loaded in parallel).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import type { Argv } from 'yargs';
import { findCertsDir } from '../ca/certs-dir.js';
import { loadLocalCa } from '../ca/local-ca.js';
import { systemOpensslLevel } from '../doctor/openssl-level.js';
import { fileProblem, TlswitnessError } from '../errors.js';
import { parseProxyUrl, type ProxySpec } from '../net/connector.js';
import { envProxyFor } from '../net/env-proxy.js';
import { isHostName, parseResolve, type ResolveMap } from '../net/target.js';
import type { AnchorStores, TrustContext } from '../record/assemble.js';
import type { HandshakeRequest } from '../record/observe.js';
import type { ClientCredentials } from '../tls/probe.js';
import { ParsedCertificate, spkiSha256 } from '../trust/certificate.js';
import { pemCertificates } from '../trust/pem.js';
import { looksLikePkcs12 } from '../trust/pkcs12.js';
import { openPkcs12 } from './certificate-file.js';
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

function readFlagFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlswitnessError('unreadable-file', `${flag} ${path}: ${fileProblem(error)}`);
  }
}

/**
 * A PKCS#12 --client-cert, opened here rather than by Node's `pfx` option: Node's OpenSSL 3 refuses the
 * RC2 that `openssl pkcs12 -legacy` still writes ("Unsupported PKCS12 PFX data"), and a wrong password
 * is then a usage error before any connection. The leaf is the certificate that matches the key.
 */
function pkcs12Credentials(data: Buffer, password: string | undefined, certPath: string): ClientCredentials {
  const label = `--client-cert ${certPath}`;
  const p12 = openPkcs12(data, password, label, { keys: true });
  const keyDer = p12.keys[0];
  if (!keyDer)
    throw new TlswitnessError(
      'bad-usage',
      `${label}: this PKCS#12 file holds no private key: export it with its key, or pass a PEM certificate and --client-key`,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new TlswitnessError(
      'not-certificates',
      `${label}: its private key is not readable (${(error as Error).message})`,
    );
  }
  const certs = p12.certificates.map((der) => new X509Certificate(der));
  const leaf = certs.findIndex((cert) => cert.checkPrivateKey(key));
  if (leaf < 0)
    throw new TlswitnessError('bad-usage', `${label}: no certificate in this PKCS#12 file matches its private key`);
  const chain = [certs[leaf]!, ...certs.filter((_, i) => i !== leaf)];
  return {
    cert: chain.map((cert) => cert.toString()).join(''),
    key: key.export({ type: 'pkcs8', format: 'pem' }),
    subject: new ParsedCertificate(certs[leaf]!.raw).subject,
  };
}

function clientCredentials(args: ConnectArgs): ClientCredentials | null {
  const certPath = args['client-cert'];
  if (!certPath) return null;
  const data = readFlagFile(certPath, '--client-cert');
  if (/\.(p12|pfx)$/i.test(extname(certPath)) || looksLikePkcs12(data))
    return pkcs12Credentials(data, args.password, certPath);
  if (!args['client-key'] && !/PRIVATE KEY-----/.test(data.toString('latin1'))) {
    throw new TlswitnessError('bad-usage', `--client-cert ${certPath} holds no private key: add --client-key KEY.pem`);
  }
  const key = args['client-key'] ? readFlagFile(args['client-key'], '--client-key') : data;
  // Checked here, so a bad file is a usage error before any connection rather than a failed handshake.
  const der = pemCertificates(data.toString('latin1'))[0];
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der ?? data);
  } catch {
    throw new TlswitnessError(
      'not-certificates',
      `--client-cert ${certPath}: holds no readable certificate (expected PEM "-----BEGIN CERTIFICATE-----", or PKCS#12 with --password)`,
    );
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    throw new TlswitnessError(
      'not-certificates',
      `${args['client-key'] ? `--client-key ${args['client-key']}` : `--client-cert ${certPath}`}: holds no readable private key (expected PEM "-----BEGIN PRIVATE KEY-----", unencrypted)`,
    );
  }
  if (!cert.checkPrivateKey(keyObject))
    throw new TlswitnessError(
      'bad-usage',
      `--client-key does not belong to the certificate in --client-cert ${certPath}: pass the key that was made with it`,
    );
  let subject = certPath;
  try {
    if (der) subject = new ParsedCertificate(der).subject;
  } catch {
    // keep the file name: Node reads it, and the handshake is what counts
  }
  return { cert: data, key, subject };
}

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

/** Validates the network and trust flags and starts loading the stores (in parallel with the rest). */
export function networkPlan(args: NetworkArgs, env: NodeJS.ProcessEnv = process.env): NetworkPlan {
  const resolve = parseResolve(args.resolve ?? []);
  if (args['upstream-proxy']) parseProxyUrl(args['upstream-proxy'], 'upstream-proxy');
  const { trust, anchorStores } = startTrust(args, env);
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
    return { ...stores, certifi: certifi.store, certifiInfo, ownCas, opensslLevel };
  })();
  return { trust, anchorStores: anchorLoading.then(({ stores }) => stores) };
}

export interface ConnectPlan {
  request: Omit<HandshakeRequest, 'id' | 'target' | 'proxy'>;
  proxyFor(host: string): ProxySpec | null;
  trust: Promise<TrustContext>;
}

/** Reads the files the shared flags name (usage errors before any connection; the flags alone are checked while parsing) and starts loading the stores. */
export function connectPlan(args: ConnectArgs, env: NodeJS.ProcessEnv = process.env): ConnectPlan {
  const maxVersion = VERSIONS[args['tls-max']]!;
  const client = clientCredentials(args);
  const network = networkPlan(args, env);
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
