// The message families `explain` recognises: each pattern, the problem class it means and the ones
// the text cannot rule out. Strings as the clients print them: recorded from curl, wget (GnuTLS),
// python3, node, openssl s_client, git and Java against broken loopback servers
// (test/fixtures/client-messages.json), the rest from each client's sources and docs.
import type { Liability, Problem } from '../types.js';
import { HANDSHAKE_RULES } from './explain-handshake-rules.js';

export interface Rule {
  test: RegExp;
  problem: Problem;
  alternatives: Problem[];
  liability: Liability;
  meaning: string;
  /** HOST is replaced by the host named in the text, when there is one. */
  action: string;
  /** Picks a more precise class from the same text (Go says "expired or not yet valid", then which). */
  refine?: (text: string) => Problem | null;
}

const CHAIN_UNKNOWN =
  "the client could not build a trusted chain: an unknown or corporate root, a missing intermediate, or a self-signed certificate; this client's message does not say which";
const INSPECT = 'run tlswitness inspect HOST to see the chain as sent and which store trusts it';

// First match wins, so the most specific come first: a security-level refusal and the client-certificate
// alerts before the generic "certificate verify failed" that OpenSSL prints beside them,
// "self-signed certificate in certificate chain" before "self-signed certificate".
export const RULES: Rule[] = [
  {
    // OpenSSL's security level (x509_txt.c codes 66-68, ssl_err.c); GnuTLS, Java, Go, browsers alike.
    test: /EE certificate key too weak|CA certificate key too weak|CA signature digest algorithm too weak|\bca md too weak|\bee key too small|\bca key too small|\bdh key too small|(?:CA_MD_TOO_WEAK|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL|DH_KEY_TOO_SMALL)\b|\bnum=6[678]\b|signed using an insecure algorithm|Algorithm constraints check failed|does not comply to algorithm constraints|Certificate signature algorithm disabled|insecure algorithm SHA1|x509sha1|bit keys are insecure|ERR_CERT_WEAK_(?:SIGNATURE_ALGORITHM|KEY)|SEC_ERROR_CERT_SIGNATURE_ALGORITHM_DISABLED|WEAK_SERVER_EPHEMERAL_DH_KEY|CERT_TRUST_IS_NOT_SIGNATURE_VALID.*weak|UnsupportedSignatureAlgorithm/i,
    problem: 'weak-crypto',
    alternatives: [],
    liability: 'server',
    meaning:
      "a key or signature in the server's certificate (or its Diffie-Hellman group) is too weak for this client's security policy: RSA below 2048 bits or a SHA-1 signature at OpenSSL security level 2 (Debian, Ubuntu, RHEL 9 curl and Python), below 1024 bits or SHA-1 at level 1 (Node); GnuTLS (wget, git on Debian) refuses SHA-1; Java, Go and browsers have similar rules",
    action:
      'the server admin must reissue the certificate with an RSA 2048+ or ECDSA key and a SHA-256 signature (and offer ECDHE or a 2048-bit DH group); tlswitness inspect HOST names the weak certificate',
  },
  {
    // OpenSSL (x509_txt.c 47/48: curl, Python, Node as UNSPECIFIED), Go, Java's PKIX, Chrome, Firefox, .NET.
    test: /permitted subtree violation|excluded subtree violation|X509_V_ERR_(?:PERMITTED|EXCLUDED)_VIOLATION|\bnum=4[78]\b|name constraints? check failed|not authorized to sign for this name|is not permitted by any constraint|is excluded by constraint|ERR_CERT_NAME_CONSTRAINT_VIOLATION|SEC_ERROR_CERT_NOT_IN_NAME_SPACE|Has(?:NotPermitted|Excluded)NameConstraint/i,
    problem: 'name-constraints',
    alternatives: [],
    liability: 'server',
    meaning:
      'a CA in the chain is restricted by name constraints and was not allowed to issue a certificate for this name (the name is outside its permitted names, or among its excluded ones): typical of a corporate or inspection CA limited to internal names. Trusting that CA does not help',
    action:
      'run tlswitness inspect HOST to see which CA and name; the server admin must use a certificate from a CA allowed to issue for HOST, or, for an inspection CA, IT must exempt HOST from inspection',
  },
  ...HANDSHAKE_RULES,
  {
    // Python 3.13+ sets VERIFY_X509_STRICT: RFC 5280 violations common in antivirus and corporate roots.
    test: /Basic Constraints of CA cert not marked critical|Missing Authority Key Identifier|Missing Subject Key Identifier|CA cert does not include key usage extension|\bnum=(?:8[5-9]|9[0-4])\b/i,
    problem: 'unknown-ca',
    alternatives: [],
    liability: 'client',
    meaning:
      'a CA certificate breaks RFC 5280 in a way strict clients refuse (Python 3.13+ verifies with VERIFY_X509_STRICT): typical of antivirus and corporate inspection roots',
    action: 'run tlswitness inspect HOST (its strict warnings name the certificate); ask IT for a compliant root',
  },
  {
    test: /certificate[ _]required|No required SSL certificate was sent|alert bad certificate|bad_certificate|tls: bad certificate|SSLV3_ALERT_BAD_CERTIFICATE|alert unknown ca|TLSV1_ALERT_UNKNOWN_CA|Received fatal alert: unknown_ca|tls: unknown certificate authority|unable to set private key file|unable to use client certificate|curl: \(58\)|ERR_BAD_SSL_CLIENT_AUTH_CERT|SSL_ERROR_BAD_CERT_ALERT|SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT|400 The SSL certificate error|\b49[56] (?:SSL Certificate|Bad Request)/i,
    problem: 'client-cert-required',
    alternatives: [],
    liability: 'client',
    meaning:
      'the server wants a client certificate (mutual TLS) and none, or an unaccepted one, was presented (an "unknown ca" or "bad certificate" alert is the server refusing the client\'s certificate)',
    action: 'present a certificate from a CA the server accepts (tlswitness inspect HOST shows the accepted CA names)',
  },
  {
    // GnuTLS (wget, Debian's git): a TLS 1.3 server's alert after the handshake, usually "certificate required".
    test: /The specified session has been invalidated/i,
    problem: 'client-cert-required',
    alternatives: ['handshake-failed'],
    liability: 'client',
    meaning:
      'the server ended the session right after the handshake: with TLS 1.3 this is how a server refuses a missing or unaccepted client certificate (GnuTLS does not show the alert)',
    action:
      'run tlswitness inspect HOST: it shows whether the server asks for a client certificate and which CAs it accepts',
  },
  {
    test: /A TLS fatal alert has been received|GnuTLS recv error \(-12\)/i,
    problem: 'handshake-failed',
    alternatives: ['client-cert-required'],
    liability: 'server',
    meaning:
      'the server sent a fatal TLS alert (GnuTLS does not say which): a missing client certificate, or no protocol or cipher in common',
    action: 'run tlswitness inspect HOST to see the alert and whether the server asks for a client certificate',
  },
  {
    test: /self[- ]signed certificate in certificate chain|SELF_SIGNED_CERT_IN_CHAIN|\bnum=19\b/i,
    problem: 'unknown-ca',
    alternatives: [],
    liability: 'client',
    meaning:
      'the chain ends in a root the server (or something in between) sent but no trust store holds: a private or corporate CA, or TLS interception',
    action:
      'if it is your company CA, trust its root (--extra-ca, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS); else check for interception with tlswitness detect',
  },
  {
    test: /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|\bnum=21\b|PartialChain|CERT_TRUST_IS_PARTIAL_CHAIN/i,
    problem: 'incomplete-chain',
    alternatives: ['unknown-ca'],
    liability: 'server',
    meaning:
      'the server sent its certificate without the intermediate that issued it; browsers fetch it and work, most other clients fail',
    action:
      'the server admin must serve the full chain (fullchain.pem); confirm with tlswitness inspect HOST --fetch-missing',
  },
  {
    test: /unable to get local issuer certificate|unable to get issuer certificate|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?\b|\bnum=(?:20|2)\b/i,
    problem: 'unknown-ca',
    alternatives: ['incomplete-chain'],
    liability: 'client',
    meaning:
      'the chain leads to an issuer this client does not trust: an unknown (corporate) root, or an intermediate the server did not send',
    action: 'run tlswitness inspect HOST: it tells a missing intermediate (server) from an unknown root (add the CA)',
  },
  {
    test: /self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT|\bnum=18\b|MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT/i,
    problem: 'self-signed',
    alternatives: [],
    liability: 'server',
    meaning: 'the server presents a certificate that signs itself, which no store trusts',
    action: 'replace it with a CA-issued certificate, or trust that certificate explicitly if the host is internal',
  },
  {
    // Go: "x509: certificate has expired or is not yet valid: current time T is after|before N".
    test: /expired or is not yet valid|ERR_CERT_DATE_INVALID|CERT_E_EXPIRED|not within its validity period/i,
    problem: 'expired',
    alternatives: ['not-yet-valid'],
    liability: 'server',
    meaning: 'a certificate is outside its validity period (this message does not say which end)',
    action: "renew the certificate, or fix this machine's clock",
    refine: (text) =>
      /current time \S+ is before/i.test(text)
        ? 'not-yet-valid'
        : /current time \S+ is after/i.test(text)
          ? 'expired'
          : null,
  },
  {
    test: /not yet valid|CERT_NOT_YET_VALID|CertificateNotYetValidException|\bnum=9\b|is not yet activated|has not yet been activated|NOT_YET_VALID_CERTIFICATE|NotValidYet/i,
    problem: 'not-yet-valid',
    alternatives: [],
    liability: 'server',
    meaning: 'a certificate in the chain is not valid yet',
    action: "check this machine's clock, then the certificate's start date",
  },
  {
    test: /certificate has expired|CERT_HAS_EXPIRED|CertificateExpiredException|validity check failed|NotTimeValid|\bnum=10\b|certificate expired|[’'] has expired|SEC_ERROR_EXPIRED(?:_ISSUER)?_CERTIFICATE|SEC_E_CERT_EXPIRED|invalid peer certificate: Expired/i,
    problem: 'expired',
    alternatives: [],
    liability: 'server',
    meaning: 'a certificate in the chain has expired',
    action: 'the server admin must renew it (or serve a current intermediate)',
  },
  {
    test: /hostname mismatch|no alternative certificate subject name|subject alt(?:ernative)? name does not match|certificate subject name \(.*\) does not match target host name|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|is valid for .*, not |is not valid for any names|relies on legacy Common Name field|No subject alternative (?:DNS )?name|No name matching|RemoteCertificateNameMismatch|owner does not match hostname|does not match the server certificate|did not match expected CN|doesn'?t match|ERR_CERT_COMMON_NAME_INVALID|SSL_ERROR_BAD_CERT_DOMAIN|CERT_E_CN_NO_MATCH|SEC_E_WRONG_PRINCIPAL|target principal name is incorrect|NotValidForName|curl: \(51\)|\bnum=62\b/i,
    problem: 'hostname-mismatch',
    alternatives: [],
    liability: 'server',
    meaning: 'the certificate does not name the host that was asked for',
    action: 'use the name the certificate covers, or have the admin add this name to its subjectAltName',
  },
  {
    // Windows schannel (curl, git, PowerShell): the revocation server could not be reached.
    test: /CRYPT_E_NO_REVOCATION_CHECK|CRYPT_E_REVOCATION_OFFLINE|0x8009201[23]|unable to check revocation|RevocationStatusUnknown|OfflineRevocation/i,
    problem: 'handshake-failed',
    alternatives: ['unknown-ca'],
    liability: 'network',
    meaning:
      "Windows (schannel) refused the connection because it could not check whether the certificate is revoked: the CRL or OCSP server was unreachable, as happens offline, behind a firewall, or when an interceptor's CA names no reachable revocation server",
    action:
      'curl: --ssl-revoke-best-effort (or --ssl-no-revoke); git: git config http.schannelCheckRevoke false; then check for interception with tlswitness detect',
  },
  {
    // GnuTLS (wget, Debian's git), Java's PKIX and schannel: one message for every chain failure.
    test: /server certificate verification failed|certificate verify failed(?! *:)|CERTIFICATE_VERIFY_FAILED\] certificate verify failed \(/i,
    problem: 'unknown-ca',
    alternatives: ['incomplete-chain', 'self-signed', 'expired', 'not-yet-valid', 'weak-crypto'],
    liability: 'client',
    meaning:
      "the client refused the server's certificate without saying why: an unknown or corporate root, a missing intermediate, a self-signed, expired or weak certificate",
    action: INSPECT,
  },
  {
    // Java (and Maven, Gradle on it) reads its own trust store, cacerts, not the system's or SSL_CERT_FILE:
    // a corporate root is added there. `-cacerts` is keytool's shortcut to it since Java 9 (JDK-8044755).
    test: /PKIX path building failed|unable to find valid certification path|SunCertPathBuilderException/i,
    problem: 'unknown-ca',
    alternatives: ['incomplete-chain', 'self-signed'],
    liability: 'client',
    meaning: `${CHAIN_UNKNOWN}; Java trusts only its own cacerts, not the system store`,
    action: `${INSPECT}; if the root is your own or your company's CA, add it to the JVM's trust store: keytool -importcert -cacerts -file ROOT.pem -alias corp-root (the cacerts password is changeit unless it was changed; run as the JVM's owner)`,
  },
  {
    test: /PKIX path building failed|unable to find valid certification path|signed by unknown authority|SEC_E_UNTRUSTED_ROOT|CERT_E_UNTRUSTEDROOT|UntrustedRoot|RemoteCertificateChainErrors|doesn't have a known issuer|is not trusted|cannot verify .* certificate|Could not establish trust relationship|invalid according to the validation procedure|CERTIFICATE_VERIFY_FAILED|certificate verify failed|There was a problem confirming the ssl certificate|ERR_CERT_AUTHORITY_INVALID|SEC_ERROR_UNKNOWN_ISSUER|MOZILLA_PKIX_ERROR_MITM_DETECTED|invalid peer certificate: UnknownIssuer|UnknownIssuer|certificate signature failure|CERT_SIGNATURE_FAILURE|RemoteCertificateValidationCallback|SSL certificate problem/i,
    problem: 'unknown-ca',
    alternatives: ['incomplete-chain', 'self-signed'],
    liability: 'client',
    meaning: CHAIN_UNKNOWN,
    action: INSPECT,
  },
  {
    test: /error setting certificate verify locations|CAfile: .* CApath|curl: \(77\)|problem with the SSL CA cert/i,
    problem: 'unknown-ca',
    alternatives: [],
    liability: 'client',
    meaning: 'the client could not read its own CA bundle (wrong path or unreadable file), so it trusts nothing',
    action: 'fix the CA bundle path (CURL_CA_BUNDLE, SSL_CERT_FILE, --cacert); tlswitness doctor checks them',
  },
  {
    // Java's HttpURLConnection, libcurl, Node, OpenSSL 3: the peer hung up without an alert the client
    // reports (recorded against a TLS 1.3 server refusing a missing client certificate, when the close wins the race).
    test: /Error writing to server|getpeername\(\) failed|Transport endpoint is not connected|Broken pipe|Connection reset by peer|ECONNRESET|socket hang up|unexpected eof while reading|UNEXPECTED_EOF_WHILE_READING|Remote host terminated the handshake|Client network socket disconnected before secure TLS connection|remote party has closed the transport stream/i,
    problem: 'handshake-failed',
    alternatives: ['client-cert-required'],
    liability: 'server',
    meaning:
      'the server closed or reset the connection during or right after the handshake: a TLS 1.3 server refusing a missing client certificate does this, and so does a server or middlebox that will not speak TLS with this client',
    action:
      'run tlswitness inspect HOST: it shows whether the server asks for a client certificate and where the handshake stops',
  },
  {
    test: /wrong version number|WRONG_VERSION_NUMBER|handshake[ _]failure|no protocols available|unsupported protocol|protocol[ _]version|No appropriate protocol|no shared cipher|no cipher(?:s)? (?:match|available)|SSL_ERROR_SYSCALL|curl: \(35\)|SSL connect error|The underlying connection was closed|\bEPROTO\b|ERR_SSL_VERSION_OR_CIPHER_MISMATCH|ERR_SSL_PROTOCOL_ERROR|SSL_ERROR_NO_CYPHER_OVERLAP|SSL_ERROR_UNSUPPORTED_VERSION|SEC_E_ALGORITHM_MISMATCH|do not possess a common algorithm|illegal or unsupported version|non-properly terminated|Error in the pull function|remote error: tls:|SSLHandshakeException|Received fatal alert/i,
    problem: 'handshake-failed',
    alternatives: [],
    liability: 'server',
    meaning:
      'the TLS handshake itself failed: no common protocol or cipher, a non-TLS port, or a middlebox resetting it',
    action: 'run tlswitness inspect HOST (and with --tls-max 1.2) to see the alert',
  },
  {
    test: /Could not resolve host|ENOTFOUND|getaddrinfo|Name or service not known|no such host|Connection refused|ECONNREFUSED|errno=111|Couldn't connect to server|timed out|ETIMEDOUT|Failed to connect|Failed to establish a new connection|No route to host|Network is unreachable|ConnectException|UnknownHostException/i,
    problem: 'connection-failed',
    alternatives: [],
    liability: 'network',
    meaning: 'no TLS happened: the name did not resolve, or the connection was refused or timed out',
    action: 'check the name, the port and any proxy (HTTPS_PROXY); tlswitness inspect HOST says which step failed',
  },
];
