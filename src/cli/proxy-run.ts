// The proxy run behind `tlswitness proxy`, loaded on demand so other commands do not pay for
// http-mitm-proxy, ws and node-forge at start-up: the flags checked (proxy-settings.ts), the event
// output opened (proxy-output.ts), then the proxy run until a signal.
import { homedir } from 'node:os';
import { sep } from 'node:path';
import { LeafMinter } from '../ca/leaf-minter.js';
import { ensureLocalCa } from '../ca/local-ca.js';
import { quotePosix } from '../shell-quote.js';
import { fullGc } from './full-gc.js';
import { TlswitnessError } from '../errors.js';
import { isLoopbackAddress } from '../net/address-category.js';
import { canonicalAddress, isLoopbackName, isUnspecifiedAddress } from '../net/address-spellings.js';
import { formatHostPort } from '../host-port.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import type { Observer } from '../proxy/host-recorder.js';
import { gatherHandshake, judgeHandshake, passesOnSight, type HandshakeRequest } from '../record/observe.js';
import { EMPTY_RESIGNED } from '../diagnose/resigned-memory.js';
import { anchorPems, type AnchorStores } from '../record/assemble.js';
import type { ProxyArgs } from './proxy.js';
import type { ProxySpec } from '../net/connector.js';
import type { HostPort } from '../types.js';
import type { TrustContext } from '../diagnose/chain-judgement.js';
import { openProxyOutput, type ProxyOutput } from './proxy-output.js';
import { openProxyError, proxySettings, type ProxySettings } from './proxy-settings.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** ~/… for paths under the home directory: shorter in the header, and a shell expands it back. */
function tildify(path: string): string {
  const home = homedir();
  return home && home !== '/' && path.startsWith(`${home}${sep}`) ? `~${path.slice(home.length)}` : path;
}

export async function runProxy(args: ProxyArgs): Promise<void> {
  const settings = await proxySettings(args);
  const output = await openProxyOutput(args);
  await run(args, settings, output);
}

async function run(args: ProxyArgs, settings: ProxySettings, output: ProxyOutput): Promise<void> {
  const { auth, passthrough, network, certsDir, clientFor, headerTimeoutMs } = settings;
  const { events, evidence, notify } = output;
  const ca = await ensureLocalCa(certsDir);
  const minter = await LeafMinter.create(ca);
  const { anchorStores, trustLoading } = storesWithout(network, ca.cert.der);
  // Read synchronously by the upstream gate (a leaf not recorded yet is judged at the level records are,
  // unknown until the stores are read) and by the checks made before a new host's record.
  const trustNow = loadedValue(trustLoading);

  // Handlers go in before anything listens, so a signal at any point means a clean stop.
  const signals = stopSignals(() => evidence?.flushHarSync());
  const self = selfGuard(args);
  const proxyFor = (host: string) => {
    const proxy = network.proxyFor(host);
    return proxy && self.isSelf(proxy) ? null : proxy;
  };
  const server = await ProxyServer.start({
    host: args.host,
    port: args.port,
    policy: {
      mode: args.mode,
      passthrough,
      onUpstreamError: args['on-upstream-error'],
      completeChains: args['complete-chains'],
    },
    auth,
    ca,
    minter,
    events,
    observe: handshakeObserver(args, settings, trustLoading, trustNow, proxyFor),
    upstream: {
      resolve: network.resolve,
      proxyFor,
      minVersion: network.minVersion,
      timeoutMs: network.timeoutMs,
      clientFor,
      anchors: () => anchorStores.then(anchorPems),
      opensslLevel: () => trustNow()?.opensslLevel ?? null,
      trust: trustNow,
    },
    limits: headerTimeoutMs ? { headerTimeoutMs } : {},
    ...(evidence ? { exchanges: (exchange) => evidence.exchange(exchange) } : {}),
    collectGarbage: fullGc() ?? undefined,
  });
  self.listening(server.port);
  await storesAfterListening(server, settings.loadStores, anchorStores);
  minter.prepare();
  // A `*.localhost` name passes as loopback by name, but the hosts file or a resolver can point it
  // anywhere: the address it bound decides.
  if (!auth && !isLoopbackAddress(server.boundAddress)) {
    await server.close();
    throw openProxyError(args.host);
  }
  const selfNote = await upstreamSelfNote(network, self.isSelf, server);
  announce(args, settings, output, server.port, ca.paths.cert, () => signals.quit());
  if (selfNote) notify('note', selfNote);

  await signals.stopped;
  await stop(server, output);
  signals.off();
}

/**
 * What the proxy calls for each new host: gather its handshake and judge it against the run's memory.
 * With `seen` (what a traffic connection showed of its handshake) no probe is run; `prejudge` runs only
 * the checks that block a host on it, so that a host that passes them is forwarded before its record.
 */
function handshakeObserver(
  args: ProxyArgs,
  { network, clientFor }: ProxySettings,
  trustLoading: Promise<TrustContext>,
  trustNow: () => TrustContext | null,
  proxyFor: (host: string) => ProxySpec | null,
): Observer {
  let handshakes = 0;
  // One run's memory: an issuer re-signing unrelated public hosts is a sign of interception.
  let resigned = EMPTY_RESIGNED;
  const request = (target: HostPort, servername: string | undefined, id: string): HandshakeRequest => ({
    id,
    target,
    servername,
    resolve: network.resolve,
    proxy: proxyFor(target.host),
    minVersion: network.minVersion,
    maxVersion: 'TLSv1.3',
    // As the MITM offers the origin: an h2-only origin (gRPC) refuses a hello without h2.
    alpn: ['h2', 'http/1.1'],
    client: clientFor(target),
    timeoutMs: network.timeoutMs,
    fetchMissing: args['complete-chains'],
  });
  return {
    async observe(target, servername, seen, id = `h-${++handshakes}`) {
      const trust = await trustLoading;
      const gathered = await gatherHandshake(request(target, servername, id), trust, undefined, seen);
      // Judged on the memory as it is now, and the memory after it kept in the same synchronous step.
      const judged = judgeHandshake(gathered, resigned);
      resigned = judged.resigned;
      return judged.record;
    },
    prejudge(target, servername, seen) {
      const id = `h-${handshakes + 1}`;
      const trust = trustNow();
      if (!trust || !passesOnSight(request(target, servername, id), seen, trust)) return null;
      handshakes++;
      return id;
    },
  };
}

/**
 * The HAR as it is at the signal, at once; then the terminal (the user sees the shell again), then
 * the proxy (in-flight exchanges finish within a short grace period; a second signal stops at once),
 * then the HAR with those exchanges, and the log.
 */
async function stop(server: ProxyServer, output: ProxyOutput): Promise<void> {
  const { evidence } = output;
  void evidence?.flushHar();
  await output.closeTui();
  await server.shutdown();
  const har = await evidence?.close();
  if (har) process.stderr.write(`Wrote the session's HAR to ${har}\n`);
  await output.close();
}

/** The stores start loading; a bad --extra-ca or --public-roots is still a usage error before the banner. */
async function storesAfterListening(server: ProxyServer, loadStores: () => void, anchorStores: Promise<unknown>) {
  loadStores();
  await anchorStores.catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
}

/**
 * The stores, read once the proxy listens (~10% of its start's CPU otherwise): the first recording and
 * the first upstream context wait for them, a wait bounded by reading files and by python3's and
 * openssl's own time limits, never answered with fewer stores. The local CA is taken out of each (on
 * a first run it did not exist yet when they were read).
 */
function storesWithout(
  network: ProxySettings['network'],
  caDer: Buffer,
): { anchorStores: Promise<AnchorStores>; trustLoading: Promise<TrustContext> } {
  const withoutCa = <T extends Partial<TrustContext>>(stores: T): T => {
    for (const store of [stores.public, stores.system, stores.extra, stores.certifi]) store?.exclude(caDer);
    return stores;
  };
  const trustLoading = network.trust.then(withoutCa);
  trustLoading.catch(() => undefined);
  return { anchorStores: network.anchorStores.then(withoutCa), trustLoading };
}

/** A proxy variable pointing at this very proxy (HTTPS_PROXY exported in the same shell) would loop. */
function selfGuard(args: ProxyArgs): { isSelf(proxy: ProxySpec): boolean; listening(port: number): void } {
  let listeningPort = args.port;
  const reachesThisMachine = (host: string) => {
    const address = canonicalAddress(host);
    return address ? isLoopbackAddress(address) || isUnspecifiedAddress(address) : isLoopbackName(host);
  };
  return {
    isSelf: (proxy) => proxy.port === listeningPort && (reachesThisMachine(proxy.host) || proxy.host === args.host),
    listening: (port) => {
      listeningPort = port;
    },
  };
}

/**
 * The upstream proxy once the port is known: --upstream-proxy naming this proxy is refused (the proxy
 * closed first); a proxy variable naming it is ignored, with a note to say so.
 */
async function upstreamSelfNote(
  network: ProxySettings['network'],
  isSelf: (proxy: ProxySpec) => boolean,
  server: ProxyServer,
): Promise<string | null> {
  const upstreamProbe = network.proxyFor('tlswitness.invalid');
  if (!upstreamProbe || !isSelf(upstreamProbe)) return null;
  if (upstreamProbe.via === 'upstream-proxy') {
    await server.close();
    throw new TlswitnessError(
      'bad-usage',
      `--upstream-proxy ${upstreamProbe.display} is this proxy itself: that would loop`,
    );
  }
  return `ignoring the proxy in HTTPS_PROXY/ALL_PROXY (${upstreamProbe.display}): it is this tlswitness itself`;
}

/** The address and mode: in the TUI's header, or as a banner on stderr with how to point an app at the proxy. */
function announce(
  args: ProxyArgs,
  settings: ProxySettings,
  output: ProxyOutput,
  port: number,
  caPath: string,
  quit: () => void,
): void {
  const address = `http://${formatHostPort({ host: args.host, port })}`;
  const mode = `${args.mode}${settings.passthrough.length ? `, ${settings.passthrough.length} passthrough pattern(s)` : ''}${args['on-upstream-error'] === 'tunnel' ? ', failing hosts tunnelled' : ''}`;
  if (output.tui) {
    // The header shows what the banner would; nothing is written behind the screen's back.
    output.startTui({ address, mode, certsDir: tildify(settings.certsDir), caPath: tildify(caPath) }, quit);
  } else {
    process.stderr.write(
      [
        `tlswitness proxy listening on ${address} (${mode}); CA ${caPath}`,
        `  point an app at it:  export HTTPS_PROXY=${address} HTTP_PROXY=${address}`,
        `  and trust its CA:    eval "$(tlswitness ca env --proxy ${address})"   (or curl --cacert ${quotePosix(caPath)})`,
        '',
      ].join('\n'),
    );
  }
}

/**
 * SIGINT, SIGTERM and SIGHUP (the terminal was closed) stop the run: `stopped` resolves, as it does on
 * `quit` (the TUI's q). A second signal stops at once, `beforeExit` (the HAR) first.
 */
function stopSignals(beforeExit: () => void): { stopped: Promise<void>; quit(): void; off(): void } {
  let quit: () => void = () => undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      beforeExit();
      // Handlers off, the signal again: the default action ends the process, as it would have.
      for (const stop of STOP_SIGNALS) process.off(stop, onSignal);
      process.kill(process.pid, signal);
      return;
    }
    signalled = true;
    // With the terminal gone, writing to it fails: that must not end the stop half-way.
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    quit();
  };
  const stopped = new Promise<void>((resolve) => {
    quit = resolve;
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
  return { stopped, quit: () => quit(), off: () => STOP_SIGNALS.forEach((signal) => process.off(signal, onSignal)) };
}

/** What `loading` resolved to, once it has (null before, or when it failed): for readers that cannot wait. */
function loadedValue<T>(loading: Promise<T>): () => T | null {
  let value: T | null = null;
  loading.then(
    (loaded) => (value = loaded),
    () => undefined,
  );
  return () => value;
}
