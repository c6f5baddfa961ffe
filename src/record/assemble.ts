// The SPEC handshake record from what one connection showed: the chain verified against the trust
// stores, then the interception and diagnosis judgements on the complete record, once; pure.
import {
  judgeChain,
  type ChainJudgement,
  type FetchedCertificates,
  type TrustContext,
} from '../diagnose/chain-judgement.js';
import { judgeClientCertAnswer } from '../diagnose/client-cert-probe.js';
import { diagnose } from '../diagnose/diagnose.js';
import { judgeInterception, type ParseHost, type UnjudgedRecord } from '../diagnose/interception.js';
import type { ResignedMemory } from '../diagnose/resigned-memory.js';
import { crossCheckedVerification, verifierDisagreement } from '../diagnose/verifier-disagreement.js';
import { formatNameDer } from '../trust/certificate.js';
import { SCHEMA_VERSION } from '../schema-version.js';
import { derToPem } from '../trust/pem.js';
import type { Failure, HandshakeRecord, StrictWarning } from '../types.js';
import type { Observation } from '../tls/observe-target.js';
import type { ProbeResult } from '../tls/probe.js';

export type { TrustContext };

/** The stores OpenSSL is given as anchors (certifi is judged by tlswitness alone). */
export type AnchorStores = Pick<TrustContext, 'public' | 'system' | 'extra'>;

/** Every anchor of every store as PEM (the excluded local CA left out), for a native SecureContext. */
export function anchorPems(trust: AnchorStores): string[] {
  // The OS store repeats most public roots: each anchor once halves what OpenSSL parses.
  const unique = new Map<string, Buffer>();
  for (const der of [trust.public, trust.system, trust.extra].flatMap((store) => store?.anchorDers() ?? []))
    unique.set(der.toString('base64'), der);
  return [...unique.values()].map(derToPem);
}

/** The chain as the observation shows it, verified at `now` (with an issuer fetched over AIA, when one was). */
export function verifyObservation(
  observation: Observation,
  trust: TrustContext,
  now: Date,
  fetched: FetchedCertificates | null = null,
): ChainJudgement {
  const hostname = observation.target.servername ?? observation.target.host;
  return judgeChain(observation.probe?.flight.certificates ?? [], trust, now, hostname, fetched);
}

/** The AIA caIssuers URL to fetch: the chain lacks its issuer (OpenSSL 20 or 21) and names where it is. */
export function missingIssuerUrl(judged: ChainJudgement): string | null {
  const code = judged.verification?.opensslCode;
  return code === 20 || code === 21 ? (judged.chainAnalysis.aiaCaIssuers[0] ?? null) : null;
}

/** What the interception judgement needs beside the record. */
export interface JudgementInputs {
  trust: TrustContext;
  /** The public suffix list parser, when the verdict needs the host classified (needsHostClassification). */
  parseHost: ParseHost | null;
  /** One run's memory (the proxy, detect), to see one issuer re-signing unrelated hosts; none outside a run. */
  resigned?: ResignedMemory;
}

function tlsFailure(probe: ProbeResult): Failure | null {
  if (!probe.error) return null;
  const alert = /alert (?:number )?(\d+)|ALERT_([A-Z_]+)/i.exec(probe.error.message + ' ' + probe.error.code);
  return {
    step: 'tls',
    code: probe.error.code,
    message: probe.error.message,
    alert: alert ? (alert[2] ?? `alert ${alert[1]}`).toLowerCase() : null,
  };
}

/** The record but for its interception and diagnosis: everything the judgements read. */
export function unjudgedRecord(observation: Observation, judged: ChainJudgement): UnjudgedRecord {
  const { probe } = observation;
  const failure = observation.connectFailure ?? (probe ? tlsFailure(probe) : null);
  const warnings: StrictWarning[] = [...judged.warnings];
  for (const problem of probe?.flight.problems ?? [])
    warnings.push({ code: 'handshake-unreadable', clients: [], message: problem });
  const verification = judged.verification ?? {
    ok: false,
    code: failure?.code ?? 'NO_CERTIFICATE',
    opensslCode: -1,
    message: failure?.message ?? 'the server sent no certificate',
    depth: null,
  };
  // OpenSSL judged the same certificates on the probe's connection: comparable when every one of them parsed.
  const comparable = judged.verification && judged.sent.length === (probe?.flight.certificates?.length ?? 0);
  const openssl = comparable ? (probe?.openssl ?? null) : null;
  const disagreement = openssl ? verifierDisagreement(verification, openssl) : null;
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
    warnings.push({
      code: 'client-certificate-optional',
      clients: [],
      message: `the server asked for a client certificate and went on without one; ${check.reason}: the certificate is optional here`,
    });
  } else if (request && !failure && check?.outcome !== 'required') {
    const why = check ? ` (not confirmed: ${check.reason})` : '';
    warnings.push({
      code: 'client-certificate-requested',
      clients: [],
      message: observation.clientSubject
        ? `the server asked for a client certificate and accepted the one presented${check ? ` (${check.reason})` : ''}`
        : `the server asked for a client certificate and went on without one: it is optional, or enforced later by the application (e.g. HTTP 400)${why}`,
    });
  }

  return {
    type: 'handshake',
    schemaVersion: SCHEMA_VERSION,
    id: observation.id,
    time: observation.time.toISOString(),
    target: observation.target,
    via: observation.via,
    proxy: observation.proxy,
    tls: {
      protocol: probe?.protocol ?? probe?.flight.version ?? null,
      cipher: probe?.cipher ?? null,
      alpn: probe?.alpn ?? null,
    },
    chain: judged.chain,
    trust: judged.trust,
    verification: crossCheckedVerification(verification, openssl),
    chainAnalysis: judged.chainAnalysis,
    clientCertificate,
    warnings,
    failure,
    timing: { connectMs: round(observation.connectMs), handshakeMs: round(probe?.handshakeMs ?? null) },
    weakCrypto: judged.weakCrypto,
  };
}

/**
 * The interception verdict, then the diagnosis that reads it, on the complete record; the run's
 * memory after it comes back beside the record (the memory given in is left as it was).
 */
export function judgeRecord(
  unjudged: UnjudgedRecord,
  observation: Pick<Observation, 'addressSource'>,
  inputs: JudgementInputs,
): { record: HandshakeRecord; resigned: ResignedMemory | undefined } {
  const judged = judgeInterception(unjudged, {
    parseHost: inputs.parseHost,
    address: unjudged.target.address,
    addressFromDns: observation.addressSource === 'dns',
    resigned: inputs.resigned,
    ownCas: inputs.trust.ownCas,
  });
  const { chainAnalysis, clientCertificate, warnings, failure, timing, weakCrypto, ...head } = unjudged;
  const interception = judged.interception;
  // The SPEC's key order: diagnosis after verification, interception after the warnings.
  const record: HandshakeRecord = {
    ...head,
    diagnosis: diagnose({ ...unjudged, interception }),
    chainAnalysis,
    clientCertificate,
    warnings,
    interception,
    failure,
    timing,
    weakCrypto,
  };
  return { record, resigned: judged.resigned };
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 100) / 100;
}
