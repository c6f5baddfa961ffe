// The socket half of a handshake record: reach the target (direct or through a proxy) and probe its
// TLS handshake, as data; judging what was seen is the record stage's job (record/observe.ts).
import type { SecureVersion } from 'node:tls';
import { ConnectError, openConnection, type Connection, type ProxySpec } from '../net/connector.js';
import { ipFamily } from '../ip.js';
import type { ResolveMap } from '../net/target.js';
import { TlswitnessError } from '../errors.js';
import type { Failure, HostPort, Target, Via } from '../types.js';
import {
  ClientCredentialsError,
  probeTls,
  type ClientCredentials,
  type ProbeAnchors,
  type ProbeOptions,
  type ProbeResult,
} from './probe.js';

export interface TargetRequest {
  id: string;
  target: HostPort;
  /** SNI and the name checked; undefined means the host (none for an IP address). */
  servername?: string;
  resolve: ResolveMap;
  proxy: ProxySpec | null;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  alpn: string[];
  client: ClientCredentials | null;
  timeoutMs: number;
  /**
   * When the server asks for a client certificate, none is given (or one from a CA it did not name)
   * and the handshake survives, send `HEAD /` on that connection to learn whether it enforces it
   * (`--no-http-probe` turns it off).
   */
  httpProbe?: boolean;
  /**
   * Called once the handshake has begun (the ClientHello is on its way), could not (the connection failed), or
   * the connection is slow (two turns of the event loop): work that waits for it (inspect's loading of the
   * stores) then overlaps the server's answer. It is called more than once (a promise's resolve, say).
   */
  begun?: () => void;
}

/** What one connection showed, before any judgement. */
export interface Observation {
  id: string;
  time: Date;
  target: Target;
  via: Via;
  proxy: string | null;
  connectMs: number | null;
  /** A failure before TLS (DNS, TCP, proxy). */
  connectFailure: Failure | null;
  probe: ProbeResult | null;
  clientSubject: string | null;
  /** Where target.address came from; a DNS answer in a private range makes the host internal. */
  addressSource?: 'literal' | 'resolve' | 'dns' | null;
}

/** The anchors OpenSSL verifies the probe's connection against (the record's trust stores), for a name. */
export type AnchorsFor = (name: string) => Promise<Omit<ProbeAnchors, 'name'>>;

/** The Host header for the target: the name checked, with the port unless it is 443 (RFC 9110 7.2). */
export function hostHeader(name: string, port: number): string {
  const host = name.includes(':') ? `[${name}]` : name;
  return port === 443 ? host : `${host}:${port}`;
}

/** RFC 6066 3: no SNI for IP literals. */
export function defaultServername(host: string, explicit?: string): string | null {
  if (explicit !== undefined) return explicit;
  return ipFamily(host) ? null : host;
}

/**
 * What a connection opened by someone else showed (the proxy's traffic connection, whose handshake
 * is read as the probe reads its own: tls/traffic-tap.ts), so that it needs no probe of its own.
 */
export interface Sighting {
  /** When the connection was started. */
  time: Date;
  connection?: Pick<Connection, 'address' | 'addressSource' | 'connectMs'>;
  /** Why there was no connection (DNS, refused, the proxy). */
  connectFailure?: ConnectError;
  probe?: ProbeResult;
}

/** The observation of `request` made of what was seen (nothing yet, for a probe about to run). */
export function observationOf(request: TargetRequest, sighting: Sighting): Observation {
  const servername = defaultServername(request.target.host, request.servername);
  const { connection, connectFailure, probe } = sighting;
  return {
    id: request.id,
    time: sighting.time,
    target: {
      host: request.target.host,
      port: request.target.port,
      servername,
      address: connection?.address ?? connectFailure?.address ?? null,
    },
    via: request.proxy?.via ?? 'direct',
    proxy: request.proxy?.display ?? null,
    connectMs: connection?.connectMs ?? null,
    connectFailure: connectFailure?.failure ?? null,
    probe: probe ?? null,
    clientSubject: request.client?.subject ?? null,
    ...(connection ? { addressSource: connection.addressSource } : {}),
  };
}

/**
 * Connects and probes; a connection failure is part of the observation, not an error.
 * @param anchorsFor given, OpenSSL verifies the probe's connection too (the cross-check)
 */
export async function observeTarget(
  request: TargetRequest,
  time: Date,
  anchorsFor: AnchorsFor | null = null,
): Promise<Observation> {
  const observation = observationOf(request, { time });
  const servername = observation.target.servername;
  const probeOptions: ProbeOptions = {
    servername,
    minVersion: request.minVersion,
    maxVersion: request.maxVersion,
    alpn: request.alpn,
    client: request.client,
    timeoutMs: request.timeoutMs,
    // Most servers answer sooner (a session ticket, data or the alert end the wait); a loaded machine may not.
    settleMs: Math.min(2000, request.timeoutMs),
    httpHost: request.httpProbe ? hostHeader(servername ?? request.target.host, request.target.port) : null,
  };
  try {
    const connecting = openConnection({
      host: request.target.host,
      port: request.target.port,
      resolve: request.resolve,
      proxy: request.proxy,
      timeoutMs: request.timeoutMs,
    });
    // Awaited below; meanwhile a failure must not count as unhandled.
    connecting.catch(() => undefined);
    // A connection on loopback is made within two turns of the event loop; a slower one (a distant host)
    // must not hold back what waits for `begun`, which then starts anyway.
    setImmediate(() => setImmediate(() => request.begun?.()));
    const name = servername ?? request.target.host;
    // The handshake does not wait for the stores: the probe holds the server's Certificate until they are loaded.
    const anchors = anchorsFor?.(name).then((loaded) => ({ ...loaded, name }));
    anchors?.catch(() => undefined);
    // A store that cannot be loaded (a bad --extra-ca) is the run's error at once, not after a slow connection.
    const connection = await (anchors ? Promise.race([connecting, anchors.then(() => connecting)]) : connecting);
    observation.target.address = connection.address;
    observation.addressSource = connection.addressSource;
    observation.connectMs = connection.connectMs;
    const probing = probeTls(connection, { ...probeOptions, anchors });
    request.begun?.();
    observation.probe = await probing;
    // A store that could not be loaded (a bad --extra-ca) is the run's error, as before the handshake.
    await anchors;
  } catch (error) {
    if (error instanceof ClientCredentialsError)
      throw new TlswitnessError(
        'unreadable-file',
        `--client-cert: ${error.message} (check the file, the key and --password)`,
      );
    if (!(error instanceof ConnectError)) throw error;
    observation.connectFailure = error.failure;
    observation.target.address = error.address;
  } finally {
    request.begun?.();
  }
  return observation;
}
