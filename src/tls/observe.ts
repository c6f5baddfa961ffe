// One handshake from target to record: connect, probe, verify against the stores, and (on request)
// fetch a missing issuer. `inspect`, `detect`, `evidence` and the proxy's recorder all call this.
import { ipFamily } from '../net/ip.js';
import type { SecureVersion } from 'node:tls';
import { ConnectError, openConnection, type ProxySpec } from '../net/connector.js';
import { addressCategory } from '../net/address-category.js';
import { fetchIssuer, IssuerFetchError } from '../net/fetch-issuer.js';
import type { HostPort, ResolveMap } from '../net/target.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { derToPem } from '../trust/pem.js';
import type { FetchedIssuer, HandshakeRecord } from '../types.js';
import { anchorPems, assembleHandshakeRecord, type AnchorStores, type Observation, type TrustContext } from './handshake-record.js';
import type { FetchedCertificates } from '../diagnose/chain-judgement.js';
import type { ResignedMemory } from '../diagnose/resigned-memory.js';
import { hostParserIfLoaded, loadHostParser, needsHostClassification } from '../diagnose/interception.js';
import { ClientCredentialsError, probeTls, type ClientCredentials, type ProbeAnchors, type ProbeOptions } from './probe.js';
import { anchorClosure } from '../trust/anchor-closure.js';
import { ToolError } from '../errors.js';

export interface HandshakeRequest {
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
  fetchMissing: boolean;
  /** One run's memory of issuers re-signing public hosts (the proxy, detect). */
  resigned?: ResignedRun;
  /**
   * Let OpenSSL verify the probe's connection too, against the record's anchors, and record a
   * disagreement with tlswitness's verdict (`VERIFIER_DISAGREEMENT` in `warnings`).
   */
  crossCheck?: boolean;
  /**
   * The anchor stores alone, when they are ready before the rest of `trust` (certifi needs python3,
   * the OpenSSL level needs openssl): the cross-check's context need not wait for those programs.
   */
  anchorStores?: Promise<AnchorStores>;
  /**
   * When the server asks for a client certificate, none is given (or one from a CA it did not name)
   * and the handshake survives, send `HEAD /` on that connection to learn whether it enforces it
   * (`--no-http-probe` turns it off).
   */
  httpProbe?: boolean;
}

/**
 * Where a run keeps its memory between handshakes. Read just before a record is judged and replaced
 * with the memory the verdict returns, in one synchronous step, so concurrent handshakes never lose
 * each other's hosts (see diagnose/resigned-memory.ts).
 */
export interface ResignedRun {
  memory: ResignedMemory;
}

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

export async function observeHandshake(request: HandshakeRequest, trust: Promise<TrustContext> | TrustContext, now: () => Date = () => new Date()): Promise<HandshakeRecord> {
  const servername = defaultServername(request.target.host, request.servername);
  const time = now();
  const observation: Observation = {
    id: request.id,
    time,
    target: { host: request.target.host, port: request.target.port, servername, address: null },
    via: request.proxy?.via ?? 'direct',
    proxy: request.proxy?.display ?? null,
    connectMs: null,
    connectFailure: null,
    probe: null,
    clientSubject: request.client?.subject ?? null,
  };
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
    const connecting = openConnection({ host: request.target.host, port: request.target.port, resolve: request.resolve, proxy: request.proxy, timeoutMs: request.timeoutMs });
    // Awaited below; meanwhile a failure must not count as unhandled.
    connecting.catch(() => undefined);
    if (request.crossCheck) probeOptions.anchors = { ...prepareAnchors(await (request.anchorStores ?? trust)), name: servername ?? request.target.host };
    const connection = await connecting;
    observation.target.address = connection.address;
    observation.addressSource = connection.addressSource;
    observation.connectMs = connection.connectMs;
    observation.probe = await probeTls(connection, probeOptions);
  } catch (error) {
    if (error instanceof ClientCredentialsError) throw new ToolError('unreadable-file', `--client-cert: ${error.message} (check the file, the key and --password)`);
    if (!(error instanceof ConnectError)) throw error;
    observation.connectFailure = error.failure;
    observation.target.address = error.address;
  }
  const stores = await trust;
  // Only the record returned is kept in the run's memory; the memory is read afresh for each build,
  // since other handshakes may have added to it while this one awaited.
  const build = (fetched: FetchedCertificates | null = null) => assembleHandshakeRecord({ ...observation, resigned: request.resigned?.memory }, stores, now(), fetched);
  const keep = (built: ReturnType<typeof build>) => {
    if (request.resigned && built.resigned) request.resigned.memory = built.resigned;
    return built.record;
  };
  observation.parseHost ??= hostParserIfLoaded() ?? undefined;
  let built = build();
  if (!observation.parseHost && needsHostClassification(built.record)) {
    observation.parseHost = await loadHostParser();
    built = build();
  }
  const code = built.record.verification.opensslCode;
  const aia = built.record.chainAnalysis.aiaCaIssuers[0];
  if (!request.fetchMissing || (code !== 20 && code !== 21) || !aia) return keep(built);
  const fetched = await fetchMissingIssuer(aia, request, observation.target.address);
  return keep(build(fetched));
}

/**
 * The anchors for the probe. OpenSSL gets only those the served chain can reach, once the probe has
 * read it (see ProbeAnchors.reachable): parsing all of them took 20-70 ms of CPU, more than the
 * handshake; the few a chain reaches cost well under one.
 */
function prepareAnchors(stores: AnchorStores): Omit<ProbeAnchors, 'name'> {
  return { key: stores, pems: () => anchorPems(stores), reachable: (chain) => anchorClosure(chain, [stores.public, stores.system, stores.extra]).map(derToPem) };
}

/**
 * The AIA issuer, fetched the way the traffic goes (the same proxy), from a public address, or from
 * the inspected host's own kind of network: its connected address says which (through a proxy only
 * a literal or localhost target says; a name there counts as public).
 */
async function fetchMissingIssuer(url: string, request: HandshakeRequest, address: string | null): Promise<{ issuer: FetchedIssuer; certs: ParsedCertificate[] }> {
  const hostCategory = addressCategory(address ?? request.target.host) ?? 'public';
  try {
    const certs = (await fetchIssuer(url, { resolve: request.resolve, proxy: request.proxy, hostCategory, timeoutMs: request.timeoutMs })).map((der) => new ParsedCertificate(der));
    return { issuer: { url, ok: true, subject: certs[0]?.subject ?? null, completesChain: false, error: null, pems: certs.map((cert) => derToPem(cert.der)) }, certs };
  } catch (error) {
    const refusal = error instanceof IssuerFetchError ? error.refusal : null;
    return { issuer: { url, ok: false, subject: null, completesChain: false, error: (error as Error).message, ...(refusal ? { refusal } : {}) }, certs: [] };
  }
}
