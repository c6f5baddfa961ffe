// `explain`: what a TLS error message from Python, Node, curl, Java, Go, git, .NET, wget, PowerShell
// or OpenSSL means, which problem classes it can be, whose side to look at, and what to run next;
// pure. Strings from each client's sources and docs.
import type { Liability, Problem } from '../types.js';

export interface Explanation {
  recognized: boolean;
  client: string | null;
  problem: Problem | null;
  alternatives: Problem[];
  host: string | null;
  meaning: string;
  liability: Liability | null;
  action: string;
  next: string;
}

interface Rule {
  test: RegExp;
  problem: Problem;
  alternatives: Problem[];
  liability: Liability;
  meaning: string;
  action: string;
}

// Most specific first: "self-signed certificate in certificate chain" before "self-signed certificate".
const RULES: Rule[] = [
  { test: /certificate required|No required SSL certificate was sent|CERTIFICATE_REQUIRED|bad certificate|alert bad certificate|unable to set private key file|unable to use client certificate|curl: \(58\)/i, problem: 'client-cert-required', alternatives: [], liability: 'client', meaning: 'the server wants a client certificate (mutual TLS) and none, or an unaccepted one, was presented', action: 'present a certificate from a CA the server accepts (tlswitness inspect HOST shows the accepted CA names)' },
  { test: /self[- ]signed certificate in certificate chain|SELF_SIGNED_CERT_IN_CHAIN|\bnum=19\b/i, problem: 'unknown-ca', alternatives: [], liability: 'client', meaning: 'the chain ends in a root the server (or something in between) sent but no trust store holds: a private or corporate CA, or TLS interception', action: 'if it is your company CA, trust its root (--extra-ca, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS); else check for interception with tlswitness detect' },
  { test: /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|\bnum=21\b|PartialChain|CERT_TRUST_IS_PARTIAL_CHAIN/i, problem: 'incomplete-chain', alternatives: ['unknown-ca'], liability: 'server', meaning: 'the server sent its certificate without the intermediate that issued it; browsers fetch it and work, most other clients fail', action: 'the server admin must serve the full chain (fullchain.pem); confirm with tlswitness inspect HOST --fetch-missing' },
  { test: /unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|\bnum=20\b/i, problem: 'unknown-ca', alternatives: ['incomplete-chain'], liability: 'client', meaning: 'the chain leads to an issuer this client does not trust: an unknown (corporate) root, or an intermediate the server did not send', action: 'run tlswitness inspect HOST: it tells a missing intermediate (server) from an unknown root (add the CA)' },
  { test: /self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT|\bnum=18\b/i, problem: 'self-signed', alternatives: [], liability: 'server', meaning: 'the server presents a certificate that signs itself, which no store trusts', action: 'replace it with a CA-issued certificate, or trust that certificate explicitly if the host is internal' },
  { test: /expired or is not yet valid/i, problem: 'expired', alternatives: ['not-yet-valid'], liability: 'server', meaning: 'a certificate is outside its validity period (Go does not say which end)', action: "renew the certificate, or fix this machine's clock" },
  { test: /not yet valid|CERT_NOT_YET_VALID|CertificateNotYetValidException|\bnum=9\b/i, problem: 'not-yet-valid', alternatives: [], liability: 'server', meaning: 'a certificate in the chain is not valid yet', action: "check this machine's clock, then the certificate's start date" },
  { test: /certificate has expired|CERT_HAS_EXPIRED|CertificateExpiredException|validity check failed|NotTimeValid|\bnum=10\b|certificate expired/i, problem: 'expired', alternatives: [], liability: 'server', meaning: 'a certificate in the chain has expired', action: 'the server admin must renew it (or serve a current intermediate)' },
  { test: /hostname mismatch|no alternative certificate subject name|subject alt(ernative)? name does not match|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|is valid for .*, not |No subject alternative (DNS )?name|No name matching|RemoteCertificateNameMismatch|doesn'?t match|curl: \(51\)|\bnum=62\b/i, problem: 'hostname-mismatch', alternatives: [], liability: 'server', meaning: 'the certificate does not name the host that was asked for', action: 'use the name the certificate covers, or have the admin add this name to its subjectAltName' },
  { test: /PKIX path building failed|unable to find valid certification path|signed by unknown authority|SEC_E_UNTRUSTED_ROOT|UntrustedRoot|RemoteCertificateChainErrors|server certificate verification failed|cannot verify .* certificate|Could not establish trust relationship|CERTIFICATE_VERIFY_FAILED|certificate verify failed|There was a problem confirming the ssl certificate/i, problem: 'unknown-ca', alternatives: ['incomplete-chain', 'self-signed'], liability: 'client', meaning: "the client could not build a trusted chain: an unknown or corporate root, a missing intermediate, or a self-signed certificate; this client's message does not say which", action: 'run tlswitness inspect HOST to see the chain as sent and which store trusts it' },
  { test: /error setting certificate verify locations|CAfile: .* CApath|curl: \(77\)|problem with the SSL CA cert/i, problem: 'unknown-ca', alternatives: [], liability: 'client', meaning: 'the client could not read its own CA bundle (wrong path or unreadable file), so it trusts nothing', action: 'fix the CA bundle path (CURL_CA_BUNDLE, SSL_CERT_FILE, --cacert); tlswitness doctor checks them' },
  { test: /wrong version number|WRONG_VERSION_NUMBER|handshake failure|HANDSHAKE_FAILURE|no protocols available|unsupported protocol|PROTOCOL_VERSION|no shared cipher|SSL_ERROR_SYSCALL|curl: \(35\)|SSL connect error|The underlying connection was closed|ECONNRESET during the TLS handshake/i, problem: 'handshake-failed', alternatives: [], liability: 'server', meaning: 'the TLS handshake itself failed: no common protocol or cipher, a non-TLS port, or a middlebox resetting it', action: 'run tlswitness inspect HOST (and with --tls-max 1.2) to see the alert' },
  { test: /Could not resolve host|ENOTFOUND|getaddrinfo|Name or service not known|no such host|Connection refused|ECONNREFUSED|timed out|ETIMEDOUT|Failed to connect/i, problem: 'connection-failed', alternatives: [], liability: 'network', meaning: 'no TLS happened: the name did not resolve, or the connection was refused or timed out', action: 'check the name, the port and any proxy (HTTPS_PROXY); tlswitness inspect HOST says which step failed' },
];

const CLIENTS: Array<[string, RegExp]> = [
  ['curl', /curl: \(\d+\)|curl\.se\/docs/i],
  ['git', /fatal: unable to access|GIT_SSL|git clone|gnutls_handshake/i],
  ['pip', /pip\b|Could not fetch URL|There was a problem confirming the ssl certificate/i],
  ['Python', /SSLCertVerificationError|\[SSL: [A-Z_]+\]|HTTPSConnectionPool|urllib3|requests\.exceptions|_ssl\.c:\d+|ssl\.SSLError/],
  ['Java', /javax\.net\.ssl|PKIX path|sun\.security|java\.security\.cert/],
  ['Go', /\bx509: |tls: failed to verify certificate/],
  ['.NET', /AuthenticationException|RemoteCertificate|System\.Net\.Http|HttpRequestException/],
  ['PowerShell', /Invoke-WebRequest|Invoke-RestMethod|Could not establish trust relationship for the SSL\/TLS secure channel/i],
  ['wget', /ERROR: cannot verify .* certificate|To connect to .* insecurely, use/i],
  ['OpenSSL', /verify error:num=|Verify return code|s_client/],
  ['Node', /\b(UNABLE_TO_[A-Z_]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_[A-Z_]+|ERR_SSL_[A-Z_]+)\b|npm ERR!|node:internal/i],
];

const HOST_PATTERNS: RegExp[] = [
  /host name '([^']+)'/i,
  /HTTPSConnectionPool\(host='([^']+)'/,
  /not valid for '([^']+)'/,
  /Host: ([^\s.,]+(?:\.[^\s.,]+)+)\. is not/,
  /, not ([a-z0-9.-]+\.[a-z]{2,})\b/i,
  /matching ([a-z0-9.-]+\.[a-z]{2,}) found/i,
  /https?:\/\/([a-z0-9.-]+\.[a-z]{2,}|\[[0-9a-f:]+\])(?::\d+)?/i,
  /(?:connect(?:ing|ion)? to|verify) ([a-z0-9.-]+\.[a-z]{2,})/i,
];

function findHost(text: string): string | null {
  for (const pattern of HOST_PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1] && !/^(curl\.se|docs\.python\.org|github\.com\/nodejs)$/i.test(match[1])) return match[1].replace(/^\[|\]$/g, '');
  }
  return null;
}

export function explain(text: string): Explanation {
  const client = CLIENTS.find(([, test]) => test.test(text))?.[0] ?? null;
  const host = findHost(text);
  const rule = RULES.find((r) => r.test.test(text));
  const next = `tlswitness inspect ${host ?? 'HOST'}`;
  if (!rule) {
    return { recognized: false, client, problem: null, alternatives: [], host, meaning: 'this text is not a TLS error message tlswitness knows', liability: null, action: 'paste the whole error, including the line with the TLS library message', next };
  }
  return { recognized: true, client, problem: rule.problem, alternatives: rule.alternatives, host, meaning: rule.meaning, liability: rule.liability, action: rule.action.replace(/HOST/g, host ?? 'HOST'), next };
}
