// email.txt: a drafted, professional message to whoever can fix the problem, with the exact change
// requested; pure.
import { formatHostPort } from '../net/target.js';
import type { HandshakeRecord } from '../types.js';
import type { Comparison } from '../diagnose/comparison.js';

function requestedChange(record: HandshakeRecord): string {
  const where = formatHostPort(record.target);
  const host = record.target.servername ?? record.target.host;
  const leaf = record.chain[0];
  const a = record.chainAnalysis;
  switch (record.diagnosis.problem) {
    case 'incomplete-chain':
      return [
        `Please configure ${where} to send the full certificate chain: the server certificate followed by the intermediate CA certificate "${a.missingIssuer ?? 'that issued it'}".`,
        ...(a.aiaCaIssuers.length ? [`The intermediate can be downloaded from the issuer URL in the certificate: ${a.aiaCaIssuers.join(', ')}.`] : []),
        'For example: nginx `ssl_certificate` pointing to the full-chain file (certificate first, then intermediates); Apache 2.4.8+ `SSLCertificateFile` with the chain appended; IIS: import the intermediate into the "Intermediate Certification Authorities" store.',
        'Browsers often hide this problem because they cache or download intermediates; API clients, Python, Java, curl and most apps do not.',
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
    case 'unknown-ca':
      return `The chain served by ${where} ends in "${a.anchor ?? record.chain[record.chain.length - 1]?.issuer ?? 'an unknown root'}", which is not in the public trust stores. Please serve a certificate from a publicly trusted CA, or tell us which CA certificate to trust and how to verify its fingerprint.`;
    case 'weak-crypto': {
      const weak = record.weakCrypto;
      const what = weak?.findings.length ? weak.findings.map((f) => `"${f.subject}" has ${f.text}`).join('; ') : (record.verification.detail ?? record.diagnosis.summary);
      const who = weak?.refusedBy.length ? ` It is refused by ${weak.refusedBy.map((r) => `${r.client} ("${r.message}")`).join(', ')}.` : '';
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

function recipient(record: HandshakeRecord, comparison: Comparison): { to: string; intro: string } {
  const where = formatHostPort(record.target);
  if (record.interception.detected) {
    const by = record.interception.product ?? 'a TLS inspection product';
    return { to: 'IT support / network team', intro: `Connections from this machine to ${where} are re-signed by ${by} on our side (this machine or network), so applications that do not trust its CA fail. The server itself is not at fault.` };
  }
  if (comparison.side === 'us') {
    return { to: 'IT support / network team', intro: `While connecting to ${where}, TLS verification fails because of something on our side (this machine or network), not the server.` };
  }
  return { to: `the administrator of ${where}`, intro: `Clients connecting to ${where} fail TLS certificate verification. We recorded the handshake and the certificates exactly as the server sends them.` };
}

export function adminEmail(record: HandshakeRecord, comparison: Comparison): string {
  const where = formatHostPort(record.target);
  const { to, intro } = recipient(record, comparison);
  const d = record.diagnosis;
  const lines = [
    `To: ${to}`,
    record.interception.detected
      ? `Subject: TLS inspection${record.interception.product ? ` (${record.interception.product})` : ''} breaks connections to ${where}`
      : `Subject: TLS certificate problem on ${where}: ${d.problem}`,
    '',
    'Hello,',
    '',
    intro,
    '',
    'What we saw',
    `- When: ${record.time}`,
    `- Problem: ${d.problem} — ${d.summary}`,
    `- Verification result: ${record.verification.message} (OpenSSL code ${record.verification.opensslCode}${record.verification.code ? `, ${record.verification.code}` : ''})`,
    `- Certificates sent by the server: ${record.chain.length}`,
    ...record.chain.map((c, i) => `  ${i}. ${c.subject} (issued by ${c.issuer}; valid until ${c.notAfter}; SHA-256 ${c.sha256})`),
    ...(record.interception.detected ? [`- Interception: ${record.interception.product ?? 'an inspection product'}: ${record.interception.reason}`] : []),
    `- Our conclusion: ${comparison.conclusion}`,
    '',
    'What we ask',
    ...(record.interception.detected
      ? [`Please either exempt ${where} from TLS inspection${record.interception.product ? ` in ${record.interception.product}` : ''}, or provide the inspection CA certificate (and how to verify its fingerprint) so that our applications can trust it.`]
      : comparison.side === 'us'
        ? [`Please help us fix this machine's or network's TLS setup: ${d.action}.`]
        : [requestedChange(record)]),
    '',
    'Evidence',
    'The attached bundle holds the chain as served (served-chain.pem), each certificate decoded, a full report (report.md, report.json) and SHA-256 checksums of every file (MANIFEST). You can reproduce the check with:',
    `  openssl s_client -connect ${where}${record.target.servername ? ` -servername ${record.target.servername}` : ''} -showcerts </dev/null`,
    '',
    'Thank you,',
    '',
  ];
  return lines.join('\n');
}
