// Assembles the SPEC handshake record from what was observed and the trust stores; pure.
import { judgeChain, type FetchedCertificates, type TrustContext } from '../diagnose/chain-judgement.js';
import { judgeClientCertAnswer } from '../diagnose/client-cert-probe.js';
import { diagnose } from '../diagnose/diagnose.js';
import { judgeInterception, type ParseHost } from '../diagnose/interception.js';
import type { ResignedMemory } from '../diagnose/resigned-memory.js';
import { verifierDisagreement } from '../diagnose/verifier-disagreement.js';
import { formatNameDer } from '../trust/certificate.js';
import { SCHEMA_VERSION } from '../schema-version.js';
import { derToPem } from '../trust/pem.js';
import type { Failure, HandshakeRecord, StrictWarning, Target, Via } from '../types.js';
import type { ProbeResult } from './probe.js';

export type { TrustContext };

/** The stores OpenSSL is given as anchors (certifi is judged by tlswitness alone). */
export type AnchorStores = Pick<TrustContext, 'public' | 'system' | 'extra'>;

/** Every anchor of every store as PEM (the excluded local CA left out), for a native SecureContext. */
export function anchorPems(trust: AnchorStores): string[] {
  // The OS store repeats most public roots: each anchor once halves what OpenSSL parses.
  const unique = new Map<string, Buffer>();
  for (const der of [trust.public, trust.system, trust.extra].flatMap((store) => store?.anchorDers() ?? [])) unique.set(der.toString('base64'), der);
  return [...unique.values()].map(derToPem);
}

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
  /** One run's memory (the proxy, detect), to see one issuer re-signing unrelated hosts. */
  resigned?: ResignedMemory;
  /** The public suffix list parser, when loaded (see needsHostClassification). */
  parseHost?: ParseHost | null;
}

function tlsFailure(probe: ProbeResult): Failure | null {
  if (!probe.error) return null;
  const alert = /alert (?:number )?(\d+)|ALERT_([A-Z_]+)/i.exec(probe.error.message + ' ' + probe.error.code);
  return { step: 'tls', code: probe.error.code, message: probe.error.message, alert: alert ? (alert[2] ?? `alert ${alert[1]}`).toLowerCase() : null };
}

export function buildHandshakeRecord(observation: Observation, trust: TrustContext, now: Date, fetched: FetchedCertificates | null = null): HandshakeRecord {
  return assembleHandshakeRecord(observation, trust, now, fetched).record;
}

/** The record and the run's memory after it: the memory given in is left as it was. */
export function assembleHandshakeRecord(observation: Observation, trust: TrustContext, now: Date, fetched: FetchedCertificates | null = null): { record: HandshakeRecord; resigned: ResignedMemory | undefined } {
  const { probe } = observation;
  const failure = observation.connectFailure ?? (probe ? tlsFailure(probe) : null);
  const hostname = observation.target.servername ?? observation.target.host;
  const judged = judgeChain(probe?.flight.certificates ?? [], trust, now, hostname, fetched);
  const warnings: StrictWarning[] = [...judged.warnings];
  for (const problem of probe?.flight.problems ?? []) warnings.push({ code: 'handshake-unreadable', clients: [], message: problem });
  const verification = judged.verification ?? { ok: false, code: failure?.code ?? 'NO_CERTIFICATE', opensslCode: -1, message: failure?.message ?? 'the server sent no certificate', depth: null };
  // OpenSSL judged the same certificates on the probe's connection: comparable when every one of them parsed.
  const comparable = judged.verification && judged.sent.length === (probe?.flight.certificates?.length ?? 0);
  const disagreement = comparable && probe?.openssl ? verifierDisagreement(verification, probe.openssl) : null;
  if (disagreement) warnings.unshift(disagreement);

  const request = probe?.flight.certificateRequest ?? null;
  const clientCertificate = {
    requested: request !== null,
    acceptableCAs: (request?.caNames ?? []).map((der) => {
      try {
        return formatNameDer(der);
      } catch {
        return `(unparseable name, ${der.length} bytes)`;
      }
    }),
    presented: request ? observation.clientSubject : null,
    httpCheck: request && probe?.http ? judgeClientCertAnswer(probe.http) : null,
  };
  const check = clientCertificate.httpCheck;
  if (request && !failure && check?.outcome === 'optional' && !observation.clientSubject) {
    warnings.push({ code: 'client-certificate-optional', clients: [], message: `the server asked for a client certificate and went on without one; ${check.reason}: the certificate is optional here` });
  } else if (request && !failure && check?.outcome !== 'required') {
    const why = check ? ` (not confirmed: ${check.reason})` : '';
    warnings.push({ code: 'client-certificate-requested', clients: [], message: observation.clientSubject ? `the server asked for a client certificate and accepted the one presented${check ? ` (${check.reason})` : ''}` : `the server asked for a client certificate and went on without one: it is optional, or enforced later by the application (e.g. HTTP 400)${why}` });
  }

  const record: HandshakeRecord = {
    type: 'handshake',
    schemaVersion: SCHEMA_VERSION,
    id: observation.id,
    time: observation.time.toISOString(),
    target: observation.target,
    via: observation.via,
    proxy: observation.proxy,
    tls: { protocol: probe?.protocol ?? probe?.flight.version ?? null, cipher: probe?.cipher ?? null, alpn: probe?.alpn ?? null },
    chain: judged.chain,
    trust: judged.trust,
    verification,
    diagnosis: { problem: 'ok', liability: 'none', confidence: 'low', summary: '', action: '' },
    chainAnalysis: judged.chainAnalysis,
    clientCertificate,
    warnings,
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure,
    timing: { connectMs: round(observation.connectMs), handshakeMs: round(probe?.handshakeMs ?? null) },
    weakCrypto: judged.weakCrypto,
  };
  const interception = judgeInterception(record, {
    parseHost: observation.parseHost ?? null,
    address: observation.target.address,
    addressFromDns: observation.addressSource === 'dns',
    resigned: observation.resigned,
    ownCas: trust.ownCas,
  });
  record.interception = interception.interception;
  record.diagnosis = diagnose(record);
  return { record, resigned: interception.resigned };
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 100) / 100;
}
