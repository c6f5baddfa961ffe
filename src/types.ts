// Records shared by every stage: the handshake record of SPEC.md and its parts.

export type Problem =
  | 'ok'
  | 'incomplete-chain'
  | 'unknown-ca'
  | 'self-signed'
  | 'expired'
  | 'not-yet-valid'
  | 'hostname-mismatch'
  | 'wrong-order'
  | 'weak-crypto'
  | 'name-constraints'
  | 'client-cert-required'
  | 'handshake-failed'
  | 'connection-failed';

export type Liability = 'server' | 'client' | 'network' | 'none';
export type Confidence = 'high' | 'medium' | 'low';
/** Environment variables, as process.env holds them (a test or doctor's snapshot passes its own). */
export type Env = Record<string, string | undefined>;

/** A host (name or IP address, IPv6 without brackets) and a port: a target, a CONNECT, an upstream. */
export interface HostPort {
  host: string;
  port: number;
}

export type Via = 'direct' | 'upstream-proxy' | 'env-proxy';
/** The stores whose union is the effective verification (SPEC: public + system + extra). */
export type EffectiveStoreName = 'public' | 'system' | 'extra';
/** Those, and Python's certifi bundle: judged alone, never part of the effective verdict. */
export type StoreName = EffectiveStoreName | 'certifi';
/** `ok`, a Node verification error code, or `not-configured`. */
export type StoreVerdict = string;

/** The verdict of each store; `certifi` is absent only from records written before it existed. */
export type TrustVerdicts = Record<EffectiveStoreName, StoreVerdict> & { certifi?: StoreVerdict };

export interface ChainEntry {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  san: string[];
  sha256: string;
  sha1: string;
  spkiSha256: string;
  isCA: boolean;
  selfSigned: boolean;
  keyType: string;
  keyBits: number | null;
  aia: { caIssuers: string[]; ocsp: string[] };
  basicConstraints: { present: boolean; critical: boolean; ca: boolean; pathLen: number | null };
  keyUsage: string[] | null;
  extKeyUsage: string[] | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  signatureAlgorithm: string;
  pem: string;
}

export interface Target {
  host: string;
  port: number;
  servername: string | null;
  address: string | null;
}

export interface Verification {
  ok: boolean;
  code: string | null;
  opensslCode: number;
  message: string;
  /** Depth in the built path where the reported error was found (0 = leaf). */
  depth?: number | null;
  /** The certificate the error is about, and where it came from (the server, or a trust store). */
  certificate?: { subject: string; notBefore: string; notAfter: string; from: 'server' | StoreName } | null;
  /** The reason behind a code that does not say it (UNSPECIFIED). */
  detail?: string | null;
  /** OpenSSL's own verdict on a connection the proxy forwarded over, when it differed from tlswitness's. */
  openssl?: OpensslVerdict | null;
}

/** What OpenSSL said of one live connection (chain against the same anchors, plus the name check). */
export interface OpensslVerdict {
  ok: boolean;
  /** Node's code (`authorizationError`, or ERR_TLS_CERT_ALTNAME_INVALID); null when ok. */
  code: string | null;
  /** OpenSSL's verify return code when known (62 for a name mismatch), else null. */
  opensslCode: number | null;
  message: string;
}

export interface Diagnosis {
  problem: Problem;
  liability: Liability;
  confidence: Confidence;
  summary: string;
  action: string;
}

export interface ChainAnalysis {
  /** Subject of the issuer no store and no sent certificate provides, when the path stops short. */
  missingIssuer: string | null;
  /** The missing issuer fetched from the AIA caIssuers URL (`--fetch-missing`). */
  fetched: FetchedIssuer | null;
  /** Sent certificates that are not on the path from the leaf to its anchor. */
  extraCerts: number;
  /** The server sent its trust anchor (a self-signed root) too. */
  containsAnchor: boolean;
  inOrder: boolean;
  /** Indexes into `chain` of the certificates on the built path, leaf first. */
  path: number[];
  /** Subject of the trust anchor the path ends in, when one was found. */
  anchor: string | null;
  anchorStore: StoreName | null;
  /** SHA-256 of the anchor's public key (base64), or of the top certificate's when there is no anchor. */
  anchorSpkiSha256?: string | null;
  /** caIssuers URLs of the certificate whose issuer is missing (the leaf's when nothing is missing). */
  aiaCaIssuers: string[];
}

/** Why tlswitness did not fetch an AIA URL a server named. */
export type IssuerRefusal = 'internal-address' | 'too-large' | 'too-slow';

export interface FetchedIssuer {
  url: string;
  ok: boolean;
  subject: string | null;
  completesChain: boolean;
  error: string | null;
  /** Set when tlswitness would not fetch it: the URL names an internal address (and the host is not there), the answer is over 64 KiB, or it took over 5 s. */
  refusal?: IssuerRefusal;
  /** The fetched certificates as PEM: the proxy hands them to OpenSSL as links for this host's connections (--complete-chains). */
  pems?: string[];
  /** When they complete the chain: the trust-store certificates (the anchor) of that path, as PEM. */
  anchorPems?: string[];
}

export interface ClientCertificateInfo {
  requested: boolean;
  acceptableCAs: string[];
  presented: string | null;
  /**
   * Whether the server enforces the certificate it asked for, judged from its HTTP answer on the same
   * connection (`inspect`'s `HEAD /`, or the app's own exchange through the proxy); absent when not asked.
   */
  httpCheck?: ClientCertCheck | null;
}

/** What a server answered at the HTTP layer after a handshake in which it asked for a client certificate and got none. */
export interface HttpAnswer {
  /** The request that was sent (`HEAD /`, `GET /`, or the app's method), null when none was. */
  request: string | null;
  status: number | null;
  statusText: string;
  /** The start of the response (status line, headers, up to 1 KiB of body), for a mention of a certificate. */
  head: string;
  /** How it ended: a response, a close/reset/alert before any, silence, or bytes that are not HTTP. */
  end: 'response' | 'closed' | 'reset' | 'alert' | 'timeout' | 'not-http';
  error: string | null;
}

/** The judgement on an HttpAnswer: does the server require the client certificate, or only ask for it? */
export interface ClientCertCheck {
  request: string | null;
  status: number | null;
  outcome: 'required' | 'optional' | 'inconclusive';
  confidence: Confidence;
  /** What was seen, in words ("HEAD / was answered 400 Bad Request"). */
  reason: string;
}

/** OpenSSL's own verdict on a handshake (Node's `authorized` / `authorizationError`, then checkServerIdentity). */

export interface StrictWarning {
  code: string;
  clients: string[];
  message: string;
}

/** A key or signature on the path below a client's security level (OpenSSL's check_key_level / check_sig_level). */
export interface WeakFinding {
  /** Depth on the built path (0 = leaf). */
  depth: number;
  subject: string;
  kind: 'key' | 'signature';
  /** In words: "a 1024-bit RSA key (80 security bits)", "a sha1WithRSAEncryption signature (63 security bits)". */
  text: string;
  securityBits: number;
  /** OpenSSL's verify message for it ("EE certificate key too weak", ...). */
  message: string;
}

/** One client (family) that refuses the chain, and what it prints. */
export interface WeakRefusal {
  /** "Node (level 1)", "this machine's OpenSSL clients (level 2: curl, Python)", ... */
  client: string;
  /** The OpenSSL security level that client runs at. */
  level: number;
  /** OpenSSL's verify message that client stops at. */
  message: string;
  depth: number;
}

/** Which clients' security levels refuse the chain; absent or null when none does. */
export interface WeakCrypto {
  /** This machine's OpenSSL security level as read from the system `openssl` (null: not known). */
  opensslLevel: number | null;
  refusedBy: WeakRefusal[];
  findings: WeakFinding[];
}

export interface Interception {
  detected: boolean;
  product: string | null;
  reason: string;
  evidence: unknown;
  /**
   * Not detected, but the chain cannot rule it out: one public host anchored only in a CA the user
   * gave (--extra-ca, extra/), which is an internal server or the company's inspection proxy.
   */
  possible?: boolean;
  /** How sure the verdict (detected or possible) is. */
  confidence?: Confidence;
  /** The chain was minted by a tlswitness CA: the run measured a tlswitness proxy, not the network. */
  ownProxy?: boolean;
}

export type FailureStep = 'target' | 'dns' | 'connect' | 'timeout' | 'proxy' | 'tls';

export interface Failure {
  step: FailureStep;
  code: string;
  message: string;
  proxyStatus?: number;
  alert?: string | null;
}

export interface HandshakeRecord {
  type: 'handshake';
  /** The version of this JSON shape (docs/schema/handshake-record.schema.json). */
  schemaVersion: string;
  id: string;
  time: string;
  target: Target;
  via: Via;
  proxy: string | null;
  tls: { protocol: string | null; cipher: string | null; alpn: string | null };
  chain: ChainEntry[];
  trust: TrustVerdicts;
  verification: Verification;
  diagnosis: Diagnosis;
  chainAnalysis: ChainAnalysis;
  clientCertificate: ClientCertificateInfo;
  warnings: StrictWarning[];
  interception: Interception;
  failure: Failure | null;
  timing: { connectMs: number | null; handshakeMs: number | null };
  /** Clients whose security level refuses a key or signature on the path (see weak-crypto); null when none. */
  weakCrypto?: WeakCrypto | null;
}
