// explain() on the messages real clients printed against broken loopback servers
// (test/fixtures/client-messages.json, refreshed by scripts/client-messages.ts), and on the documented
// messages of clients this machine does not have, as their sources and docs print them.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { explain } from '../../src/diagnose/explain.js';
import type { Problem } from '../../src/types.js';
import type { ClientMessage } from '../../scripts/client-messages.js';

const corpus: ClientMessage[] = JSON.parse(
  readFileSync(new URL('../fixtures/client-messages.json', import.meta.url), 'utf8'),
);

test('every refusal recorded from a real client maps to its server problem', (t) => {
  const refused = corpus.filter((m) => !m.accepted);
  t.true(refused.length >= 90, 'the corpus holds the recorded refusals');
  for (const client of new Set(corpus.map((m) => m.client)))
    t.true(
      refused.some((m) => m.client === client),
      `${client} refused something`,
    );
  for (const m of refused) {
    const result = explain(m.message);
    t.true(result.recognized, `${m.client} ${m.case}: ${m.message}`);
    t.true(
      [result.problem, ...result.alternatives].includes(m.expected),
      `${m.client} ${m.case}: ${result.problem}/${result.alternatives.join('/')} for ${m.message.slice(-300)}`,
    );
  }
});

test('the recorded client is named from its own output', (t) => {
  const NAMES: Record<string, string> = {
    curl: 'curl',
    wget: 'wget',
    'python3-urllib': 'Python',
    'python3-requests': 'Python',
    node: 'Node',
    openssl: 'OpenSSL',
    git: 'git',
    java: 'Java',
  };
  for (const m of corpus.filter((c) => !c.accepted))
    t.is(explain(m.message).client, NAMES[m.client] ?? null, `${m.client} ${m.case}`);
});

// [message, client, problem, alternatives that must be listed (or null: none), host]
type Sample = [string, string | null, Problem, Problem[] | null, string | null];

const SAMPLES: Sample[] = [
  // OpenSSL security levels (x509_txt.c, ssl_err.c), every client on it.
  ['curl: (60) SSL certificate problem: EE certificate key too weak', 'curl', 'weak-crypto', null, null],
  ['curl: (60) SSL certificate problem: CA certificate key too weak', 'curl', 'weak-crypto', null, null],
  [
    'ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: CA signature digest algorithm too weak (_ssl.c:1006)',
    'Python',
    'weak-crypto',
    null,
    null,
  ],
  [
    '140245:error:1417A0C1:SSL routines:tls_process_client_certificate:ca md too weak:ssl/statem/statem_srvr.c:3711',
    null,
    'weak-crypto',
    null,
    null,
  ],
  ['Error: 40E8:error:0A00018A:SSL routines:tls_process_ske_dhe:dh key too small', null, 'weak-crypto', null, null],
  [
    'curl: (35) OpenSSL/3.0.13: error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported',
    'curl',
    'handshake-failed',
    ['weak-crypto'],
    null,
  ],
  [
    'Error: write EPROTO 40B8:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 70',
    'Node',
    'handshake-failed',
    null,
    null,
  ],
  [
    'curl: (35) OpenSSL/3.0.13: error:0A000152:SSL routines::unsafe legacy renegotiation disabled',
    'curl',
    'handshake-failed',
    ['weak-crypto'],
    null,
  ],
  [
    'ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Basic Constraints of CA cert not marked critical (_ssl.c:1028)',
    'Python',
    'unknown-ca',
    null,
    null,
  ],
  [
    'curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0',
    'curl',
    'client-cert-required',
    null,
    null,
  ],
  [
    'Get "https://mtls.example.com/": remote error: tls: bad certificate',
    'Go',
    'client-cert-required',
    null,
    'mtls.example.com',
  ],
  [
    'System.Security.Authentication.AuthenticationException: Authentication failed because the remote party has closed the transport stream.',
    '.NET',
    'handshake-failed',
    ['client-cert-required'],
    null,
  ],
  // wget / GnuTLS (src/openssl.c and gnutls.c of wget; GnuTLS's verification strings).
  [
    "ERROR: The certificate of ‘api.example.com’ is not trusted.\nERROR: The certificate of ‘api.example.com’ doesn't have a known issuer.",
    'wget',
    'unknown-ca',
    ['incomplete-chain', 'self-signed'],
    'api.example.com',
  ],
  [
    'ERROR: The certificate of ‘api.example.com’ is not trusted.\nERROR: The certificate of ‘api.example.com’ has expired.',
    'wget',
    'expired',
    null,
    'api.example.com',
  ],
  [
    'ERROR: The certificate of ‘api.example.com’ is not yet activated.',
    'wget',
    'not-yet-valid',
    null,
    'api.example.com',
  ],
  [
    "The certificate's owner does not match hostname ‘api.example.com’",
    'wget',
    'hostname-mismatch',
    null,
    'api.example.com',
  ],
  [
    'ERROR: The certificate of ‘old.example.com’ was signed using an insecure algorithm.',
    'wget',
    'weak-crypto',
    null,
    'old.example.com',
  ],
  [
    "ERROR: cannot verify api.example.com's certificate, issued by 'CN=R11,O=Let's Encrypt,C=US': Unable to locally verify the issuer's authority. To connect to api.example.com insecurely, use `--no-check-certificate'.",
    'wget',
    'unknown-ca',
    null,
    'api.example.com',
  ],
  // git with libcurl-gnutls (older libcurl wording) and with schannel.
  [
    "fatal: unable to access 'https://git.example.com/repo.git/': SSL: certificate subject name (other.example.com) does not match target host name 'git.example.com'",
    'git',
    'hostname-mismatch',
    null,
    'git.example.com',
  ],
  [
    "fatal: unable to access 'https://git.example.com/repo.git/': server certificate verification failed. CAfile: none CRLfile: none",
    'git',
    'unknown-ca',
    ['incomplete-chain', 'expired', 'weak-crypto'],
    'git.example.com',
  ],
  [
    "fatal: unable to access 'https://git.example.com/': schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by an authority that is not trusted.",
    'git',
    'unknown-ca',
    null,
    'git.example.com',
  ],
  [
    "fatal: unable to access 'https://git.example.com/': schannel: next InitializeSecurityContext failed: Unknown error (0x80092012) - The revocation function was unable to check revocation for the certificate.",
    'git',
    'handshake-failed',
    ['unknown-ca'],
    'git.example.com',
  ],
  // Windows schannel curl.
  [
    'curl: (35) schannel: next InitializeSecurityContext failed: CRYPT_E_NO_REVOCATION_CHECK (0x80092012) - The revocation function was unable to check revocation for the certificate.',
    'curl',
    'handshake-failed',
    ['unknown-ca'],
    null,
  ],
  [
    'curl: (35) schannel: next InitializeSecurityContext failed: CRYPT_E_REVOCATION_OFFLINE (0x80092013) - The revocation function was unable to check revocation because the revocation server was offline.',
    'curl',
    'handshake-failed',
    ['unknown-ca'],
    null,
  ],
  [
    'curl: (60) schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by an authority that is not trusted.',
    'curl',
    'unknown-ca',
    null,
    null,
  ],
  [
    'curl: (60) schannel: CertGetCertificateChain trust error CERT_TRUST_IS_PARTIAL_CHAIN',
    'curl',
    'incomplete-chain',
    null,
    null,
  ],
  [
    'curl: (35) schannel: SNI or certificate check failed: SEC_E_WRONG_PRINCIPAL (0x80090322) - The target principal name is incorrect.',
    'curl',
    'hostname-mismatch',
    null,
    null,
  ],
  // Go (crypto/x509/verify.go), Docker on Go.
  [
    'Get "https://api.example.com/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    'Go',
    'unknown-ca',
    null,
    'api.example.com',
  ],
  [
    'x509: certificate has expired or is not yet valid: current time 2026-11-23T10:00:00Z is after 2026-01-01T00:00:00Z',
    'Go',
    'expired',
    null,
    null,
  ],
  [
    'x509: certificate has expired or is not yet valid: current time 2026-11-23T10:00:00Z is before 2027-01-01T00:00:00Z',
    'Go',
    'not-yet-valid',
    null,
    null,
  ],
  [
    'x509: certificate is valid for www.example.org, not api.example.com',
    'Go',
    'hostname-mismatch',
    null,
    'api.example.com',
  ],
  ['x509: certificate relies on legacy Common Name field, use SANs instead', 'Go', 'hostname-mismatch', null, null],
  [
    'tls: failed to verify certificate: x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)',
    'Go',
    'weak-crypto',
    null,
    null,
  ],
  [
    'Error response from daemon: Get "https://registry.example.com/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    'Docker',
    'unknown-ca',
    null,
    'registry.example.com',
  ],
  // Java / JSSE, and Maven and Gradle on it.
  [
    'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    'Java',
    'unknown-ca',
    ['incomplete-chain', 'self-signed'],
    null,
  ],
  [
    'java.security.cert.CertificateExpiredException: NotAfter: Mon Jan 01 00:00:00 UTC 2024',
    'Java',
    'expired',
    null,
    null,
  ],
  [
    'java.security.cert.CertificateException: No subject alternative DNS name matching api.example.com found.',
    'Java',
    'hostname-mismatch',
    null,
    'api.example.com',
  ],
  [
    'javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_required',
    'Java',
    'client-cert-required',
    null,
    null,
  ],
  [
    'java.security.cert.CertPathValidatorException: Algorithm constraints check failed on signature algorithm: SHA1withRSA',
    'Java',
    'weak-crypto',
    null,
    null,
  ],
  [
    'javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher suites are inappropriate)',
    'Java',
    'handshake-failed',
    null,
    null,
  ],
  [
    '[ERROR] Failed to execute goal on project app: Could not transfer artifact org.example:lib:pom:1.0 from/to central (https://repo.example.com/maven2): PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    'Maven',
    'unknown-ca',
    null,
    'repo.example.com',
  ],
  [
    "> Could not GET 'https://plugins.example.com/m2/x.pom'. > PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
    'Gradle',
    'unknown-ca',
    null,
    'plugins.example.com',
  ],
  // .NET and PowerShell.
  [
    'System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception. ---> System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch',
    '.NET',
    'hostname-mismatch',
    null,
    null,
  ],
  [
    'System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure: RemoteCertificateChainErrors',
    '.NET',
    'unknown-ca',
    null,
    null,
  ],
  [
    'System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure.',
    '.NET',
    'unknown-ca',
    null,
    null,
  ],
  [
    'Invoke-WebRequest : The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.',
    'PowerShell',
    'unknown-ca',
    null,
    null,
  ],
  // Ruby and PHP (both on OpenSSL).
  [
    'OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=203.0.113.5:443 state=error: certificate verify failed (unable to get local issuer certificate)',
    'Ruby',
    'unknown-ca',
    ['incomplete-chain'],
    null,
  ],
  [
    'OpenSSL::SSL::SSLError: hostname "api.example.com" does not match the server certificate',
    'Ruby',
    'hostname-mismatch',
    null,
    'api.example.com',
  ],
  [
    'PHP Warning:  file_get_contents(): SSL operation failed with code 1. OpenSSL Error messages:\nerror:0A000086:SSL routines::certificate verify failed in /app/x.php on line 3',
    'PHP',
    'unknown-ca',
    ['expired', 'incomplete-chain'],
    null,
  ],
  [
    "PHP Warning:  file_get_contents(): Peer certificate CN=`other.example.com' did not match expected CN=`api.example.com'",
    'PHP',
    'hostname-mismatch',
    null,
    null,
  ],
  [
    'cURL error 60: SSL certificate problem: certificate has expired (see https://curl.haxx.se/libcurl/c/libcurl-errors.html)',
    'PHP',
    'expired',
    null,
    null,
  ],
  // Rust (rustls through reqwest).
  [
    'error sending request for url (https://api.example.com/): error trying to connect: invalid peer certificate: UnknownIssuer',
    'Rust',
    'unknown-ca',
    null,
    'api.example.com',
  ],
  ['invalid peer certificate: Expired', 'Rust', 'expired', null, null],
  ['invalid peer certificate: NotValidForName', 'Rust', 'hostname-mismatch', null, null],
  // Browsers.
  [
    'Your connection is not private NET::ERR_CERT_AUTHORITY_INVALID',
    'Chrome',
    'unknown-ca',
    ['incomplete-chain', 'self-signed'],
    null,
  ],
  ['NET::ERR_CERT_COMMON_NAME_INVALID', 'Chrome', 'hostname-mismatch', null, null],
  ['NET::ERR_CERT_DATE_INVALID', 'Chrome', 'expired', ['not-yet-valid'], null],
  ['ERR_SSL_VERSION_OR_CIPHER_MISMATCH', 'Chrome', 'handshake-failed', null, null],
  ['Error code: SEC_ERROR_UNKNOWN_ISSUER', 'Firefox', 'unknown-ca', null, null],
  ['Error code: SSL_ERROR_BAD_CERT_DOMAIN', 'Firefox', 'hostname-mismatch', null, null],
  ['Error code: SEC_ERROR_EXPIRED_CERTIFICATE', 'Firefox', 'expired', null, null],
  // Package managers.
  [
    'npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY\nnpm ERR! errno UNABLE_TO_GET_ISSUER_CERT_LOCALLY\nnpm ERR! request to https://registry.npmjs.org/left-pad failed, reason: unable to get local issuer certificate',
    'npm',
    'unknown-ca',
    ['incomplete-chain'],
    'registry.npmjs.org',
  ],
  ['npm ERR! code SELF_SIGNED_CERT_IN_CHAIN', 'npm', 'unknown-ca', null, null],
  [
    "Could not fetch URL https://pypi.org/simple/requests/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: /simple/requests/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)'))) - skipping",
    'pip',
    'unknown-ca',
    null,
    'pypi.org',
  ],
  // The families the first version already knew.
  [
    "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))",
    'Python',
    'unknown-ca',
    ['incomplete-chain'],
    'api.example.com',
  ],
  [
    "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: api.example.com. is not in the cert's altnames: DNS:www.example.org",
    'Node',
    'hostname-mismatch',
    null,
    'api.example.com',
  ],
  ['Error: self-signed certificate in certificate chain', null, 'unknown-ca', null, null],
  [
    'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to api.example.com:443',
    'curl',
    'handshake-failed',
    null,
    'api.example.com',
  ],
  ['curl: (6) Could not resolve host: api.example.com', 'curl', 'connection-failed', null, null],
  [
    'curl: (77) error setting certificate verify locations:  CAfile: /etc/ssl/certs/missing.pem CApath: none',
    'curl',
    'unknown-ca',
    null,
    null,
  ],
  // Recorded too, when a TLS 1.3 server's close after refusing the missing client certificate wins the race.
  [
    'Exception in thread "main" java.io.IOException: Error writing to server',
    'Java',
    'handshake-failed',
    ['client-cert-required'],
    null,
  ],
  [
    "fatal: unable to access 'https://mtls.example.com:8443/repo.git/': getpeername() failed with errno 107: Transport endpoint is not connected",
    'git',
    'handshake-failed',
    ['client-cert-required'],
    'mtls.example.com',
  ],
];

for (const [index, [message, client, problem, alternatives, host]] of SAMPLES.entries()) {
  test(`documented #${index + 1}: ${message.slice(-90)}`, (t) => {
    const result = explain(message);
    t.true(result.recognized);
    t.is(result.client, client);
    t.is(result.problem, problem);
    if (alternatives)
      for (const alt of alternatives)
        t.true(result.alternatives.includes(alt), `${alt} among ${result.alternatives.join(', ')}`);
    else
      t.deepEqual(
        result.alternatives.filter((a) => a === problem),
        [],
      );
    if (host) t.is(result.host, host);
    t.regex(result.next, /^tlswitness inspect /);
  });
}

test('every OpenSSL security-level message is weak-crypto, never unknown-ca', (t) => {
  for (const reason of [
    'EE certificate key too weak',
    'CA certificate key too weak',
    'CA signature digest algorithm too weak',
    'ca md too weak',
    'dh key too small',
    'ee key too small',
  ]) {
    const result = explain(`error:0A000086:SSL routines::certificate verify failed: ${reason}`);
    t.is(result.problem, 'weak-crypto', reason);
    t.is(result.liability, 'server');
  }
});

test('a name-constraint violation is name-constraints, never unknown-ca: OpenSSL 47/48 in every client, Go, Java, browsers, .NET', (t) => {
  for (const message of [
    'curl: (60) SSL certificate problem: permitted subtree violation',
    'curl: (60) SSL certificate problem: excluded subtree violation',
    "requests.exceptions.SSLError: HTTPSConnectionPool(host='evil.test', port=443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: permitted subtree violation (_ssl.c:1006)')))",
    'Error: permitted subtree violation\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34) { code: UNSPECIFIED }',
    'verify error:num=48:excluded subtree violation',
    'tls: failed to verify certificate: x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "evil.test" is not permitted by any constraint',
    'sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: name constraints check failed',
    'NET::ERR_CERT_NAME_CONSTRAINT_VIOLATION',
    'SEC_ERROR_CERT_NOT_IN_NAME_SPACE',
    'The remote certificate is invalid because of errors in the certificate chain: HasNotPermittedNameConstraint',
  ]) {
    const result = explain(message);
    t.is(result.problem, 'name-constraints', message);
    t.is(result.liability, 'server');
    t.regex(result.meaning, /not allowed to issue a certificate for this name/);
  }
});

test('"unable to get local issuer certificate" keeps both readings open', (t) => {
  const result = explain('curl: (60) SSL certificate problem: unable to get local issuer certificate');
  t.is(result.problem, 'unknown-ca');
  t.deepEqual(result.alternatives, ['incomplete-chain']);
});

test('text that is no TLS error is not recognised, but its client and the next command are given', (t) => {
  const result = explain('curl: (22) The requested URL returned error: 404 for https://api.example.com/x');
  t.false(result.recognized);
  t.is(result.problem, null);
  t.is(result.client, 'curl');
  t.is(result.next, 'tlswitness inspect api.example.com');
});

test('Java PKIX: the action gives the keytool line that adds the root to the JVM cacerts', (t) => {
  for (const text of [
    'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    "> Could not GET 'https://plugins.example.com/m2/x.pom'. > PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
  ]) {
    const result = explain(text);
    t.is(result.problem, 'unknown-ca');
    t.regex(result.action, /keytool -importcert -cacerts -file ROOT\.pem -alias corp-root/);
  }
  t.notRegex(
    explain('curl: (60) SSL certificate problem: unable to get local issuer certificate').action,
    /keytool/,
    'only Java is told about keytool',
  );
});

test("a chain over OpenSSL's size limit: curl's and Node's texts are the server's oversized chain, not a version or cipher mismatch", (t) => {
  for (const text of [
    'curl: (35) OpenSSL/3.0.11: error:0A000098:SSL routines::excessive message size',
    'Error: 807CA7B7A77F0000:error:0A000098:SSL routines:read_state_machine:excessive message size:../deps/openssl/openssl/ssl/statem/statem.c:609:',
  ]) {
    const result = explain(text);
    t.like(result, { recognized: true, problem: 'handshake-failed', liability: 'server', alternatives: [] }, text);
    t.regex(result.meaning, /certificate chain over OpenSSL's 100 KiB limit/);
    t.regex(result.action, /serve only the leaf and its intermediates, not a CA bundle/);
  }
});

test('TLS alert 120, no application protocol: the ALPN mismatch on the client side, not a certificate or cipher problem', (t) => {
  // curl, python3, Node and openssl s_client recorded against an HTTP/2-only Node server asked for
  // http/1.1 alone; Java's and Go's alert texts from their sources.
  for (const text of [
    'curl: (35) OpenSSL/3.0.19: error:0A000460:SSL routines::tlsv1 alert no application protocol',
    'ssl.SSLError: [SSL] tlsv1 alert no application protocol (_ssl.c:1006)',
    'Error: 806C5022C67F0000:error:0A000460:SSL routines:ssl3_read_bytes:tlsv1 alert no application protocol:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 120',
    '40474961EC7F0000:error:0A000460:SSL routines:ssl3_read_bytes:tlsv1 alert no application protocol:../ssl/record/rec_layer_s3.c:1601:SSL alert number 120',
    'javax.net.ssl.SSLHandshakeException: Received fatal alert: no_application_protocol',
    'Get "https://api.example.com/": remote error: tls: no application protocol',
  ]) {
    const result = explain(text);
    t.like(result, { recognized: true, problem: 'handshake-failed', liability: 'client', alternatives: [] }, text);
    t.regex(result.meaning, /none of the application protocols this client offered in ALPN/, text);
    t.regex(result.action, /HTTP\/2 for an HTTP\/2-only or gRPC server/, text);
  }
});

test('TLS alerts 112, 80 and 49 (unrecognized name, internal error, access denied): each said for what it is', (t) => {
  // 112 recorded from curl, python3 and Node against openssl s_server -servername_fatal; 80 and 49 as
  // OpenSSL's reason strings, Java's alert names and Go's remote errors print them.
  const cases: Array<[string[], RegExp, string, string[]]> = [
    [
      [
        'curl: (35) OpenSSL/3.0.19: error:0A000458:SSL routines::tlsv1 unrecognized name',
        "SSLError(1, '[SSL: TLSV1_UNRECOGNIZED_NAME] tlsv1 unrecognized name (_ssl.c:1006)')",
        'Error: 809C4AD57A7F0000:error:0A000458:SSL routines:ssl3_read_bytes:tlsv1 unrecognized name:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 112',
        'javax.net.ssl.SSLHandshakeException: Received fatal alert: unrecognized_name',
      ],
      /does not serve the name the client asked for \(TLS alert 112/,
      'client',
      [],
    ],
    [
      [
        'curl: (35) OpenSSL/3.0.19: error:0A000438:SSL routines::tlsv1 alert internal error',
        'javax.net.ssl.SSLHandshakeException: Received fatal alert: internal_error',
        'Get "https://api.example.com/": remote error: tls: internal error',
      ],
      /gave up on the handshake with an internal error \(TLS alert 80\)/,
      'server',
      [],
    ],
    [
      [
        'curl: (35) OpenSSL/3.0.19: error:0A00041D:SSL routines::tlsv1 alert access denied',
        'javax.net.ssl.SSLHandshakeException: Received fatal alert: access_denied',
        'Get "https://api.example.com/": remote error: tls: access denied',
      ],
      /refused this client during the handshake \(TLS alert 49/,
      'server',
      ['client-cert-required'],
    ],
  ];
  for (const [texts, meaning, liability, alternatives] of cases)
    for (const text of texts) {
      const result = explain(text);
      t.like(result, { recognized: true, problem: 'handshake-failed', liability }, text);
      t.deepEqual(result.alternatives, alternatives, text);
      t.regex(result.meaning, meaning, text);
    }
});
