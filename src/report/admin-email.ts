// email.txt: a drafted, professional message to whoever can fix the problem, with the exact change
// requested; pure.
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord } from '../types.js';
import { listed, type Comparison } from '../diagnose/comparison.js';
import type { EvidenceDecision } from './evidence-outcome.js';

function requestedChange(record: HandshakeRecord): string {
  const where = formatHostPort(record.target);
  const host = record.target.servername ?? record.target.host;
  const leaf = record.chain[0];
  const a = record.chainAnalysis;
  switch (record.diagnosis.problem) {
    case 'incomplete-chain':
      return [
        `Please configure ${where} to send the full certificate chain: the server certificate followed by the intermediate CA certificate "${a.missingIssuer ?? 'that issued it'}".`,
        ...(a.aiaCaIssuers.length
          ? [`The intermediate can be downloaded from the issuer URL in the certificate: ${a.aiaCaIssuers.join(', ')}.`]
          : []),
        'For example: nginx `ssl_certificate` pointing to the full-chain file (certificate first, then intermediates); Apache 2.4.8+ `SSLCertificateFile` with the chain appended; IIS: import the intermediate into the "Intermediate Certification Authorities" store.',
        // Browsers download a missing intermediate only from the AIA caIssuers URL; without one they fail too (unless cached).
        a.aiaCaIssuers.length
          ? 'Browsers often hide this problem because they cache or download intermediates; API clients, Python, Java, curl and most apps do not.'
          : 'The certificate names no URL to download the intermediate from (no AIA caIssuers), so browsers fail too unless they happen to have it cached; API clients, Python, Java and curl fail.',
      ].join('\n');
    case 'expired':
      return record.diagnosis.liability === 'server'
        ? `Please renew the certificate ${record.verification.certificate ? `"${record.verification.certificate.subject}" (expired ${record.verification.certificate.notAfter})` : `served by ${where}`} and reload the server.`
        : 'No change is needed on the server: a root in our own trust store expired. We will update it.';
    case 'not-yet-valid':
      return `Please check the validity dates of the certificate served by ${where}: it is not valid before ${record.verification.certificate?.notBefore ?? leaf?.notBefore ?? 'a future date'}.`;
    case 'hostname-mismatch':
      return `Please install a certificate whose subjectAltName includes ${host}. The one served covers: ${leaf?.san.join(', ') || leaf?.subject || 'no names'}.`;
    case 'self-signed':
      return `Please replace the self-signed certificate on ${where} with one issued by a publicly trusted CA (or, if this is an internal service, send us the CA certificate we should trust, through a trusted channel).`;
    case 'name-constraints':
      return `The certificate served by ${where} was issued under a CA whose name constraints do not allow ${host} (${record.verification.message}${record.verification.detail ? `: ${record.verification.detail}` : ''}), so every client refuses it whether or not it trusts that CA. Please replace it with a certificate from a CA that is allowed to issue for ${host}.`;
    case 'unknown-ca':
      return `The chain served by ${where} ends in "${a.anchor ?? record.chain[record.chain.length - 1]?.issuer ?? 'an unknown root'}", which is not in the public trust stores. Please serve a certificate from a publicly trusted CA, or tell us which CA certificate to trust and how to verify its fingerprint.`;
    case 'weak-crypto': {
      const weak = record.weakCrypto;
      const what = weak?.findings.length
        ? weak.findings.map((f) => `"${f.subject}" has ${f.text}`).join('; ')
        : (record.verification.detail ?? record.diagnosis.summary);
      const who = weak?.refusedBy.length
        ? ` It is refused by ${weak.refusedBy.map((r) => `${r.client} ("${r.message}")`).join(', ')}.`
        : '';
      return [
        `Please reissue the certificate served by ${where} with a 2048-bit RSA (or P-256 ECDSA) key and a SHA-256 signature: ${what}.${who}`,
        'OpenSSL clients on Debian, Ubuntu and RHEL 9 (curl, Python; git and wget where they link OpenSSL, as on RHEL 9) run at security level 2, which refuses RSA keys below 2048 bits and SHA-1 signatures; Go and browsers refuse SHA-1, and the CA/Browser Forum Baseline Requirements (6.1.5) require RSA 2048 or more.',
      ].join('\n');
    }
    case 'wrong-order':
      return `Please reorder the certificate file on ${where}: the server certificate first, then the intermediate that signed it, then the next one up. Some clients (older Java, embedded TLS stacks) fail on the current order.`;
    case 'client-cert-required':
      return `${where} asks for a client certificate. Please tell us which CA must issue it (the server accepts: ${record.clientCertificate.acceptableCAs.join('; ') || 'any'}) and how to obtain one.`;
    case 'handshake-failed':
      return `Please check the TLS configuration of ${where}: ${record.diagnosis.summary}. Supporting TLS 1.2 and 1.3 with current cipher suites is expected.`;
    case 'connection-failed':
      return `We could not connect to ${where}: ${record.diagnosis.summary}. Please confirm the service is up and reachable from outside.`;
    default:
      return 'No change appears to be needed; the chain verifies.';
  }
}

/**
 * What we ask IT when the trouble is on our side, in their terms: which store, which clock, which
 * network setting; never this tool's flags (they run other tools).
 */
function ourSideRequest(record: HandshakeRecord, comparison: Comparison): string {
  const where = formatHostPort(record.target);
  const d = record.diagnosis;
  const a = record.chainAnalysis;
  if (comparison.sanityFailed) {
    return `Please check this machine's trust store (CA certificates) and our network path: a well-known site we use as a control fails verification here too, so the cause is not ${where} alone.`;
  }
  if (record.trust.public === 'ok' && record.trust.system !== 'ok' && record.trust.system !== 'not-configured') {
    return `Please update this machine's CA certificates (the ca-certificates package; on RHEL, update-ca-trust): the public roots verify ${where}, this machine's own store does not.`;
  }
  if (d.liability === 'network')
    return `Please check whether something on our network (a proxy, firewall or TLS inspection) alters TLS connections to ${where}: ${d.summary}.`;
  switch (d.problem) {
    case 'expired':
      return `Please update the CA certificates on this machine: ${d.summary}. The server's chain is not at fault.`;
    case 'not-yet-valid':
      return `Please check this machine's clock and time synchronisation: ${d.summary}.`;
    case 'unknown-ca': {
      const root = a.missingIssuer ?? a.anchor ?? record.chain[record.chain.length - 1]?.subject ?? 'an unknown CA';
      return `The chain from ${where} leads to "${root}", which this machine does not trust. If that is our organisation's CA, please install it in this machine's trust store (or send us the certificate and its SHA-256 fingerprint through a trusted channel); if it is not, please check whether something on our network re-signs TLS connections.`;
    }
    case 'client-cert-required':
      return `${where} asks for a client certificate (it accepts: ${record.clientCertificate.acceptableCAs.join('; ') || 'any CA'}). Please tell us which certificate this machine should present and how to obtain it.`;
    case 'handshake-failed':
      return `Please confirm which host name and port serve ${where} over TLS, and that our network lets TLS through to it: ${d.summary}.`;
    default:
      return `Please help us find what on this machine or network stops TLS to ${where}: ${d.summary}.`;
  }
}

function intro(record: HandshakeRecord, comparison: Comparison, decision: EvidenceDecision): string {
  const where = formatHostPort(record.target);
  switch (decision.outcome) {
    case 'interception':
      return `Connections from this machine to ${where} are re-signed by ${record.interception.product ?? 'a TLS inspection product'} on our side (this machine or network), so applications that do not trust its CA fail. The server itself is not at fault.`;
    case 'our-fault':
      return `While connecting to ${where}, TLS verification fails because of something on our side (this machine or network), not the server.`;
    case 'clients-refuse': {
      const clients = listed(comparison.refusing) || "this machine's clients";
      return `${where} serves a certificate chain that verifies, but ${clients} on this machine ${comparison.refusing.length === 1 ? 'refuses' : 'refuse'} it: the CA bundle ${comparison.refusing.length === 1 ? 'it uses' : 'they use'} here lacks the root the chain leads to. The server is not at fault.`;
    }
    case 'unreachable':
      return `This machine cannot open a connection to ${where} (${record.failure?.message ?? 'no connection'}). No TLS handshake took place, so there is no certificate to judge yet.`;
    default:
      return record.chain.length
        ? `Clients connecting to ${where} fail TLS certificate verification. We recorded the handshake and the certificates exactly as the server sends them.`
        : `TLS handshakes with ${where} fail before the server sends a certificate. We recorded the attempt.`;
  }
}

function request(record: HandshakeRecord, comparison: Comparison, decision: EvidenceDecision): string {
  const where = formatHostPort(record.target);
  switch (decision.outcome) {
    case 'interception':
      // Trusting an inspection CA whose name constraints exclude this host cannot help (every client enforces them).
      if (record.diagnosis.problem === 'name-constraints')
        return `Please exempt ${where} from TLS inspection${record.interception.product ? ` in ${record.interception.product}` : ''}, or allow ${record.target.servername ?? record.target.host} in the inspection CA's name constraints: the CA is restricted to other names, so trusting it does not help.`;
      return `Please either exempt ${where} from TLS inspection${record.interception.product ? ` in ${record.interception.product}` : ''}, or provide the inspection CA certificate (and how to verify its fingerprint) so that our applications can trust it.`;
    case 'our-fault':
      return ourSideRequest(record, comparison);
    case 'clients-refuse':
      return "Please make sure the programs on this machine use a complete, current CA bundle: update the operating system's CA certificates (the ca-certificates package), and check that no setting points curl or Python at a bundle of its own that lacks the public roots (SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE).";
    case 'unreachable':
      return `Please check whether ${where} is reachable from our network (firewall, proxy settings, DNS). If it should be, please ask the administrator of ${where} whether the service is running on port ${record.target.port}.`;
    default:
      return requestedChange(record);
  }
}

/** The drafted email; null when the decision has no one to write to. `files` are the bundle's, so it names only those it has. */
export function adminEmail(
  record: HandshakeRecord,
  comparison: Comparison,
  decision: EvidenceDecision,
  files: string[],
): string | null {
  if (!decision.recipient || !decision.subject) return null;
  const where = formatHostPort(record.target);
  const d = record.diagnosis;
  const has = (name: string): boolean => files.includes(name);
  const clientRows = comparison.rows.filter((row) => / on this machine, against /.test(row.check));
  const attached = [
    ...(has('served-chain.pem') ? ['the chain as served (served-chain.pem)', 'each certificate decoded (chain/)'] : []),
    'a full report (report.md, report.json)',
    ...(has('report.html') ? ['the chain drawn as a page to open in a browser (report.html)'] : []),
    'SHA-256 checksums of every file (MANIFEST)',
  ];
  const lines = [
    `To: ${decision.recipient}`,
    `Subject: ${decision.subject}`,
    '',
    'Hello,',
    '',
    intro(record, comparison, decision),
    '',
    'What we saw',
    `- When: ${record.time}`,
    `- Verdict: ${d.problem} — ${d.summary}`,
    ...(record.chain.length
      ? [
          `- Verification result: ${record.verification.message} (OpenSSL code ${record.verification.opensslCode}${record.verification.code ? `, ${record.verification.code}` : ''})`,
        ]
      : []),
    record.chain.length
      ? `- Certificates sent by the server: ${record.chain.length}`
      : '- Certificates sent by the server: none (no TLS handshake completed)',
    ...record.chain.map(
      (c, i) => `  ${i}. ${c.subject} (issued by ${c.issuer}; valid until ${c.notAfter}; SHA-256 ${c.sha256})`,
    ),
    ...clientRows.map((row) => `- ${row.check.replace(/, against .*$/, '')}: ${row.result}`),
    ...(record.interception.detected
      ? [`- Interception: ${record.interception.product ?? 'an inspection product'}: ${record.interception.reason}`]
      : []),
    `- Our conclusion: ${decision.finding}`,
    '',
    'What we ask',
    request(record, comparison, decision),
    '',
    'Evidence',
    `The attached bundle holds ${listed(attached)}. You can reproduce the check with:`,
    `  openssl s_client -connect ${where}${record.target.servername ? ` -servername ${record.target.servername}` : ''} -showcerts </dev/null`,
    '',
    'Thank you,',
    '',
  ];
  return lines.join('\n');
}
