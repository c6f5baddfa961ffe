// Which client printed a TLS error message, and which host it names: the telltales `explain` reads.
// Wrappers come before the runtime they run on (npm before Node, pip before Python, Maven and
// Gradle before Java, Docker before Go), so the name the user typed is the one reported.

export const CLIENTS: Array<[string, RegExp]> = [
  ['curl', /curl: \(\d+\)|curl\.se\/docs/i],
  ['git', /fatal: unable to access|GIT_SSL|git clone|gnutls_handshake|http\.sslVerify/i],
  ['pip', /\bpip\b|Could not fetch URL|There was a problem confirming the ssl certificate/i],
  ['npm', /npm ERR!|npm error|registry\.npmjs\.org/i],
  ['yarn', /\byarn\b|YN0001/],
  ['Maven', /Could not transfer artifact|\bmaven\b|\[ERROR\] Failed to execute goal/i],
  ['Gradle', /\bgradle\b|Could not GET '|Could not resolve all (?:files|dependencies)/i],
  ['Docker', /\bdocker\b|Error response from daemon|registry-1\.docker\.io/i],
  [
    'Python',
    /SSLCertVerificationError|\[SSL: [A-Z0-9_]+\]|HTTPSConnectionPool|urllib3|urllib\.error|requests\.exceptions|_ssl\.c:\d+|ssl\.SSLError|Traceback \(most recent call last\)/,
  ],
  ['Java', /javax\.net\.ssl|PKIX path|sun\.security|java\.security\.cert|java\.(?:net|io)\.\w+Exception/],
  ['Go', /\bx509: |tls: failed to verify certificate|remote error: tls:|dial tcp /],
  ['Rust', /invalid peer certificate|rustls|reqwest::|hyper::Error|error trying to connect/],
  ['.NET', /AuthenticationException|RemoteCertificate|System\.Net\.Http|HttpRequestException/],
  [
    'PowerShell',
    /Invoke-WebRequest|Invoke-RestMethod|Could not establish trust relationship for the SSL\/TLS secure channel/i,
  ],
  ['Windows schannel', /schannel|SEC_E_[A-Z_]+|CRYPT_E_[A-Z_]+|CERT_E_[A-Z_]+/],
  [
    'wget',
    /ERROR: cannot verify .* certificate|To connect to .* insecurely, use|The certificate of [‘'].*[’']|The certificate's owner does not match|Loaded CA certificate|Giving up\./i,
  ],
  ['wget', /^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--  https?:|Connecting to \S+\.\.\. (?:connected|failed)/m],
  ['Ruby', /OpenSSL::SSL::SSLError|Faraday::|Net::HTTP|\.rb:\d+|SSL_connect returned=/],
  [
    'PHP',
    /PHP (?:Warning|Fatal error)|file_get_contents|stream_socket_client|SSL operation failed with code|GuzzleHttp|cURL error \d+/,
  ],
  // Chrome's net error names (net/base/net_error_list.h); Node's own ERR_SSL_* codes name OpenSSL reasons instead.
  [
    'Chrome',
    /NET::ERR_|\bERR_CERT_(?:AUTHORITY_INVALID|COMMON_NAME_INVALID|DATE_INVALID|WEAK_[A-Z_]+|REVOKED|INVALID|SYMANTEC_LEGACY)\b|\bERR_SSL_(?:PROTOCOL_ERROR|VERSION_OR_CIPHER_MISMATCH|WEAK_SERVER_EPHEMERAL_DH_KEY)\b|ERR_BAD_SSL_CLIENT_AUTH_CERT/,
  ],
  [
    'Firefox',
    /SEC_ERROR_[A-Z_]+|MOZILLA_PKIX_ERROR_[A-Z_]+|SSL_ERROR_(?:BAD_CERT_DOMAIN|NO_CYPHER_OVERLAP|UNSUPPORTED_VERSION|BAD_CERT_ALERT|RX_[A-Z_]+|WEAK_[A-Z_]+)/,
  ],
  ['OpenSSL', /verify error:num=|Verify return code|\bs_client\b|CONNECTED\(0|connect:errno=/],
  [
    'Node',
    /\b(UNABLE_TO_[A-Z_]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_[A-Z_]+|ERR_SSL_[A-Z_]+)\b|node:internal|node:events|Node\.js v\d+|\bEPROTO\b/i,
  ],
];

// A host the text names, most trustworthy form first.
const HOST_PATTERNS: RegExp[] = [
  /host name '([^']+)'/i,
  /HTTPSConnectionPool\(host='([^']+)'/,
  /not valid for '([^']+)'/,
  /Host: ([^\s,]+?)\. is not/,
  /The certificate of [‘']([^’']+)[’']/,
  /hostname [‘'"]([^’'"]+)[’'"]/,
  /, not ([a-z0-9.-]+\.[a-z]{2,})\b/i,
  /matching ([a-z0-9.-]+\.[a-z]{2,}) found/i,
  /https?:\/\/([a-z0-9.-]+\.[a-z]{2,}|\[[0-9a-f:]+\])(?::\d+|:PORT)?/i,
  /(?:connect(?:ing|ion)? to|verify) ([a-z0-9.-]+\.[a-z]{2,})/i,
];

// Hosts that appear in the clients' own help text, never the one that failed.
const NOT_THE_HOST = /^(curl\.se|docs\.python\.org|github\.com|go\.dev|aka\.ms)$/i;

export function findHost(text: string): string | null {
  for (const pattern of HOST_PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1] && !NOT_THE_HOST.test(match[1])) return match[1].replace(/^\[|\]$/g, '');
  }
  return null;
}

export function findClient(text: string): string | null {
  return CLIENTS.find(([, test]) => test.test(text))?.[0] ?? null;
}
