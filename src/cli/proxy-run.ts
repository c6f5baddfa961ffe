// The proxy run behind `tlswitness proxy`, loaded on demand so other commands do not pay for
// http-mitm-proxy, ws and node-forge at start-up.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { findCertsDir } from '../ca/certs-dir.js';
import { LeafMinter } from '../ca/leaf-minter.js';
import { ensureLocalCa } from '../ca/local-ca.js';
import { ToolError } from '../errors.js';
import { EventBus } from '../events.js';
import { formatHostPort } from '../net/target.js';
import { parsePassthrough } from '../proxy/policy.js';
import { parseProxyAuth } from '../proxy/proxy-auth.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { clientCertificateFor, parseUpstreamClientCert } from '../proxy/client-certificates.js';
import type { HostPort } from '../net/target.js';
import { lineSink, ndjsonFileSink, ndjsonSink, type Sink } from '../report/event-sinks.js';
import { observeHandshake } from '../tls/observe.js';
import { anchorPems } from '../tls/handshake-record.js';
import { networkPlan } from './connect-options.js';
import type { ProxyArgs } from './proxy.js';
import type { ProxySpec } from '../net/connector.js';
import type { SessionEvidence } from '../report/session-evidence.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

export async function runProxy(args: ProxyArgs): Promise<void> {
  // Never an open proxy: listening off loopback needs credentials.
  if (!LOOPBACK.test(args.host) && !args.auth) throw new ToolError('bad-usage', `--host ${args.host} is not a loopback address: add --auth user:password, or listen on 127.0.0.1`);
  const auth = args.auth ? parseProxyAuth(args.auth) : null;
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new ToolError('bad-usage', `--port ${args.port} is not a port number`);
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
  for (const store of [trust.public, trust.system, trust.extra]) store?.exclude(ca.cert.der);
  const events = new EventBus();
  let handshakes = 0;
  // One run's memory: an issuer re-signing unrelated public hosts is a sign of interception.
  const resigned = new Map<string, Set<string>>();

  const sinks: Sink[] = [];
  // SPEC "Proxy output": NDJSON with --json or when stdout is not a terminal; else lines (no TUI yet).
  sinks.push(args.json || !process.stdout.isTTY ? ndjsonSink(process.stdout) : lineSink(process.stdout));
  let logFailed = false;
  if (args.log) {
    sinks.push(
      ndjsonFileSink(args.log, (error) => {
        if (!logFailed) process.stderr.write(`Warning: writing ${args.log} failed (${error.message}); events still go to stdout\n`);
        logFailed = true;
      }),
    );
  }
  for (const sink of sinks) events.subscribe((event) => sink.write(event));
  const evidence = args['evidence-dir'] ? await startSessionEvidence(args['evidence-dir'], events) : null;
  // http-mitm-proxy writes every error to console.error and then to onError, which publishes it as
  // an `error` event; its console output would only repeat that (and break a TUI), so it is dropped.
  console.error = console.debug = console.info = console.warn = console.log = () => undefined;

  // Handlers go in before anything listens, so a signal at any point means a clean stop.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // A proxy variable pointing at this very proxy (HTTPS_PROXY exported in the same shell) would loop.
  let listeningPort = args.port;
  const isSelf = (proxy: ProxySpec) => proxy.port === listeningPort && (LOOPBACK.test(proxy.host) || proxy.host === args.host);
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
    observe: (target) => observeHandshake({ id: `h-${++handshakes}`, target, resolve: network.resolve, proxy: proxyFor(target.host), minVersion: network.minVersion, maxVersion: 'TLSv1.3', alpn: ['http/1.1'], client: clientFor(target), timeoutMs: network.timeoutMs, fetchMissing: args['complete-chains'], resigned }, trust),
    upstream: { resolve: network.resolve, proxyFor, minVersion: network.minVersion, timeoutMs: network.timeoutMs, clientFor, anchors: () => anchorPems(trust) },
    limits: headerTimeout ? { headerTimeoutMs: headerTimeout } : {},
    ...(evidence ? { exchanges: (exchange) => evidence.exchange(exchange) } : {}),
  });
  listeningPort = server.port;
  const upstreamProbe = network.proxyFor('tlswitness.invalid');
  if (upstreamProbe && isSelf(upstreamProbe)) {
    if (upstreamProbe.via === 'upstream-proxy') {
      await server.close();
      throw new ToolError('bad-usage', `--upstream-proxy ${upstreamProbe.display} is this proxy itself: that would loop`);
    }
    process.stderr.write(`Note: ignoring the proxy in HTTPS_PROXY/ALL_PROXY (${upstreamProbe.display}): it is this tlswitness itself\n`);
  }
  const address = `http://${formatHostPort({ host: isIP(args.host) === 6 ? args.host : args.host, port: server.port })}`;
  process.stderr.write(
    [
      `tlswitness proxy listening on ${address} (${args.mode}${passthrough.length ? `, ${passthrough.length} passthrough pattern(s)` : ''}); CA ${ca.paths.cert}`,
      `  point an app at it:  export HTTPS_PROXY=${address} HTTP_PROXY=${address}`,
      `  and trust its CA:    eval "$(tlswitness ca env --proxy ${address})"   (or curl --cacert ${ca.paths.cert})`,
      '',
    ].join('\n'),
  );

  await stopped;
  // In-flight exchanges finish (a short grace period) before the sinks flush; a second signal kills.
  await server.shutdown();
  const har = await evidence?.close();
  if (har) process.stderr.write(`Wrote the session's HAR to ${har}\n`);
  await Promise.all(sinks.map((sink) => sink.close()));
}

/** --evidence-dir: checked writable before the proxy listens; bundles are announced as events. */
async function startSessionEvidence(dir: string, events: EventBus): Promise<SessionEvidence> {
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
    (message) => events.publish({ type: 'error', time: new Date().toISOString(), code: 'EVIDENCE_FAILED', message }),
  );
  events.subscribe((event) => {
    if (event.type === 'handshake') evidence.record(event);
  });
  return evidence;
}

