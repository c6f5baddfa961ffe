// explain() on documented messages of clients this machine cannot run (Java, Go, git, .NET, wget,
// PowerShell, pip, requests), as their sources and docs print them.
import test from 'ava';
import { explain } from '../../src/diagnose/explain.js';
import type { Problem } from '../../src/types.js';

const SAMPLES: Array<[string, string | null, Problem, string | null]> = [
  ['javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target', 'Java', 'unknown-ca', null],
  ['java.security.cert.CertificateExpiredException: NotAfter: Mon Jan 01 00:00:00 UTC 2024', 'Java', 'expired', null],
  ['java.security.cert.CertificateException: No subject alternative DNS name matching api.example.com found.', 'Java', 'hostname-mismatch', 'api.example.com'],
  ['Get "https://api.example.com/": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'Go', 'unknown-ca', 'api.example.com'],
  ['x509: certificate has expired or is not yet valid: current time 2026-11-23T10:00:00Z is after 2026-01-01T00:00:00Z', 'Go', 'expired', null],
  ['x509: certificate is valid for www.example.org, not api.example.com', 'Go', 'hostname-mismatch', 'api.example.com'],
  ["fatal: unable to access 'https://git.example.com/repo.git/': SSL certificate problem: unable to get local issuer certificate", 'git', 'unknown-ca', 'git.example.com'],
  ["fatal: unable to access 'https://git.example.com/repo.git/': server certificate verification failed. CAfile: none CRLfile: none", 'git', 'unknown-ca', 'git.example.com'],
  ["fatal: unable to access 'https://git.example.com/': schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by an authority that is not trusted.", 'git', 'unknown-ca', 'git.example.com'],
  ['System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception. ---> System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch', '.NET', 'hostname-mismatch', null],
  ['System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure: RemoteCertificateChainErrors', '.NET', 'unknown-ca', null],
  ["ERROR: cannot verify api.example.com's certificate, issued by 'CN=R11,O=Let's Encrypt,C=US': Unable to locally verify the issuer's authority. To connect to api.example.com insecurely, use `--no-check-certificate'.", 'wget', 'unknown-ca', 'api.example.com'],
  ['Invoke-WebRequest : The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.', 'PowerShell', 'unknown-ca', null],
  ['Could not fetch URL https://pypi.org/simple/requests/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host=\'pypi.org\', port=443): Max retries exceeded', 'pip', 'unknown-ca', 'pypi.org'],
  ["requests.exceptions.SSLError: HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))", 'Python', 'unknown-ca', 'api.example.com'],
  ["ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'api.example.com'. (_ssl.c:1006)", 'Python', 'hostname-mismatch', 'api.example.com'],
  ['npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'Node', 'unknown-ca', null],
  ['Error: self-signed certificate in certificate chain', null, 'unknown-ca', null],
  ["Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: api.example.com. is not in the cert's altnames: DNS:www.example.org", 'Node', 'hostname-mismatch', 'api.example.com'],
  ['curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to api.example.com:443', 'curl', 'handshake-failed', 'api.example.com'],
  ['curl: (6) Could not resolve host: api.example.com', 'curl', 'connection-failed', null],
  ['curl: (77) error setting certificate verify locations:  CAfile: /etc/ssl/certs/missing.pem CApath: none', 'curl', 'unknown-ca', null],
];

for (const [message, client, problem, host] of SAMPLES) {
  test(`documented: ${message.slice(0, 70)}`, (t) => {
    const result = explain(message);
    t.true(result.recognized);
    t.is(result.client, client);
    t.is(result.problem, problem);
    if (host) t.is(result.host, host);
    t.regex(result.next, /^tlswitness inspect /);
  });
}

test('"unable to get local issuer certificate" keeps both readings open', (t) => {
  const result = explain('curl: (60) SSL certificate problem: unable to get local issuer certificate');
  t.is(result.problem, 'unknown-ca');
  t.deepEqual(result.alternatives, ['incomplete-chain']);
});
