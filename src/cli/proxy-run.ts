// The proxy run behind `tlswitness proxy`, loaded on demand so other commands do not pay for
// http-mitm-proxy, ws and node-forge at start-up.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve as resolvePath, sep } from 'node:path';
import { findCertsDir } from '../ca/certs-dir.js';
import { LeafMinter } from '../ca/leaf-minter.js';
import { ensureLocalCa } from '../ca/local-ca.js';
import { quotePosix } from '../ca/shell-quote.js';
import { fullGc } from './full-gc.js';
import { ToolError } from '../errors.js';
import { errorEvent, EventBus } from '../events.js';
import { isLoopbackAddress } from '../net/address-category.js';
import { canonicalAddress, isLoopbackName, isUnspecifiedAddress } from '../net/address-spellings.js';
import { formatHostPort } from '../host-port.js';
import { parsePassthrough } from '../proxy/policy.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { clientCertificateFor, parseUpstreamClientCert } from '../proxy/client-certificates.js';
import { lineSink, ndjsonFileSink, ndjsonSink, type Sink } from '../report/event-sinks.js';
import { gatherHandshake, judgeHandshake } from '../record/observe.js';
import { EMPTY_RESIGNED } from '../diagnose/resigned-memory.js';
import { anchorPems } from '../record/assemble.js';
import { networkPlan } from './connect-options.js';
import { AUTH_ENV, proxyCredentials } from './proxy-credentials.js';
import type { ProxyArgs } from './proxy.js';
import type { ProxySpec } from '../net/connector.js';
import type { SessionEvidence } from '../report/session-evidence.js';
import type { Tui } from '../tui/screen.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { oneLine } from '../report/terminal-safe.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** ~/… for paths under the home directory: shorter in the header, and a shell expands it back. */
function tildify(path: string): string {
  const home = homedir();
  return home && home !== '/' && path.startsWith(`${home}${sep}`) ? `~${path.slice(home.length)}` : path;
}

export async function runProxy(args: ProxyArgs): Promise<void> {
  const auth = await proxyCredentials(args, process.env, (text) => process.stderr.write(`Warning: ${text}\n`));
  // Never an open proxy: listening off loopback needs credentials.
  const openProxy = () => new ToolError('bad-usage', `--host ${args.host} is not a loopback address: set ${AUTH_ENV}=user:password (or --auth-file FILE), or listen on 127.0.0.1`);
  if (!isLoopbackAddress(args.host) && !auth) throw openProxy();
  const headerTimeout = args['header-timeout'];
  if (headerTimeout !== undefined && !(headerTimeout > 0)) throw new ToolError('bad-usage', '--header-timeout takes a positive number of milliseconds');
  const passthrough = (args.passthrough ?? []).map((text) => {
    const pattern = parsePassthrough(text);
    if (!pattern) throw new ToolError('bad-usage', `--passthrough "${text}": expected host, *.domain, an IP address, with an optional :port`);
    return pattern;
  });
  const clientCerts = (args['upstream-client-cert'] ?? []).map(parseUpstreamClientCert);
  const clientFor = (target: HostPort) => clientCertificateFor(clientCerts, target);
  const network = networkPlan(args);
  const certsDir = findCertsDir(args['certs-dir']);
  const ca = await ensureLocalCa(certsDir);
  const [minter, trust] = await Promise.all([LeafMinter.create(ca), network.trust]);
  // On a first run the CA did not exist yet when the stores were loaded.
  for (const store of [trust.public, trust.system, trust.extra, trust.certifi]) store?.exclude(ca.cert.der);
  const events = new EventBus();
  let handshakes = 0;
  // One run's memory: an issuer re-signing unrelated public hosts is a sign of interception.
  let resigned = EMPTY_RESIGNED;

  // SPEC "Proxy output": the TUI on a terminal unless --no-tui or --json; else NDJSON with --json or
  // when stdout is not a terminal, one line per event with --no-tui. Loaded only when it runs.
  const tuiModule = args.tui && !args.json && process.stdout.isTTY ? await import('../tui/screen.js') : null;
  let tui: Tui | null = null;
  /** Notes and warnings: on stderr, or in the TUI's event log while it owns the terminal. */
  const notify = (level: 'warning' | 'note', text: string) => {
    if (tui) tui.note(level, text);
    else process.stderr.write(`${level === 'warning' ? 'Warning' : 'Note'}: ${oneLine(text)}\n`);
  };
  const sinks: Sink[] = [];
  if (!tuiModule) sinks.push(args.json || !process.stdout.isTTY ? ndjsonSink(process.stdout) : lineSink(process.stdout));
  let logFailed = false;
  if (args.log) {
    sinks.push(
      ndjsonFileSink(args.log, (error) => {
        if (!logFailed) notify('warning', `writing ${args.log} failed (${error.message}); events still go to ${tui ? 'the screen' : 'stdout'}`);
        logFailed = true;
      }),
    );
  }
  for (const sink of sinks) events.subscribe((event) => sink.write(event));
  const evidence = args['evidence-dir'] ? await startSessionEvidence(args['evidence-dir'], events, true) : null;
  let lazyEvidence: Promise<SessionEvidence> | null = null;
  const onEvidence = tuiModule ? evidenceKey(events, () => (evidence ? Promise.resolve(evidence) : (lazyEvidence ??= startSessionEvidence(resolvePath('tlswitness-evidence'), events, false)))) : undefined;
  // http-mitm-proxy writes every error to console.error and then to onError, which publishes it as
  // an `error` event; its console output would only repeat that (and break a TUI), so it is dropped
  // (the TUI routes console output to its event log while the screen is up).
  console.error = console.debug = console.info = console.warn = console.log = () => undefined;

  // Handlers go in before anything listens, so a signal at any point means a clean stop. SIGHUP (the
  // terminal was closed) stops like SIGTERM. A second signal stops at once, the HAR written first.
  let quit: () => void = () => undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      evidence?.flushHarSync();
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
  // A proxy variable pointing at this very proxy (HTTPS_PROXY exported in the same shell) would loop.
  let listeningPort = args.port;
  const reachesThisMachine = (host: string) => {
    const address = canonicalAddress(host);
    return address ? isLoopbackAddress(address) || isUnspecifiedAddress(address) : isLoopbackName(host);
  };
  const isSelf = (proxy: ProxySpec) => proxy.port === listeningPort && (reachesThisMachine(proxy.host) || proxy.host === args.host);
  const proxyFor = (host: string) => {
    const proxy = network.proxyFor(host);
    return proxy && isSelf(proxy) ? null : proxy;
  };
  const server = await ProxyServer.start({
    host: args.host,
    port: args.port,
    policy: { mode: args.mode, passthrough, onUpstreamError: args['on-upstream-error'], completeChains: args['complete-chains'] },
    auth,
    ca,
    minter,
    events,
    observe: async (target, servername) => {
      const gathered = await gatherHandshake({ id: `h-${++handshakes}`, target, servername, resolve: network.resolve, proxy: proxyFor(target.host), minVersion: network.minVersion, maxVersion: 'TLSv1.3', alpn: ['http/1.1'], client: clientFor(target), timeoutMs: network.timeoutMs, fetchMissing: args['complete-chains'] }, trust);
      // Judged on the memory as it is now, and the memory after it kept in the same synchronous step.
      const judged = judgeHandshake(gathered, resigned);
      resigned = judged.resigned;
      return judged.record;
    },
    upstream: { resolve: network.resolve, proxyFor, minVersion: network.minVersion, timeoutMs: network.timeoutMs, clientFor, anchors: () => anchorPems(trust) },
    limits: headerTimeout ? { headerTimeoutMs: headerTimeout } : {},
    ...(evidence ? { exchanges: (exchange) => evidence.exchange(exchange) } : {}),
    collectGarbage: fullGc() ?? undefined,
  });
  listeningPort = server.port;
  // A `*.localhost` name passes as loopback by name, but the hosts file or a resolver can point it
  // anywhere: the address it bound decides.
  if (!auth && !isLoopbackAddress(server.boundAddress)) {
    await server.close();
    throw openProxy();
  }
  const upstreamProbe = network.proxyFor('tlswitness.invalid');
  let selfNote: string | null = null;
  if (upstreamProbe && isSelf(upstreamProbe)) {
    if (upstreamProbe.via === 'upstream-proxy') {
      await server.close();
      throw new ToolError('bad-usage', `--upstream-proxy ${upstreamProbe.display} is this proxy itself: that would loop`);
    }
    selfNote = `ignoring the proxy in HTTPS_PROXY/ALL_PROXY (${upstreamProbe.display}): it is this tlswitness itself`;
  }
  const address = `http://${formatHostPort({ host: args.host, port: server.port })}`;
  const mode = `${args.mode}${passthrough.length ? `, ${passthrough.length} passthrough pattern(s)` : ''}${args['on-upstream-error'] === 'tunnel' ? ', failing hosts tunnelled' : ''}`;
  if (tuiModule) {
    // The header shows what the banner would; nothing is written behind the screen's back.
    tui = tuiModule.startTui({ info: { address, mode, certsDir: tildify(certsDir), caPath: tildify(ca.paths.cert) }, onQuit: () => quit(), onEvidence });
    const screen = tui;
    events.subscribe((event) => screen.write(event));
  } else {
    process.stderr.write(
      [
        `tlswitness proxy listening on ${address} (${mode}); CA ${ca.paths.cert}`,
        `  point an app at it:  export HTTPS_PROXY=${address} HTTP_PROXY=${address}`,
        `  and trust its CA:    eval "$(tlswitness ca env --proxy ${address})"   (or curl --cacert ${quotePosix(ca.paths.cert)})`,
        '',
      ].join('\n'),
    );
  }
  if (selfNote) notify('note', selfNote);

  await stopped;
  // The HAR as it is at the signal, at once; then the terminal (the user sees the shell again), then
  // the proxy (in-flight exchanges finish within a short grace period; a second signal stops at once),
  // then the HAR with those exchanges, and the log.
  void evidence?.flushHar();
  await tui?.close();
  tui = null;
  await server.shutdown();
  const har = await evidence?.close();
  if (har) process.stderr.write(`Wrote the session's HAR to ${har}\n`);
  await Promise.all(sinks.map((sink) => sink.close()));
  for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
}

/** Where bundles go: --evidence-dir, checked writable before the proxy listens (TUI's `e` without it: ./tlswitness-evidence). */
async function startSessionEvidence(dir: string, events: EventBus, automatic: boolean): Promise<SessionEvidence> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new ToolError('unreadable-file', `--evidence-dir ${dir}: not a writable directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const { SessionEvidence } = await import('../report/session-evidence.js');
  const evidence = new SessionEvidence(
    dir,
    (record, path) => events.publish({ type: 'evidence', time: new Date().toISOString(), host: record.target.host, port: record.target.port, problem: record.diagnosis.problem, path }),
    (message) => events.publish(errorEvent('EVIDENCE_FAILED', message)),
  );
  if (automatic) {
    events.subscribe((event) => {
      if (event.type === 'handshake') evidence.record(event);
    });
  }
  return evidence;
}

/** The TUI's `e`: a bundle for the selected host's latest record, written where --evidence-dir says. */
function evidenceKey(events: EventBus, sessionEvidence: () => Promise<SessionEvidence>): (hostKey: string) => Promise<void> {
  const latest = new Map<string, HandshakeRecord>();
  events.subscribe((event) => {
    if (event.type !== 'handshake') return;
    const key = formatHostPort({ host: event.target.host.toLowerCase(), port: event.target.port });
    latest.delete(key);
    latest.set(key, event);
    // Bounded like the TUI's rows: the oldest hosts go first.
    if (latest.size > 2000) latest.delete(latest.keys().next().value!);
  });
  return async (hostKey) => {
    const record = latest.get(hostKey);
    if (!record) throw new Error(`no TLS handshake recorded for ${hostKey} (plain HTTP has no certificate to show)`);
    // Its path is announced by the `evidence` event the bundle publishes.
    const path = await (await sessionEvidence()).bundle(record);
    if (!path) throw new Error('see the error above');
  };
}
