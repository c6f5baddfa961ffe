// One upstream TLS connection for the MITM's traffic, to the CONNECT target (not the Host header) with
// the app's name as SNI, handed over only when OpenSSL verified it itself (chain against the same
// anchors as the record, plus the name the app asked for: SPEC "What `block` blocks"); the record
// only explains, and a record that disagrees with OpenSSL about this very leaf is reported and refused.
// A connection to a host not recorded yet records it: its own handshake, read through a TrafficTap, is
// what the record is made of, so a new host costs one handshake, not a probe and then this one.
import { connect as tlsConnect, type PeerCertificate, type SecureVersion, type TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { formatHostPort } from '../host-port.js';
import { ConnectError, type Connection, type ProxySpec } from '../net/connector.js';
import type { ResolveMap } from '../net/target.js';
import { connectionFacts } from '../tls/connection-facts.js';
import type { Sighting } from '../tls/observe-target.js';
import type { ClientCredentials } from '../tls/probe.js';
import { TrafficTap } from '../tls/traffic-tap.js';
import { WireTap } from '../tls/wire-tap.js';
import type { HandshakeRecord, HostPort, OpensslVerdict } from '../types.js';
import type { TrustContext } from '../diagnose/chain-judgement.js';
import type { HostRecorder } from './host-recorder.js';
import { amendedRecord, describeVerdict, gateDecision, opensslVerdict, UpstreamRefusal } from './openssl-gate.js';
import { handshakeEnd } from './handshake-end.js';
import { recordLeafAgain } from './leaf-rerecord.js';
import { unrecordedLeafRefusal } from './unrecorded-leaf.js';
import { asFault } from './internal-fault.js';
import { cutWhenSilent } from './plain-agent.js';
import { takeConnection } from './upstream-ahead.js';
import { completion, type UpstreamContexts } from './upstream-contexts.js';
import type { UpstreamName } from './upstream-name.js';

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
  anchors(): string[] | Promise<string[]>;
  /** Upstream silence during an exchange before it is cut (ProxyLimits.responseTimeoutMs). */
  responseTimeoutMs: number;
  /** Told when OpenSSL and the record disagree about a connection's leaf (the request is refused either way). */
  disagreed?(disagreement: Disagreement): void;
  /** This machine's OpenSSL security level, as records are judged at (TrustContext); null or absent: unknown. */
  opensslLevel?(): number | null;
  /** The stores records are judged against (null or absent: not loaded), to rebuild the path OpenSSL verified. */
  trust?(): TrustContext | null;
}

export interface DialParts {
  upstream: UpstreamOptions;
  contexts: UpstreamContexts;
  /** Connections still being dialled (destroyed when the agent is), and whether it is. */
  dialling: Set<{ destroy(): void }>;
  closed: boolean;
  /** The byte tap under each connection that recorded its host. */
  taps: WeakMap<object, WireTap>;
  /** TCP connections opened ahead of their dial (upstream-ahead.ts), by host:port. */
  ahead: Map<string, Promise<Connection>>;
}

/**
 * The leaf as Node handed it to checkServerIdentity at the end of each handshake OpenSSL verified: Node
 * builds that object anyway, and the gate's name check reads it rather than building another (~0.2 ms).
 */
const shownLeaves = new WeakMap<TLSSocket, PeerCertificate>();

/** How a dial's connection relates to the host's record. */
interface Recording {
  /** The record is made from this connection's handshake: `see` gets what it showed. */
  records: boolean;
  /** When the dial started. */
  time: Date;
  see(sighting: Sighting | null): void;
  /** The host's record: made from this handshake, or the recorder's. */
  recording: Promise<HandshakeRecord | undefined>;
}

/**
 * Connects and hands over only a connection that OpenSSL verified (see the header). With `records`,
 * the host's record is made from this connection's handshake (the recorder waits for it); else the
 * recorder's record is used, probed again meanwhile when older than its TTL.
 */
export async function dialUpstream(
  parts: DialParts,
  target: HostPort,
  name: UpstreamName,
  records: boolean,
  alpn: string[] = ['http/1.1'],
): Promise<TLSSocket> {
  const { upstream } = parts;
  const time = new Date();
  let see: (sighting: Sighting | null) => void = () => undefined;
  const seen = records ? new Promise<Sighting | null>((resolve) => (see = resolve)) : undefined;
  const recording = (
    seen ? upstream.recorder.refresh(target, name.recordAs, seen) : upstream.recorder.record(target, name.recordAs)
  ).then(
    (record): HandshakeRecord | undefined => record,
    () => undefined,
  );
  let connection: Connection;
  try {
    if (parts.closed) throw new Error('the proxy is closing');
    const taken = takeConnection(parts, target);
    connection = taken instanceof Promise ? await taken : taken;
  } catch (error) {
    see(error instanceof ConnectError ? { time, connectFailure: error } : null);
    throw error;
  }
  if (parts.closed) {
    connection.socket.destroy();
    throw new Error('the proxy is closing');
  }
  parts.dialling.add(connection.socket);
  try {
    return await secureUpstream(parts, connection, target, name, { records, time, see, recording }, alpn);
  } catch (error) {
    // Whatever threw (a bug too), nothing is left waiting: the connection is closed, and a record waiting
    // for this handshake is made by a probe (`see` twice is a no-op), else the host's recording never ends.
    connection.socket.destroy();
    see(null);
    throw asFault('the upstream dial', error);
  } finally {
    parts.dialling.delete(connection.socket);
  }
}

/** The TLS handshake on a connection, then the gate (after the record it makes, with `recording`). */
async function secureUpstream(
  parts: DialParts,
  connection: Connection,
  target: HostPort,
  name: UpstreamName,
  { records, time, see, recording }: Recording,
  alpn: string[],
): Promise<TLSSocket> {
  const { upstream } = parts;
  // A stale verdict (and the intermediates it fetched) must not decide this connection: wait for the new one.
  const recorded = records ? undefined : await upstream.recorder.judging(target, name.recordAs);
  // A throw from here on closes the connection (and the TLS socket on it) in dialUpstream.
  const anchorsLoading = parts.contexts.ready();
  if (anchorsLoading) await anchorsLoading;
  const links = recorded ? completion(recorded, upstream.accepts(recorded)) : null;
  const secureContext = parts.contexts.contextFor(upstream.clientFor(target), links);
  const tap = records ? new TrafficTap(connection) : null;
  const socket = tlsConnect({
    socket:
      tap?.stream ??
      (connection.head.length ? new WireTap(connection.socket, connection.head, true) : connection.socket),
    secureContext,
    // The SNI the recording sent: the app's name (see upstream-name.ts), never the Host header.
    servername: name.servername ?? undefined,
    // What the app's side can carry: the HTTP/2 front offers h2 too (h2-upstream.ts).
    ALPNProtocols: alpn,
    // The verdict is read below, so that a refusal can say why (and a disagreement be reported).
    rejectUnauthorized: false,
    // `authorized` then says what OpenSSL thinks of the chain alone; the name is checked below, for
    // the name the app asked for (Node would check servername, or the socket's host, or "localhost").
    checkServerIdentity: (_name, leaf) => void shownLeaves.set(socket, leaf),
  });
  tap?.watch(socket);
  const end = await handshakeEnd(socket, upstream.timeoutMs);
  if (end) {
    if (tap) see({ time, connection, probe: tap.result(end) });
    throw 'error' in end
      ? end.error
      : new Error(`no TLS handshake with ${formatHostPort(target)} within ${upstream.timeoutMs} ms`);
  }
  if (tap) {
    const probe = tap.result(null);
    // A server that asks for a client certificate is recorded by the probe, which waits to see whether
    // it refuses the session without one; a connection that is to carry requests cannot.
    see(probe.flight.certificateRequest ? null : { time, connection, probe });
  }
  if (!tap) return gate(parts, socket, target, name, recorded);
  const passed = await afterRecord(parts, socket, target, name, recording);
  if (passed === socket) parts.taps.set(socket, tap.stream);
  return passed;
}

/**
 * The connection that recorded its host, gated once the blocking checks passed on what it showed and
 * OpenSSL agrees (the record is made after its first response), else once the record is made (a few
 * ms of CPU, or an AIA fetch).
 */
async function afterRecord(
  parts: DialParts,
  socket: TLSSocket,
  target: HostPort,
  name: UpstreamName,
  recording: Promise<HandshakeRecord | undefined>,
): Promise<TLSSocket> {
  // Until a request takes it, an error on it (a reset) is nobody's; a closed one is not handed over.
  const ignore = () => undefined;
  socket.on('error', ignore);
  const verdict = await parts.upstream.recorder.verdict(target, name.recordAs).catch(() => null);
  const shown = verdict && 'passed' in verdict && !socket.destroyed ? shownBy(socket, name) : null;
  if (shown?.openssl.ok) {
    socket.off('error', ignore);
    cutWhenSilent(socket, formatHostPort(target), parts.upstream.responseTimeoutMs);
    return socket;
  }
  // OpenSSL refuses what the blocking checks passed (a disagreement), or they did not pass: the record decides.
  const record = await recording;
  socket.off('error', ignore);
  // --complete-chains: a chain only AIA completes needs those intermediates in OpenSSL's context.
  if (record && completion(record, parts.upstream.accepts(record))) {
    socket.destroy();
    return dialUpstream(parts, target, name, false);
  }
  if (socket.destroyed) throw new Error(`the upstream ${formatHostPort(target)} closed the connection`);
  return gate(parts, socket, target, name, record, shown ?? undefined);
}

/** The leaf a connection showed and OpenSSL's verdict on it, for the name the app asked for. */
interface Shown {
  peer: X509Certificate | undefined;
  openssl: OpensslVerdict;
}

function shownBy(socket: TLSSocket, name: UpstreamName): Shown {
  // Read once: a second getPeerX509Certificate() call on this socket came back undefined (Node 20).
  const peer = socket.getPeerX509Certificate();
  const leaf = peer ? (shownLeaves.get(socket) ?? peer.toLegacyObject()) : null;
  return { peer, openssl: opensslVerdict(connectionFacts(socket, name.checked, leaf)) };
}

/** OpenSSL's verdict on the connection, against the record about it: the socket, or an UpstreamRefusal. */
function gate(
  { upstream }: DialParts,
  socket: TLSSocket,
  target: HostPort,
  name: UpstreamName,
  recorded: HandshakeRecord | undefined,
  { peer, openssl }: Shown = shownBy(socket, name),
): TLSSocket {
  cutWhenSilent(socket, formatHostPort(target), upstream.responseTimeoutMs);
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
  // Load balancers rotate certificates: a leaf not recorded is recorded again, and judged by OpenSSL and by
  // the security levels its record will be (Node's level 1 accepts an RSA-1024 key that curl refuses).
  const unrecorded = decision.pass && !sameLeaf;
  if (unrecorded) recordLeafAgain(upstream.recorder, target, name.recordAs, peer?.fingerprint256, !record);
  const weak = unrecorded && unrecordedLeafRefusal(shownLeaves.get(socket), peer, upstream, name.checked, openssl);
  if (decision.pass && !weak) return socket;
  socket.destroy();
  if (weak) throw weak;
  const message = openssl.ok
    ? `the recorded verdict (${describeVerdict(record!.verification)}) refuses the chain OpenSSL accepts for ${name.checked}`
    : `OpenSSL refused the upstream certificate for ${name.checked} (${describeVerdict(openssl)}; leaf ${peer?.fingerprint256 ?? 'none'})`;
  // The block page shows the record about this leaf, with OpenSSL's verdict.
  const shown =
    amended ?? (record && sameLeaf ? { ...record, verification: { ...record.verification, openssl } } : null);
  throw new UpstreamRefusal(message, openssl, shown);
}
