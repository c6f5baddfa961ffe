// The verdict a person acts on: problem, whose fault, how sure, and the one thing to do next; pure.
import { formatHostPort } from '../host-port.js';
import type { Diagnosis, HandshakeRecord } from '../types.js';
import { ownProxyStatement } from './interception.js';
import { DISTRIBUTION_LEVEL, NODE_LEVEL } from './weak-crypto.js';

export type UndiagnosedRecord = Omit<HandshakeRecord, 'diagnosis'>;

const CLIENT_CERT_ALERTS =
  /CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_HANDSHAKE_FAILURE|ALERT_CERTIFICATE_UNKNOWN|ALERT_ACCESS_DENIED|ECONNRESET/;

function connectionFailed(record: UndiagnosedRecord): Diagnosis {
  const failure = record.failure!;
  const where = formatHostPort(record.target);
  const base = { problem: 'connection-failed' as const, confidence: 'high' as const, summary: failure.message };
  switch (failure.step) {
    case 'dns':
      return {
        ...base,
        liability: 'network',
        action: `check the spelling of ${record.target.host} and this machine's DNS, or pin an address with --resolve ${record.target.host}:${record.target.port}:ADDRESS`,
      };
    case 'connect':
      return {
        ...base,
        liability: 'network',
        action: `nothing accepts connections on ${where}: check the port, that the service runs, and any firewall in between`,
      };
    case 'timeout':
      return {
        ...base,
        liability: 'network',
        action: `${where} did not answer in time: a firewall may drop the traffic, or a proxy is required (--upstream-proxy)`,
      };
    case 'proxy':
      return {
        ...base,
        liability: failure.proxyStatus === 407 ? 'client' : 'network',
        action:
          failure.proxyStatus === 407
            ? 'give the proxy credentials (or use a local NTLM relay) and try again'
            : `check the proxy ${record.proxy ?? ''} and whether it allows CONNECT to ${where}`.replace('  ', ' '),
      };
    default:
      return { ...base, liability: 'network', action: `check that ${where} is reachable from here` };
  }
}

function handshakeFailed(record: UndiagnosedRecord): Diagnosis {
  const failure = record.failure!;
  const code = failure.code;
  const where = formatHostPort(record.target);
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|not TLS/i.test(code + failure.message)) {
    return {
      problem: 'handshake-failed',
      liability: 'client',
      confidence: 'medium',
      summary: `${where} does not speak TLS (${failure.message})`,
      action: `check the port: ${where} may be plain HTTP or another protocol`,
    };
  }
  if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE/.test(code)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'high',
      summary: `no TLS version in common with ${where} (${failure.message})`,
      action: 'the server should support TLS 1.2 or 1.3; to test an old server anyway use --tls-min 1.0',
    };
  }
  if (/HANDSHAKE_FAILURE|NO_SHARED_CIPHER|INSUFFICIENT_SECURITY/.test(code)) {
    return {
      problem: 'handshake-failed',
      liability: 'server',
      confidence: 'medium',
      summary: `${where} refused the handshake: no cipher or parameters in common (${failure.message})`,
      action: 'ask the server admin to enable modern TLS 1.2/1.3 cipher suites',
    };
  }
  if (/UNRECOGNIZED_NAME/.test(code)) {
    return {
      problem: 'handshake-failed',
      liability: 'client',
      confidence: 'medium',
      summary: `${where} does not serve the name ${record.target.servername ?? '(no SNI)'}`,
      action: 'check the host name, or pass the name the server expects with --servername',
    };
  }
  if (code === 'ETIMEDOUT') {
    return {
      problem: 'handshake-failed',
      liability: 'network',
      confidence: 'medium',
      summary: `TCP connected but ${where} did not complete a TLS handshake in time`,
      action: 'a middlebox may be swallowing TLS; try another network or through the proxy in use',
    };
  }
  return {
    problem: 'handshake-failed',
    liability: 'server',
    confidence: 'low',
    summary: `the TLS handshake with ${where} failed: ${failure.message}`,
    action: `retry with tlswitness inspect ${where} --tls-max 1.2, and compare with openssl s_client -connect ${where}`,
  };
}

/** The verdict for a server that refused us for want of a client certificate; `through` names the proxy's flag instead of inspect's. */
export function clientCertRequired(
  record: UndiagnosedRecord,
  confidence: Diagnosis['confidence'],
  through: 'cli' | 'proxy' = 'cli',
): Diagnosis {
  const cc = record.clientCertificate;
  const accepted = cc.acceptableCAs.length ? ` It accepts certificates from: ${cc.acceptableCAs.join('; ')}.` : '';
  const check =
    cc.httpCheck?.outcome === 'required'
      ? ` It completed the handshake ${cc.presented ? 'with it' : 'without one'}, but ${cc.httpCheck.reason}.`
      : '';
  const summary = cc.presented
    ? `the server asked for a client certificate and refused the one presented (${cc.presented}).${check}${accepted}`
    : `the server requires a client certificate (mutual TLS) and none was presented.${check}${accepted}`;
  const host = record.target.servername ?? record.target.host;
  const action =
    through === 'proxy'
      ? `give the proxy a certificate issued by one of the accepted CAs for this host: --upstream-client-cert ${host}=CERT.pem,KEY.pem`
      : `present a certificate issued by one of the accepted CAs: --client-cert FILE --client-key FILE (or a PKCS#12 with --password); through the proxy, --upstream-client-cert ${host}=CERT.pem,KEY.pem`;
  return { problem: 'client-cert-required', liability: 'client', confidence, summary, action };
}

function chainProblem(record: UndiagnosedRecord): Diagnosis {
  const v = record.verification;
  const leaf = record.chain[0];
  const depth = v.depth ?? 0;
  const at =
    v.certificate ??
    (leaf
      ? { subject: leaf.subject, notBefore: leaf.notBefore, notAfter: leaf.notAfter, from: 'server' as const }
      : undefined);
  const fromStore = at !== undefined && at.from !== 'server';
  // An offline chain (`tlswitness verify` without --host/--ip) names no host.
  const host = record.target.servername ?? (record.target.host || 'the server');
  const analysis = record.chainAnalysis;
  const fetched = analysis.fetched;
  switch (v.opensslCode) {
    case 10:
      if (fromStore) {
        return {
          problem: 'expired',
          liability: 'client',
          confidence: 'high',
          summary: `the root "${at.subject}" in this machine's ${at.from} trust store expired on ${at.notAfter}`,
          action: `update the ${at.from === 'extra' ? 'extra CA bundle (--extra-ca / extra/)' : 'CA store (e.g. the ca-certificates package)'}: the server's chain is not at fault`,
        };
      }
      return {
        problem: 'expired',
        liability: 'server',
        confidence: 'high',
        summary: `${depth === 0 ? 'the certificate' : `the CA certificate "${at?.subject}"`} expired on ${at?.notAfter}`,
        action:
          depth === 0
            ? `the admin of ${host} must renew the certificate and reload the server`
            : "the admin must serve a current intermediate (download the CA's current bundle)",
      };
    case 9:
      return {
        problem: 'not-yet-valid',
        liability: fromStore ? 'client' : 'server',
        confidence: 'medium',
        summary: `${depth === 0 ? 'the certificate' : `"${at?.subject}"`} is valid only from ${at?.notBefore}`,
        action: "check this machine's clock first; if it is right, the server installed a certificate too early",
      };
    case 18:
      return {
        problem: 'self-signed',
        liability: 'server',
        confidence: 'high',
        summary: `the server presents a self-signed certificate (${leaf?.subject}) that no store trusts`,
        action: `replace it with a CA-issued certificate; if ${host} is internal and meant to be self-signed, save it (inspect --save-chain) and trust it with --extra-ca`,
      };
    case 19:
      return {
        problem: 'unknown-ca',
        liability: 'client',
        confidence: 'medium',
        summary: `the chain ends in the root "${record.chain[analysis.path[analysis.path.length - 1] ?? 0]?.subject}", which the server sent but no store trusts`,
        action:
          "if you recognise this root (your company's CA), trust it with --extra-ca ROOT.pem; if not, something may be intercepting TLS",
      };
    case 2:
      return {
        problem: 'unknown-ca',
        liability: 'client',
        confidence: 'medium',
        summary: `a trusted store holds "${at?.subject}" but not the root above it ("${analysis.missingIssuer}")`,
        action: 'add the root certificate to the store (--extra-ca) as well as the intermediate',
      };
    case 20:
    case 21: {
      const confirmed = fetched?.ok && fetched.completesChain;
      const leafOnly = v.opensslCode === 21;
      if (confirmed || (leafOnly && !(fetched && fetched.ok && !fetched.completesChain))) {
        const aia = analysis.aiaCaIssuers[0];
        return {
          problem: 'incomplete-chain',
          liability: 'server',
          confidence: confirmed ? 'high' : aia ? 'medium' : 'low',
          summary: `the server did not send the intermediate "${analysis.missingIssuer}"${confirmed ? `; fetched from ${fetched!.url}, it completes the chain` : aia ? ` (the leaf names it at ${aia})` : ''}. ${aia || confirmed ? 'Browsers fetch it and work' : 'The leaf names no URL to fetch it from (no AIA), so browsers fail too unless they cached it'}; Python, curl, Java and Go fail`,
          action: `the admin of ${host} must serve the full chain (leaf + intermediates, e.g. fullchain.pem, not cert.pem)${confirmed || !aia ? '' : '; confirm with --fetch-missing'}`,
        };
      }
      return {
        problem: 'unknown-ca',
        liability: 'client',
        confidence: fetched?.ok ? 'high' : 'medium',
        summary: `the chain leads to "${analysis.missingIssuer}", which no trust store holds`,
        action:
          "if this is your company's CA, trust its root with --extra-ca ROOT.pem (tlswitness bundle builds a combined bundle); otherwise ask the server admin which CA issued it",
      };
    }
    case 66: // EE key too weak, 67 CA key too weak, 68 signature digest too weak: Node's own level 1 refuses
    case 67:
    case 68:
      return weakCryptoDiagnosis(record);
    case 1:
      return {
        problem: 'unknown-ca',
        liability: 'server',
        confidence: v.detail ? 'high' : 'low',
        summary: `${v.detail ?? v.message} ("${at?.subject}")`,
        action: `the certificate must be reissued with a 2048-bit RSA or P-256 key and a SHA-256 signature`,
      };
    case 62:
      return {
        problem: 'hostname-mismatch',
        liability: 'server',
        confidence: 'high',
        summary: `the certificate is for ${leaf?.san.join(', ') || leaf?.subject}, not ${host}`,
        action: `the admin of ${host} must add ${host} to the certificate's subjectAltName, or you are using the wrong name (try --servername)`,
      };
    case 7:
      return {
        problem: 'unknown-ca',
        liability: 'network',
        confidence: 'low',
        summary: `a signature in the chain does not verify (${v.message}): the chain was altered or re-signed on the way`,
        action: 'compare the chain from another network; a proxy may be rewriting certificates',
      };
    default:
      return {
        problem: 'unknown-ca',
        liability: 'server',
        confidence: 'medium',
        summary: `the chain is not valid: ${v.message} (depth ${depth}, "${at?.subject}")`,
        action: "the issuing CA or the server admin must fix the certificate's extensions",
      };
  }
}

/**
 * A key or signature too weak for some clients' security level: which ones refuse (with what they
 * print) and which accept, from the record's weakCrypto judgement; Node's code alone when it has none.
 */
function weakCryptoDiagnosis(record: UndiagnosedRecord): Diagnosis {
  const v = record.verification;
  const host = record.target.servername ?? (record.target.host || 'the server');
  const weak = record.weakCrypto;
  const stricter = `Debian/Ubuntu/RHEL 9 OpenSSL clients (level ${DISTRIBUTION_LEVEL}: curl, Python)`;
  if (!weak?.refusedBy.length) {
    const subject = v.certificate?.subject ?? record.chain[0]?.subject;
    return {
      problem: 'weak-crypto',
      liability: 'server',
      confidence: v.detail ? 'high' : 'medium',
      summary: `${v.detail ?? v.message} ("${subject}"): refused by Node (level ${NODE_LEVEL}) ("${v.message}") and by stricter clients such as ${stricter}`,
      action: `the admin of ${host} must reissue the certificate with a 2048-bit RSA or P-256 key and a SHA-256 signature`,
    };
  }
  const what = weak.findings
    .map((f) => `${f.depth === 0 ? 'the certificate' : 'the CA certificate'} "${f.subject}" has ${f.text}`)
    .join('; ');
  const refusing = weak.refusedBy.map((r) => r.client).join(' and ');
  const accepts = weak.refusedBy.some((r) => r.level === NODE_LEVEL) ? '' : `; Node (level ${NODE_LEVEL}) accepts it`;
  const others = record.warnings.some((w) => /^weak-crypto-/.test(w.code))
    ? '. Go, Java and browsers have their own rules (see the warnings)'
    : '';
  const replace = [...new Set(weak.findings.map((f) => (f.depth === 0 ? 'the certificate' : `"${f.subject}"`)))].join(
    ' and ',
  );
  return {
    problem: 'weak-crypto',
    liability: 'server',
    confidence: 'high',
    summary: `${what}, too weak for ${refusing}${accepts}${others}`,
    action: `the admin of ${host} must replace ${replace} with one that has a 2048-bit RSA or P-256 key and a SHA-256 signature (lowering a client's security level, e.g. @SECLEVEL=1, only hides it)`,
  };
}

export function diagnose(record: UndiagnosedRecord): Diagnosis {
  const interception = record.interception;
  // SPEC: a chain minted by tlswitness's own CA says nothing about the server or the network.
  if (interception?.ownProxy) return ownProxyDiagnosis(record);
  const base = diagnoseChain(record);
  if (!interception?.detected || !record.chain.length || NOT_ABOUT_THE_CHAIN.has(base.problem)) return base;
  return interceptedDiagnosis(record, base);
}

const NOT_ABOUT_THE_CHAIN = new Set<Diagnosis['problem']>([
  'connection-failed',
  'handshake-failed',
  'client-cert-required',
]);

function ownProxyDiagnosis(record: UndiagnosedRecord): Diagnosis {
  const evidence = record.interception.evidence as { matched?: string } | null;
  const { summary, action } = ownProxyStatement(record, evidence?.matched ?? 'a tlswitness CA');
  // The target was never measured: as inconclusive as an unreachable one (exit 3), and the way out is a setting here.
  return { problem: 'connection-failed', liability: 'client', confidence: 'high', summary, action };
}

// The codes of a chain that anchors in no store: for an interceptor's chain that is its CA missing from
// the client's store (a leaf-only flight included), never a server that forgot its intermediate.
const UNTRUSTED_CODES = new Set([2, 18, 19, 20, 21]);

/**
 * When something re-signs the connection, the server never sent this chain: whatever the chain's
 * symptom, the cause is the interception (liability network), and the action goes to whoever runs it.
 */
function interceptedDiagnosis(record: UndiagnosedRecord, base: Diagnosis): Diagnosis {
  const interception = record.interception;
  const product = interception.product;
  const by = product ?? 'an interceptor (a corporate proxy or antivirus)';
  const host = record.target.servername ?? record.target.host;
  const kind = (interception.evidence as { kind?: string } | null)?.kind ?? null;
  const v = record.verification;
  const problem = v.ok ? base.problem : UNTRUSTED_CODES.has(v.opensslCode) ? 'unknown-ca' : base.problem;
  const seen = v.ok
    ? `it verifies here only because this machine trusts the inspection CA${record.chainAnalysis.anchor ? ` "${record.chainAnalysis.anchor}" (${record.chainAnalysis.anchorStore} store)` : ''}; apps with their own CA bundle (Python's certifi, Node, Java) refuse it`
    : `apps refuse it (${v.code ?? v.message}) because they do not trust the interceptor's CA`;
  return {
    problem,
    liability: 'network',
    confidence: interception.confidence ?? (product ? 'high' : 'medium'),
    summary: `TLS to ${host} is re-signed by ${by}${kind ? ` (${kind})` : ''}, not served by ${host}: ${seen}. The server is not at fault`,
    action: interceptionAction(product, kind, host),
  };
}

/** Who to ask and how to confirm, by the kind of product (catalogue `kind`). */
export function interceptionAction(product: string | null, kind: string | null, host: string): string {
  const trust =
    "trust it on the app's behalf with --extra-ca CA.pem (or a combined bundle from tlswitness bundle -o bundle.pem --extra-ca CA.pem)";
  if (kind === 'debugging proxy') {
    return `${product} (a debugging proxy) is in the path: stop it or take it out of the proxy settings; if it is there on purpose, ${trust}`;
  }
  const scanner = kind === 'antivirus' ? `${product}'s HTTPS (SSL/TLS) scanning` : "the scanner's HTTPS inspection";
  const owner = kind === 'antivirus' ? `IT (or whoever manages ${product})` : 'IT';
  return `ask ${owner} for the inspection CA certificate and ${trust}, or for an exception (no inspection) for ${host}; to confirm, turn ${scanner} off and run this again`;
}

function diagnoseChain(record: UndiagnosedRecord): Diagnosis {
  if (record.failure && record.failure.step !== 'tls') return connectionFailed(record);
  const cc = record.clientCertificate;
  if (record.failure) {
    const refusedClient = cc.requested && CLIENT_CERT_ALERTS.test(record.failure.code);
    if (refusedClient)
      return clientCertRequired(record, /CERTIFICATE_REQUIRED/.test(record.failure.code) ? 'high' : 'medium');
    if (record.chain.length === 0) return handshakeFailed(record);
  }
  if (record.chain.length === 0) return handshakeFailed(record);
  if (!record.verification.ok) return chainProblem(record);
  if (record.failure) return handshakeFailed(record);
  // The handshake went on without a certificate (or with one the server did not take), and the HTTP
  // answer refused us (nginx's 400, a 403, 495/496).
  if (cc.requested && cc.httpCheck?.outcome === 'required') return clientCertRequired(record, cc.httpCheck.confidence);
  // Node (level 1) accepts it, but a stricter client's security level does not (RSA-1024 at level 2).
  if (record.weakCrypto?.refusedBy.length) return weakCryptoDiagnosis(record);
  if (!record.chainAnalysis.inOrder) {
    return {
      problem: 'wrong-order',
      liability: 'server',
      confidence: 'high',
      summary:
        'the chain verifies, but the server sends its certificates out of order; clients that do not reorder (older Java, embedded TLS stacks) fail',
      action: 'the admin must serve leaf, then the intermediate that signed it, then the next one up',
    };
  }
  const named = record.target.servername ?? record.target.host;
  return {
    problem: 'ok',
    liability: 'none',
    confidence: 'high',
    summary: `the chain verifies${record.chainAnalysis.anchor ? ` to "${record.chainAnalysis.anchor}" (${record.chainAnalysis.anchorStore} store)` : ''}${named ? ' and the name matches' : ' (no name was checked)'}`,
    action: 'nothing to fix here; if an app still fails, run tlswitness explain with its error message',
  };
}
