// The https.Agent the MITM forwards requests with. It dials the CONNECT target (not the Host
// header) through the same connector as `inspect`, with the app's name as SNI, and hands a request
// only a connection that OpenSSL itself verified for that name against the same anchors as the
// record (SPEC "What `block` blocks"); the record explains, it never lets a connection through alone.
import { X509Certificate } from 'node:crypto';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import {
  connect as tlsConnect,
  createSecureContext,
  type SecureContext,
  type SecureVersion,
  type TLSSocket,
} from 'node:tls';
import { openConnection, type ProxySpec } from '../net/connector.js';
import type { ResolveMap } from '../net/target.js';
import { formatHostPort } from '../host-port.js';
import type { ClientCredentials } from '../tls/probe.js';
import { WireTap } from '../tls/wire-tap.js';
import type { HostRecorder } from './host-recorder.js';
import { amendedRecord, describeVerdict, gateDecision, opensslVerdict, UpstreamRefusal } from './openssl-gate.js';
import { connectionFacts } from '../tls/connection-facts.js';
import { cutWhenSilent } from './plain-agent.js';
import { upstreamName, type UpstreamName } from './upstream-name.js';
import type { HandshakeRecord, HostPort, OpensslVerdict } from '../types.js';

/** A record about a live connection's very leaf that OpenSSL contradicted. */
export interface Disagreement {
  target: HostPort;
  /** The name the record is kept under (HostRecorder), undefined for the host's default. */
  recordAs: string | undefined;
  record: HandshakeRecord;
  /** The record with OpenSSL's verdict in it, as the app is shown it. */
  amended: HandshakeRecord;
  openssl: OpensslVerdict;
  /** What the record said: it accepted (and OpenSSL refused), or the reverse. */
  recordAccepts: boolean;
}

export interface UpstreamOptions {
  resolve: ResolveMap;
  proxyFor(host: string): ProxySpec | null;
  minVersion: SecureVersion;
  timeoutMs: number;
  recorder: HostRecorder;
  /** Whether a recorded upstream may be used (verified, or completed by AIA with --complete-chains). */
  accepts(record: HandshakeRecord): boolean;
  /** The client certificate to present to this upstream (--upstream-client-cert), if any. */
  clientFor(target: HostPort): ClientCredentials | null;
  /** Every trust anchor (public, system, extra; never the local CA), for OpenSSL to verify a traffic connection itself. */
  anchors(): string[];
  /** Upstream silence during an exchange before it is cut (ProxyLimits.responseTimeoutMs). */
  responseTimeoutMs: number;
  /** Told when OpenSSL and the record disagree about a connection's leaf (the request is refused either way). */
  disagreed?(disagreement: Disagreement): void;
}

interface ConnectionOptions {
  host?: string;
  port?: number | string;
  /** The app's name, set by the proxy on every request ('' for none); Node's pool key includes it. */
  servername?: string;
}

/** How long a connection opened ahead of the first request waits for it. */
const PRECONNECT_TTL_MS = 5_000;
/** Contexts with fetched intermediates (--complete-chains) kept: one per distinct set, as each costs as much as the default. */
const MAX_LINK_CONTEXTS = 64;

/** The early-connection key: host:port and the name. */
const earlyKey = (target: HostPort, name: UpstreamName) => `${formatHostPort(target)}#${name.servername ?? ''}`;

export class UpstreamAgent extends Agent {
  /**
   * One SecureContext per client identity, built once: passing `ca` to tls.connect() builds a context
   * per connection, and parsing every anchor (Mozilla's roots plus the OS store) took 36-70 ms of
   * event-loop time for each new upstream connection.
   */
  private defaultContext: SecureContext | null = null;
  private readonly clientContexts = new WeakMap<ClientCredentials, SecureContext>();
  /** Contexts that also hold a host's fetched intermediates, by client identity and those PEMs; oldest dropped first. */
  private readonly linkContexts = new Map<string, SecureContext>();
  private readonly clientIds = new WeakMap<ClientCredentials, number>();
  private nextClientId = 1;

  constructor(
    private readonly upstream: UpstreamOptions,
    options: AgentOptions = {},
  ) {
    // Idle upstream connections kept per host: with 64, a burst of 1,000 app connections to one host
    // closed and reopened hundreds of upstream TLS sessions (the load test's fd count swung by 500).
    super({ keepAlive: true, maxFreeSockets: 256, timeout: upstream.responseTimeoutMs, ...options });
  }

  /**
   * The context for connections with this client identity (none: the shared default). A host whose
   * chain only AIA completes (--complete-chains) gets one of its own, cached: the fetched
   * intermediates as links, and only the store certificates its recorded path ends in (a context
   * with every anchor costs 40-100 ms to build; a subset of the record's anchors is never more permissive).
   */
  contextFor(client: ClientCredentials | null, completion: Completion | null = null): SecureContext {
    const links = completion?.links ?? [];
    const build = () =>
      createSecureContext({
        // OpenSSL verifies each connection against the same anchors as the record (never the local CA).
        ca: completion
          ? [...(completion.anchors.length ? completion.anchors : this.upstream.anchors()), ...links]
          : this.upstream.anchors(),
        minVersion: this.upstream.minVersion,
        // TLS 1.0/1.1 (--tls-min, asked for explicitly) only work at OpenSSL 3's security level 0, as in the probe.
        ...(this.upstream.minVersion === 'TLSv1' || this.upstream.minVersion === 'TLSv1.1'
          ? { ciphers: 'DEFAULT@SECLEVEL=0' }
          : {}),
        ...(client
          ? client.pfx
            ? { pfx: client.pfx, passphrase: client.passphrase }
            : { cert: client.cert, key: client.key }
          : {}),
      });
    if (completion) {
      let id = 0;
      if (client) {
        id = this.clientIds.get(client) ?? this.nextClientId++;
        this.clientIds.set(client, id);
      }
      const key = `${id}\n${links.join('')}\n${completion.anchors.join('')}`;
      let context = this.linkContexts.get(key);
      if (context) this.linkContexts.delete(key);
      else context = build();
      this.linkContexts.set(key, context);
      if (this.linkContexts.size > MAX_LINK_CONTEXTS) this.linkContexts.delete(this.linkContexts.keys().next().value!);
      return context;
    }
    if (!client) return (this.defaultContext ??= build());
    let context = this.clientContexts.get(client);
    if (!context) this.clientContexts.set(client, (context = build()));
    return context;
  }

  /**
   * Upstream connections opened ahead of the first request (see preconnect), by host:port. A new
   * host's first request then finds its connection already through the TLS handshake.
   */
  private readonly early = new Map<string, Promise<TLSSocket>>();

  /** Starts an upstream connection now, while the app is still in its handshake with the proxy. */
  preconnect(target: HostPort, name: UpstreamName): void {
    const key = earlyKey(target, name);
    const pooled = `${formatHostPort(target)}:`;
    if (
      this.early.has(key) ||
      Object.keys(this.freeSockets).some(
        (pool) => pool.startsWith(pooled) && (name.servername === null || pool.includes(`:${name.servername}:`)),
      )
    )
      return;
    const dialing = this.dial(target.host, target.port, name);
    this.early.set(key, dialing);
    // Until a request takes it, an error on it (a reset, a TLS 1.3 alert after the handshake) is
    // nobody's; the request's own listener reports it once handed over.
    dialing.then(
      (socket) => socket.on('error', () => undefined),
      () => undefined,
    );
    // Not taken in time (the app went away): closed, never handed out stale.
    setTimeout(() => {
      if (this.early.get(key) !== dialing) return;
      this.early.delete(key);
      dialing.then(
        (socket) => socket.destroy(),
        () => undefined,
      );
    }, PRECONNECT_TTL_MS).unref();
  }

  override createConnection(
    options: ConnectionOptions,
    callback: (error: Error | null, socket?: Duplex) => void,
  ): undefined {
    const host = String(options.host).replace(/^\[|\]$/g, '');
    const port = Number(options.port);
    const name = upstreamName({ host, port }, options.servername || null);
    if (!name) {
      callback(
        new Error(
          `${formatHostPort({ host, port })}: ${JSON.stringify(options.servername)} is not a name a certificate can be checked for`,
        ),
      );
      return undefined;
    }
    const key = earlyKey({ host, port }, name);
    let dialing = this.early.get(key);
    if (dialing) this.early.delete(key);
    else dialing = this.dial(host, port, name);
    dialing.then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error),
    );
    return undefined;
  }

  /**
   * OpenSSL's verdict on a fresh connection to a host whose record blocks it: the record with that
   * verdict in it (a disagreement is reported as for any connection), for the block page.
   */
  async crossCheck(target: HostPort, name: UpstreamName, record: HandshakeRecord): Promise<HandshakeRecord> {
    try {
      // Passing means another leaf than the recorded one (it is recorded again): the record stays as it is.
      (await this.dial(target.host, target.port, name)).destroy();
      return record;
    } catch (error) {
      return error instanceof UpstreamRefusal && error.record ? error.record : record;
    }
  }

  override destroy(): void {
    for (const dialing of this.early.values())
      dialing.then(
        (socket) => socket.destroy(),
        () => undefined,
      );
    this.early.clear();
    super.destroy();
  }

  /**
   * Connects and hands over only a connection that OpenSSL verified itself (chain against the
   * anchors, plus the name the app asked for); the record of this host only explains, and a record
   * that disagrees with OpenSSL about this very leaf is reported and refused (see openssl-gate.ts).
   * `alpn`: what the connection offers; the HTTP/2 front offers h2 too (h2-upstream.ts).
   */
  dial(host: string, port: number, name: UpstreamName, alpn: string[] = ['http/1.1']): Promise<TLSSocket> {
    const { upstream } = this;
    const target = { host, port };
    const where = formatHostPort(target);
    return new Promise((resolve, reject) => {
      // The host's record, probed again meanwhile when it is older than the recorder's TTL: a stale
      // verdict (and the intermediates it fetched) must not decide this connection.
      const recording = upstream.recorder.record(target, name.recordAs).catch(() => undefined);
      Promise.all([
        openConnection({
          host,
          port,
          resolve: upstream.resolve,
          proxy: upstream.proxyFor(host),
          timeoutMs: upstream.timeoutMs,
        }),
        recording,
      ]).then(([connection, recorded]) => {
        let secureContext: SecureContext;
        try {
          secureContext = this.contextFor(
            upstream.clientFor(target),
            recorded ? completion(recorded, upstream.accepts(recorded)) : null,
          );
        } catch (error) {
          connection.socket.destroy();
          reject(error as Error);
          return;
        }
        const socket = tlsConnect({
          socket: connection.head.length ? new WireTap(connection.socket, connection.head) : connection.socket,
          secureContext,
          // The SNI the recording sent: the app's name (see upstream-name.ts), never the Host header.
          servername: name.servername ?? undefined,
          ALPNProtocols: alpn,
          // The verdict is read below, so that a refusal can say why (and a disagreement be reported).
          rejectUnauthorized: false,
          // `authorized` then says what OpenSSL thinks of the chain alone; the name is checked below, for
          // the name the app asked for (Node would check servername, or the socket's host, or "localhost").
          checkServerIdentity: () => undefined,
        });
        const deadline = setTimeout(
          () => fail(new Error(`no TLS handshake with ${where} within ${upstream.timeoutMs} ms`)),
          upstream.timeoutMs,
        );
        const fail = (error: Error) => {
          clearTimeout(deadline);
          socket.destroy();
          reject(error);
        };
        socket.once('error', fail);
        socket.once('secureConnect', () => {
          clearTimeout(deadline);
          socket.off('error', fail);
          cutWhenSilent(socket, where, upstream.responseTimeoutMs);
          // Read once: a second getPeerX509Certificate() call on this socket came back undefined (Node 20).
          const peer = socket.getPeerX509Certificate();
          const openssl = opensslVerdict(connectionFacts(socket, name.checked, peer ? peer.toLegacyObject() : null));
          // The record as it is now (a probe may have finished while this connection was dialled).
          const record = upstream.recorder.cached(target, name.recordAs) ?? recorded;
          const sameLeaf = !!record && !!peer && record.chain[0]?.sha256 === peer.fingerprint256;
          const recordAccepts = record ? upstream.accepts(record) : null;
          const decision = gateDecision(
            openssl,
            recordAccepts,
            sameLeaf,
            record?.verification.ok === true && record.diagnosis.problem === 'weak-crypto',
          );
          const amended = record && sameLeaf && decision.disagreement ? amendedRecord(record, openssl) : null;
          if (record && amended)
            upstream.disagreed?.({
              target,
              recordAs: name.recordAs,
              record,
              amended,
              openssl,
              recordAccepts: recordAccepts === true,
            });
          if (decision.pass) {
            // Servers behind a load balancer rotate certificates: another leaf than the recorded one is
            // judged by OpenSSL alone, and recorded again in the background.
            if (!sameLeaf) upstream.recorder.refresh(target, name.recordAs).catch(() => undefined);
            resolve(socket);
            return;
          }
          socket.destroy();
          const message = openssl.ok
            ? `the recorded verdict (${describeVerdict(record!.verification)}) refuses the chain OpenSSL accepts for ${name.checked}`
            : `OpenSSL refused the upstream certificate for ${name.checked} (${describeVerdict(openssl)}; leaf ${peer?.fingerprint256 ?? 'none'})`;
          // The block page shows the record about this leaf, with OpenSSL's verdict.
          const shown =
            amended ?? (record && sameLeaf ? { ...record, verification: { ...record.verification, openssl } } : null);
          reject(new UpstreamRefusal(message, openssl, shown));
        });
      }, reject);
    });
  }
}

/** What a --complete-chains context holds besides the defaults. */
interface Completion {
  /** The intermediates fetched from AIA. */
  links: string[];
  /** The store certificates the completed path ends in (empty: every anchor). */
  anchors: string[];
}

/**
 * With --complete-chains, the intermediates fetched from AIA for a record that passes only because
 * they complete it: OpenSSL gets them for this host's connections, as links. Without
 * X509_V_FLAG_PARTIAL_CHAIN (Node does not set it) OpenSSL takes a store certificate that is not
 * self-issued only as a step towards a self-signed anchor, never as an anchor itself.
 */
function completion(record: HandshakeRecord, accepted: boolean): Completion | null {
  const fetched = record.chainAnalysis.fetched;
  if (!accepted || record.verification.ok || !fetched?.completesChain) return null;
  // A self-issued certificate in the store would be an anchor (OpenSSL does not even check a
  // self-signed anchor's signature by default): what a URL in the server's certificate served is never one.
  const links = (fetched.pems ?? []).filter((pem) => {
    const cert = new X509Certificate(pem);
    return !sameName(cert.subject, cert.issuer);
  });
  return links.length ? { links, anchors: fetched.anchorPems ?? [] } : null;
}

/** Names compared roughly as OpenSSL does (case-folded, white space collapsed); erring towards "same" only excludes more. */
function sameName(a: string, b: string): boolean {
  const fold = (name: string) => name.toLowerCase().replace(/\s+/g, ' ').trim();
  return fold(a) === fold(b);
}
