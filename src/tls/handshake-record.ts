// Assembles the SPEC handshake record from what was observed and the trust stores; pure.
import { diagnose } from '../diagnose/diagnose.js';
import { detectInterception, type ParseHost } from '../diagnose/interception.js';
import { strictClientWarnings } from '../diagnose/strict-warnings.js';
import { analyseChain } from '../trust/chain-analysis.js';
import { describeCertificate, formatNameDer, ParsedCertificate } from '../trust/certificate.js';
import { derToPem } from '../trust/pem.js';
import { verifyChain, type TrustStore } from '../trust/verify.js';
import type { ChainAnalysis, Failure, FetchedIssuer, HandshakeRecord, StoreName, StrictWarning, Target, Via } from '../types.js';
import type { ProbeResult } from './probe.js';

export interface TrustContext {
  public: TrustStore | null;
  system: TrustStore | null;
  extra: TrustStore | null;
}

/** Every anchor of every store as PEM (the excluded local CA left out), for a native SecureContext. */
export function anchorPems(trust: TrustContext): string[] {
  return [trust.public, trust.system, trust.extra].flatMap((store) => store?.anchorDers() ?? []).map(derToPem);
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
  /** Shared across one run (the proxy, detect) to see one issuer re-signing unrelated hosts. */
  resigned?: Map<string, Set<string>>;
  /** The public suffix list parser, when loaded (see needsHostClassification). */
  parseHost?: ParseHost | null;
}

const STORE_NAMES: StoreName[] = ['public', 'system', 'extra'];

function safeParse(ders: Buffer[], warnings: StrictWarning[]): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  ders.forEach((der, i) => {
    try {
      const cert = new ParsedCertificate(der);
      void cert.details; // surface decoding errors here, not later
      out.push(cert);
    } catch (error) {
      warnings.push({ code: 'unparseable-certificate', clients: ['all'], message: `certificate ${i} as sent does not parse: ${(error as Error).message}` });
    }
  });
  return out;
}

function tlsFailure(probe: ProbeResult): Failure | null {
  if (!probe.error) return null;
  const alert = /alert (?:number )?(\d+)|ALERT_([A-Z_]+)/i.exec(probe.error.message + ' ' + probe.error.code);
  return { step: 'tls', code: probe.error.code, message: probe.error.message, alert: alert ? (alert[2] ?? `alert ${alert[1]}`).toLowerCase() : null };
}

const EMPTY_ANALYSIS: ChainAnalysis = { missingIssuer: null, fetched: null, extraCerts: 0, containsAnchor: false, inOrder: true, path: [], anchor: null, anchorStore: null, aiaCaIssuers: [] };

export function buildHandshakeRecord(observation: Observation, trust: TrustContext, now: Date, fetched: { issuer: FetchedIssuer; certs: ParsedCertificate[] } | null = null): HandshakeRecord {
  const { probe } = observation;
  const warnings: StrictWarning[] = [];
  const sent = safeParse(probe?.flight.certificates ?? [], warnings);
  for (const problem of probe?.flight.problems ?? []) warnings.push({ code: 'handshake-unreadable', clients: [], message: problem });
  const failure = observation.connectFailure ?? (probe ? tlsFailure(probe) : null);
  const hostname = observation.target.servername ?? observation.target.host;
  const stores = STORE_NAMES.map((name) => trust[name]).filter((s): s is TrustStore => s !== null);

  const trustVerdicts = {} as HandshakeRecord['trust'];
  let verification: HandshakeRecord['verification'];
  let chainAnalysis = EMPTY_ANALYSIS;
  if (sent.length) {
    for (const name of STORE_NAMES) {
      const store = trust[name];
      if (!store) trustVerdicts[name] = 'not-configured';
      else {
        const verdict = verifyChain(sent, [store], now, hostname);
        trustVerdicts[name] = verdict.ok ? 'ok' : verdict.code!;
      }
    }
    const effective = verifyChain(sent, stores, now, hostname);
    let completes = false;
    let storePems: string[] = [];
    if (fetched) {
      const withFetched = verifyChain([...sent, ...fetched.certs], stores, now, null);
      completes = withFetched.trusted;
      // The proxy's OpenSSL context for this host needs only the store certificates of this path.
      if (completes) storePems = withFetched.path.filter((node) => node.store !== null).map((node) => derToPem(node.cert.der));
    }
    chainAnalysis = analyseChain(sent, effective, fetched ? { ...fetched.issuer, completesChain: completes, ...(completes ? { anchorPems: storePems } : {}) } : null);
    const node = effective.errorNode;
    const certificate = node
      ? { subject: node.cert.subject, notBefore: node.cert.notBefore.toISOString(), notAfter: node.cert.notAfter.toISOString(), from: node.sentIndex !== null ? ('server' as const) : node.store! }
      : null;
    verification = { ok: effective.ok, code: effective.code, opensslCode: effective.opensslCode, message: effective.message, depth: effective.depth, certificate, detail: effective.detail };
    warnings.unshift(...strictClientWarnings(effective.path.map((n) => n.cert), chainAnalysis.extraCerts));
  } else {
    for (const name of STORE_NAMES) trustVerdicts[name] = trust[name] ? 'no-certificate' : 'not-configured';
    verification = { ok: false, code: failure?.code ?? 'NO_CERTIFICATE', opensslCode: -1, message: failure?.message ?? 'the server sent no certificate', depth: null };
  }

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
  };
  if (request && !failure) {
    warnings.push({ code: 'client-certificate-requested', clients: [], message: observation.clientSubject ? 'the server asked for a client certificate and accepted the one presented' : 'the server asked for a client certificate and went on without one: it is optional, or enforced later by the application (e.g. HTTP 400)' });
  }

  const record: HandshakeRecord = {
    type: 'handshake',
    id: observation.id,
    time: observation.time.toISOString(),
    target: observation.target,
    via: observation.via,
    proxy: observation.proxy,
    tls: { protocol: probe?.protocol ?? probe?.flight.version ?? null, cipher: probe?.cipher ?? null, alpn: probe?.alpn ?? null },
    chain: sent.map(describeCertificate),
    trust: trustVerdicts,
    verification,
    diagnosis: { problem: 'ok', liability: 'none', confidence: 'low', summary: '', action: '' },
    chainAnalysis,
    clientCertificate,
    warnings,
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure,
    timing: { connectMs: round(observation.connectMs), handshakeMs: round(probe?.handshakeMs ?? null) },
  };
  record.interception = detectInterception(record, {
    parseHost: observation.parseHost ?? null,
    address: observation.target.address,
    addressFromDns: observation.addressSource === 'dns',
    resigned: observation.resigned,
  });
  record.diagnosis = diagnose(record);
  return record;
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 100) / 100;
}
