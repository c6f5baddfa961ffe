// The record stage: one handshake from target to record. The probe (tls/), then the chain verified
// against the stores, the missing issuer fetched over AIA when asked and verified again with it, and
// only then, on the complete record, the interception and diagnosis judgements, once. `inspect`,
// `detect`, `evidence` and the proxy's recorder all come here; a run's memory goes in and comes back.
import { addressCategory } from '../net/address-category.js';
import { fetchIssuer, IssuerFetchError } from '../net/fetch-issuer.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { derToPem } from '../trust/pem.js';
import type { FetchedIssuer, HandshakeRecord } from '../types.js';
import { passesBlockingChecks, type FetchedCertificates } from '../diagnose/chain-judgement.js';
import { needsHostClassification, type ParseHost, type UnjudgedRecord } from '../diagnose/interception.js';
import type { ResignedMemory } from '../diagnose/resigned-memory.js';
import {
  observationOf,
  observeTarget,
  type AnchorsFor,
  type Observation,
  type Sighting,
  type TargetRequest,
} from '../tls/observe-target.js';
import { anchorClosure } from '../trust/anchor-closure.js';
import {
  anchorPems,
  judgeRecord,
  missingIssuerUrl,
  unjudgedRecord,
  verifyObservation,
  type AnchorStores,
  type TrustContext,
} from './assemble.js';
import { hostParserIfLoaded, loadHostParser } from './host-parser.js';

export interface HandshakeRequest extends TargetRequest {
  /** Fetch the issuer a chain lacks from its AIA caIssuers URL, and verify again with it. */
  fetchMissing: boolean;
  /**
   * Let OpenSSL verify the probe's connection too, against the record's anchors, and record a
   * disagreement with tlswitness's verdict (`VERIFIER_DISAGREEMENT` in `warnings`).
   */
  crossCheck?: boolean;
  /**
   * The anchor stores alone, when they are ready before the rest of `trust` (certifi needs python3,
   * the OpenSSL level needs openssl): the cross-check's anchors need not wait for those programs.
   */
  anchorStores?: Promise<AnchorStores>;
}

/** Everything a record's judgements read, complete: no socket or fetch is left to wait for. */
export interface GatheredHandshake {
  unjudged: UnjudgedRecord;
  addressSource: Observation['addressSource'];
  trust: TrustContext;
  /** Loaded when the verdict needs the host classified as public or internal (or was loaded before). */
  parseHost: ParseHost | null;
}

/**
 * Probe → (AIA fetch) → verify: the inputs of the judgements, gathered. With `seen` (what the proxy's
 * traffic connection showed of its own handshake) no probe runs; the rest, and so the record, is the same.
 */
export async function gatherHandshake(
  request: HandshakeRequest,
  trust: Promise<TrustContext> | TrustContext,
  now: () => Date = () => new Date(),
  seen?: Sighting,
): Promise<GatheredHandshake> {
  const observation = seen
    ? observationOf(request, seen)
    : await observeTarget(request, now(), anchorsOf(request, trust));
  const stores = await trust;
  // A traffic connection's handshake is judged as of its time, as OpenSSL and the checks made before
  // its record (passesOnSight) judged it: a record made later must not contradict them.
  const at = () => (seen ? observation.time : now());
  let verified = verifyObservation(observation, stores, at());
  const url = request.fetchMissing ? missingIssuerUrl(verified) : null;
  if (url)
    verified = verifyObservation(
      observation,
      stores,
      at(),
      await fetchMissingIssuer(url, request, observation.target.address),
    );
  const unjudged = unjudgedRecord(observation, verified);
  const parseHost =
    hostParserIfLoaded() ??
    (needsHostClassification(unjudged, observation.addressSource === 'dns') ? await loadHostParser() : null);
  return { unjudged, addressSource: observation.addressSource, trust: stores, parseHost };
}

/**
 * Whether what a traffic connection showed of its handshake passes every check that would block the
 * host (chain-judgement.ts passesBlockingChecks), judged before its record is gathered: the record,
 * made later from the same sighting, then lets the proxy forward to it too. False for anything the
 * record alone can tell (a failed handshake, a server that asked for a client certificate).
 */
export function passesOnSight(request: TargetRequest, seen: Sighting, trust: TrustContext): boolean {
  const probe = seen.probe;
  if (seen.connectFailure || !probe?.secure || probe.error || probe.flight.certificateRequest) return false;
  // As of the handshake's time, as its record (gatherHandshake) judges it.
  const { target, time } = observationOf(request, seen);
  return passesBlockingChecks(probe.flight.certificates ?? [], trust, time, target.servername ?? target.host);
}

/** OpenSSL's anchors for the probe's cross-check (HandshakeRequest.crossCheck); null without one. */
function anchorsOf(request: HandshakeRequest, trust: Promise<TrustContext> | TrustContext): AnchorsFor | null {
  if (!request.crossCheck) return null;
  return async () => {
    const stores = await (request.anchorStores ?? trust);
    // OpenSSL gets only the anchors the served chain can reach, once the probe has read it (see
    // ProbeAnchors.reachable): parsing all of them took 20-70 ms of CPU, more than the handshake.
    return {
      key: stores,
      pems: () => anchorPems(stores),
      reachable: (chain: Buffer[]) => anchorClosure(chain, [stores.public, stores.system, stores.extra]).map(derToPem),
    };
  };
}

/**
 * Interception, then diagnosis, on gathered inputs and the run's memory as it is now; the record and
 * the memory after it. Synchronous, so a caller that keeps the memory it returns before its next
 * await never loses the hosts of concurrent handshakes.
 */
export function judgeHandshake(
  gathered: GatheredHandshake,
  resigned: ResignedMemory,
): { record: HandshakeRecord; resigned: ResignedMemory } {
  const judged = judgeRecord(gathered.unjudged, gathered, {
    trust: gathered.trust,
    parseHost: gathered.parseHost,
    resigned,
  });
  return { record: judged.record, resigned: judged.resigned ?? resigned };
}

/** One handshake judged on its own (inspect, evidence): no run memory. */
export async function observeHandshake(
  request: HandshakeRequest,
  trust: Promise<TrustContext> | TrustContext,
  now: () => Date = () => new Date(),
  seen?: Sighting,
): Promise<HandshakeRecord> {
  const gathered = await gatherHandshake(request, trust, now, seen);
  return judgeRecord(gathered.unjudged, gathered, { trust: gathered.trust, parseHost: gathered.parseHost }).record;
}

/**
 * The AIA issuer, fetched the way the traffic goes (the same proxy), from a public address, or from
 * the inspected host's own kind of network: its connected address says which (through a proxy only
 * a literal or localhost target says; a name there counts as public).
 */
async function fetchMissingIssuer(
  url: string,
  request: HandshakeRequest,
  address: string | null,
): Promise<FetchedCertificates> {
  const hostCategory = addressCategory(address ?? request.target.host) ?? 'public';
  try {
    const certs = (
      await fetchIssuer(url, {
        resolve: request.resolve,
        proxy: request.proxy,
        hostCategory,
        timeoutMs: request.timeoutMs,
      })
    ).map((der) => new ParsedCertificate(der));
    const issuer: FetchedIssuer = {
      url,
      ok: true,
      subject: certs[0]?.subject ?? null,
      completesChain: false,
      error: null,
      pems: certs.map((cert) => derToPem(cert.der)),
    };
    return { issuer, certs };
  } catch (error) {
    const refusal = error instanceof IssuerFetchError ? error.refusal : null;
    return {
      issuer: {
        url,
        ok: false,
        subject: null,
        completesChain: false,
        error: (error as Error).message,
        ...(refusal ? { refusal } : {}),
      },
      certs: [],
    };
  }
}
