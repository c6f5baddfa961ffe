// A chain in the order it was sent (by a server, or in a file), judged against each trust store and
// against all of them together: per-store trust, the effective verification, the chain analysis and
// the strict-client warnings; pure. Handshake records and `tlswitness verify` both come from here.
import type { OwnCa } from './interception.js';
import { keySecurityBits } from '../trust/auth-level.js';
import { analyseChain } from '../trust/chain-analysis.js';
import { describeCertificate, ParsedCertificate } from '../trust/certificate.js';
import type { CertificateCache } from '../trust/certificate-cache.js';
import { derToPem } from '../trust/pem.js';
import type { TrustStore } from '../trust/trust-store.js';
import { signatureSecurityBits } from '../trust/signature-algorithms.js';
import { verifyChain, type ChainVerdict, type VerifyOptions } from '../trust/verify.js';
import type {
  ChainAnalysis,
  ChainEntry,
  EffectiveStoreName,
  FetchedIssuer,
  HandshakeRecord,
  StoreName,
  StrictWarning,
  Verification,
  WeakCrypto,
} from '../types.js';
import { certifiWarning, type CertifiInfo } from './certifi-lag.js';
import { strictClientWarnings } from './strict-warnings.js';
import { judgeWeakCrypto, type PolicyCert } from './weak-crypto.js';

export interface TrustContext {
  public: TrustStore | null;
  system: TrustStore | null;
  extra: TrustStore | null;
  /** Python's certifi bundle, judged alone (not part of the effective verdict); absent or null: not configured. */
  certifi?: TrustStore | null;
  /** Which certifi it is and how its roots compare with the public ones, for what a lagging certifi's warning says. */
  certifiInfo?: CertifiInfo | null;
  /** The certs dir's local CA: a chain it signed means the run went through a tlswitness proxy. */
  ownCas?: OwnCa[];
  /** This machine's OpenSSL security level (the system `openssl`'s), read once per run; null or absent when unknown. */
  opensslLevel?: number | null;
  /**
   * The run's parsed certificates (absent: each chain is parsed on its own): the intermediates and
   * roots most chains share are read once, not once per handshake (a new host's record is on the
   * path of its first request through the proxy).
   */
  certificates?: CertificateCache;
}

export interface FetchedCertificates {
  issuer: FetchedIssuer;
  certs: ParsedCertificate[];
}

export interface ChainJudgement {
  /** The certificates that parsed, in the order sent. */
  sent: ParsedCertificate[];
  chain: ChainEntry[];
  trust: HandshakeRecord['trust'];
  /** Null when no certificate parsed: there is nothing to verify. */
  verification: Verification | null;
  chainAnalysis: ChainAnalysis;
  /** Strict-client warnings on the built path, then certificates that did not parse. */
  warnings: StrictWarning[];
  /** The clients whose security level refuses a key or signature on a trusted path; null when none. */
  weakCrypto: WeakCrypto | null;
}

/** The stores that make the effective verification together. */
export const STORE_NAMES: EffectiveStoreName[] = ['public', 'system', 'extra'];
/** Every store judged alone, in the order reports show them. */
export const REPORTED_STORES: StoreName[] = [...STORE_NAMES, 'certifi'];

const EMPTY_ANALYSIS: ChainAnalysis = {
  missingIssuer: null,
  fetched: null,
  extraCerts: 0,
  containsAnchor: false,
  inOrder: true,
  path: [],
  anchor: null,
  anchorStore: null,
  aiaCaIssuers: [],
};

export function safeParse(
  ders: Buffer[],
  warnings: StrictWarning[],
  cache: CertificateCache | undefined,
): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  ders.forEach((der, i) => {
    try {
      const cert = cache ? cache.parse(der) : new ParsedCertificate(der);
      void cert.details; // surface decoding errors here, not later
      out.push(cert);
    } catch (error) {
      warnings.push({
        code: 'unparseable-certificate',
        clients: ['all'],
        message: `certificate ${i} as sent does not parse: ${(error as Error).message}`,
      });
    }
  });
  return out;
}

/**
 * Judges `ders` (leaf first) at `now`, checking `name` (a DNS name or an IP literal; null checks
 * none). `fetched` is an issuer fetched from AIA, tried only to see whether it completes the chain.
 */
export function judgeChain(
  ders: Buffer[],
  trust: TrustContext,
  now: Date,
  name: string | null,
  fetched: FetchedCertificates | null = null,
  options: VerifyOptions = {},
): ChainJudgement {
  const parseWarnings: StrictWarning[] = [];
  const sent = safeParse(ders, parseWarnings, trust.certificates);
  if (!sent.length) return nothingToVerify(trust, parseWarnings);
  const stores = effectiveStores(trust);
  const trustVerdicts = storeVerdicts(sent, trust, now, name, options);
  const { effective, weak } = effectiveVerdict(sent, stores, trust.opensslLevel ?? null, now, name, options);
  const chainAnalysis = analyseChain(sent, effective, fetchedVerdict(sent, fetched, stores, now, options));
  const certifi = certifiWarning(trustVerdicts, effective.ok, trust.certifiInfo ?? null);
  const warnings = [
    ...(weak?.warnings ?? []),
    ...strictClientWarnings(
      effective.path.map((n) => n.cert),
      chainAnalysis.extraCerts,
    ),
    ...(certifi ? [certifi] : []),
    ...parseWarnings,
  ];
  return {
    sent,
    chain: sent.map(describeCertificate),
    trust: trustVerdicts,
    verification: verificationOf(effective),
    chainAnalysis,
    warnings,
    weakCrypto: weak?.weakCrypto ?? null,
  };
}

export function effectiveStores(trust: TrustContext): TrustStore[] {
  return STORE_NAMES.map((store) => trust[store]).filter((s): s is TrustStore => s !== null);
}

/** The verdict of the stores together and, on a path that reaches an anchor, the security levels' (weak keys, signatures). */
export function effectiveVerdict(
  sent: ParsedCertificate[],
  stores: TrustStore[],
  opensslLevel: number | null,
  now: Date,
  name: string | null,
  options: VerifyOptions,
): { effective: ChainVerdict; weak: ReturnType<typeof judgeWeakCrypto> | null } {
  const effective = verifyChain(sent, stores, now, name, options);
  // Security levels judge the path that reaches an anchor; an untrusted chain's problem is its trust.
  const weak = effective.trusted
    ? judgeWeakCrypto(
        effective.path.map((n) => policyCert(n.cert)),
        true,
        opensslLevel,
      )
    : null;
  return { effective, weak };
}

/**
 * Whether judgeChain's record of `ders` would let the proxy forward to the host (policy.ts
 * upstreamAcceptable: it verifies against the stores together, and no stricter client's security
 * level refuses a key or signature on its path), from that part of the judgement alone: the per-store
 * verdicts, the chain analysis and the description of each certificate, which only explain, can come
 * later. False also when a certificate does not parse: the whole record decides then.
 */
export function passesBlockingChecks(ders: Buffer[], trust: TrustContext, now: Date, name: string | null): boolean {
  const parseWarnings: StrictWarning[] = [];
  const sent = safeParse(ders, parseWarnings, trust.certificates);
  if (!sent.length || parseWarnings.length) return false;
  const { effective, weak } = effectiveVerdict(sent, effectiveStores(trust), trust.opensslLevel ?? null, now, name, {});
  return effective.ok && !weak?.weakCrypto?.refusedBy.length;
}

/** No certificate parsed: each configured store says so, and there is no verification. */
function nothingToVerify(trust: TrustContext, parseWarnings: StrictWarning[]): ChainJudgement {
  const trustVerdicts = {} as HandshakeRecord['trust'];
  for (const store of REPORTED_STORES) trustVerdicts[store] = trust[store] ? 'no-certificate' : 'not-configured';
  return {
    sent: [],
    chain: [],
    trust: trustVerdicts,
    verification: null,
    chainAnalysis: EMPTY_ANALYSIS,
    warnings: parseWarnings,
    weakCrypto: null,
  };
}

/** Each store's verdict on the chain alone. */
function storeVerdicts(
  sent: ParsedCertificate[],
  trust: TrustContext,
  now: Date,
  name: string | null,
  options: VerifyOptions,
): HandshakeRecord['trust'] {
  const trustVerdicts = {} as HandshakeRecord['trust'];
  // certifi is judged like the others, by the same verifier, but alone: it says what requests and
  // httpx would, and never widens or narrows what the tool itself trusts.
  for (const storeName of REPORTED_STORES) {
    const store = trust[storeName];
    if (!store) trustVerdicts[storeName] = 'not-configured';
    else {
      const verdict = verifyChain(sent, [store], now, name, options);
      trustVerdicts[storeName] = verdict.ok ? 'ok' : verdict.code!;
    }
  }
  return trustVerdicts;
}

/** The fetched issuer, with whether it completes the chain to a store (and that path's store certificates). */
function fetchedVerdict(
  sent: ParsedCertificate[],
  fetched: FetchedCertificates | null,
  stores: TrustStore[],
  now: Date,
  options: VerifyOptions,
): FetchedIssuer | null {
  if (!fetched) return null;
  const withFetched = verifyChain([...sent, ...fetched.certs], stores, now, null, options);
  const completes = withFetched.trusted;
  if (!completes) return { ...fetched.issuer, completesChain: completes };
  // The proxy's OpenSSL context for this host needs only the store certificates of this path.
  const storePems = withFetched.path.filter((node) => node.store !== null).map((node) => derToPem(node.cert.der));
  return { ...fetched.issuer, completesChain: completes, anchorPems: storePems };
}

/** The effective verdict as recorded, naming the certificate it failed at and where that came from. */
function verificationOf(effective: ChainVerdict): Verification {
  const node = effective.errorNode;
  // An extra intermediate (verify --untrusted) is neither sent nor from a store: it is the user's, like the sent ones.
  const from = (n: NonNullable<typeof node>) =>
    n.sentIndex !== null || n.store === null ? ('server' as const) : n.store;
  const certificate = node
    ? {
        subject: node.cert.subject,
        notBefore: node.cert.notBefore.toISOString(),
        notAfter: node.cert.notAfter.toISOString(),
        from: from(node),
      }
    : null;
  return {
    ok: effective.ok,
    code: effective.code,
    opensslCode: effective.opensslCode,
    message: effective.message,
    depth: effective.depth,
    certificate,
    detail: effective.detail,
  };
}

export function policyCert(cert: ParsedCertificate): PolicyCert {
  const { keyType, keyBits } = cert.keyDescription;
  return {
    subject: cert.subject,
    keyType,
    keyBits,
    keySecurityBits: keySecurityBits(cert),
    signatureAlgorithm: cert.details.signatureAlgorithm,
    signatureSecurityBits: signatureSecurityBits(cert.details.signatureOid),
  };
}
