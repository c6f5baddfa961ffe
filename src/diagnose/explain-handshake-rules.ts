// The handshake failures `explain` recognises that are not about a certificate: OpenSSL's size limit,
// old signatures and renegotiation, and the TLS alerts that name their cause (no application protocol,
// unrecognized name, internal error, access denied). In RULES' order, between the weak-crypto and
// name-constraint rules and the client-certificate ones (explain-rules.ts).
import type { Rule } from './explain-rules.js';

export const HANDSHAKE_RULES: Rule[] = [
  {
    // OpenSSL refuses a certificate list over 100 KiB (max_cert_list) before it reads a certificate of it.
    test: /excessive message size|EXCESSIVE_MESSAGE_SIZE/i,
    problem: 'handshake-failed',
    alternatives: [],
    liability: 'server',
    meaning:
      "OpenSSL refused a handshake message from the server for its size: almost always a certificate chain over OpenSSL's 100 KiB limit, such as a whole CA bundle served as the chain",
    action:
      'run tlswitness inspect HOST to confirm; the server admin must serve only the leaf and its intermediates, not a CA bundle',
  },
  {
    test: /legacy sigalg disallowed or unsupported|LEGACY_SIGALG_DISALLOWED/i,
    problem: 'handshake-failed',
    alternatives: ['weak-crypto'],
    liability: 'server',
    meaning:
      "OpenSSL 3 refused the server's handshake signature (MD5-SHA1 or SHA-1, as TLS 1.0/1.1 servers use): the server speaks only an old protocol or signs with an old hash",
    action:
      'the server admin must enable TLS 1.2 or 1.3 with SHA-256 signatures; tlswitness inspect HOST --tls-max 1.2 shows what it offers',
  },
  {
    // TLS alert 120 (RFC 7301 3.2) as OpenSSL (curl, Python, Node), Java, Go and GnuTLS print it.
    test: /no application protocol|NO_APPLICATION_PROTOCOL|no_application_protocol|alert number 120\b|No supported application protocol could be negotiated/i,
    problem: 'handshake-failed',
    alternatives: [],
    liability: 'client',
    meaning:
      'the server speaks none of the application protocols this client offered in ALPN (TLS alert 120, no_application_protocol): it serves only another one, typically HTTP/2 alone (as gRPC servers do) to a client that offered HTTP/1.1, or a protocol that is not HTTP. Not a certificate problem',
    action:
      'the client must offer what the server speaks: HTTP/2 for an HTTP/2-only or gRPC server (curl --http2, a gRPC client); tlswitness inspect HOST offers h2 and http/1.1 and shows which the server chooses',
  },
  {
    // TLS alert 112 (RFC 6066 3): OpenSSL's "tlsv1 unrecognized name", Java's, Go's, Firefox's and Chrome's words.
    test: /unrecognized[ _]name|UNRECOGNIZED_NAME|alert number 112\b|SSL_ERROR_UNRECOGNIZED_NAME_ALERT/i,
    problem: 'handshake-failed',
    alternatives: [],
    liability: 'client',
    meaning:
      'the server does not serve the name the client asked for (TLS alert 112, unrecognized_name, on the SNI): a mistyped or old host name, an IP address or an internal name where the public name is needed, or a load balancer or CDN not set up for this name',
    action:
      'check the host name the app uses; tlswitness inspect HOST --servername NAME shows which names the server answers for',
  },
  {
    // TLS alert 80: OpenSSL's "tlsv1 alert internal error", Java's internal_error, Go's "internal error".
    test: /alert internal error|TLSV1_ALERT_INTERNAL_ERROR|alert number 80\b|Received fatal alert: internal_error|remote error: tls: internal error/i,
    problem: 'handshake-failed',
    alternatives: [],
    liability: 'server',
    meaning:
      'the server gave up on the handshake with an internal error (TLS alert 80): it failed on its own side, most often because it has no certificate or key for the name asked (a virtual host not set up, a CDN that does not serve the name), an unreadable key, or a bug in its TLS stack',
    action:
      'run tlswitness inspect HOST, and with --servername for another name it serves, to see whether the name is the cause; the server admin should look at its TLS error log',
  },
  {
    // TLS alert 49: OpenSSL's "tlsv1 alert access denied", Java's access_denied, Go's "access denied".
    test: /alert access denied|TLSV1_ALERT_ACCESS_DENIED|alert number 49\b|Received fatal alert: access_denied|remote error: tls: access denied/i,
    problem: 'handshake-failed',
    alternatives: ['client-cert-required'],
    liability: 'server',
    meaning:
      "the server refused this client during the handshake (TLS alert 49, access_denied): its client certificate was valid but not allowed, or a policy (the client's address, a firewall or gateway rule) blocks it",
    action:
      'run tlswitness inspect HOST to see whether a client certificate is asked for; ask the server admin which rule refused this client',
  },
  {
    // OpenSSL 3 requires RFC 5746 secure renegotiation; old servers and some inspection boxes lack it.
    test: /unsafe legacy renegotiation disabled|UNSAFE_LEGACY_RENEGOTIATION_DISABLED/i,
    problem: 'handshake-failed',
    alternatives: ['weak-crypto'],
    liability: 'server',
    meaning:
      'the server (or a middlebox in between) does not support secure renegotiation (RFC 5746), which OpenSSL 3 clients require',
    action:
      'the server or proxy admin must update its TLS stack; tlswitness detect HOST tells whether a middlebox is in the path',
  },
];
