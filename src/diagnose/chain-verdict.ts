// The verdict for a chain that did not verify, named by OpenSSL's verify code (X509_V_ERR_*); pure.
import type { Diagnosis, Verification } from '../types.js';
import type { UndiagnosedRecord } from './diagnose.js';
import { DISTRIBUTION_LEVEL, NODE_LEVEL } from './weak-crypto.js';

/** Where the chain failed: the certificate OpenSSL stopped at (the leaf when it names none), and the name checked. */
interface FailedAt {
  depth: number;
  at: NonNullable<Verification['certificate']> | undefined;
  host: string;
}

function failedAt(record: UndiagnosedRecord): FailedAt {
  const v = record.verification;
  const leaf = record.chain[0];
  const depth = v.depth ?? 0;
  const at =
    v.certificate ??
    (leaf
      ? { subject: leaf.subject, notBefore: leaf.notBefore, notAfter: leaf.notAfter, from: 'server' as const }
      : undefined);
  // An offline chain (`tlswitness verify` without --host/--ip) names no host.
  const host = record.target.servername ?? (record.target.host || 'the server');
  return { depth, at, host };
}

export function chainProblem(record: UndiagnosedRecord): Diagnosis {
  const v = record.verification;
  const leaf = record.chain[0];
  const { depth, at, host } = failedAt(record);
  switch (v.opensslCode) {
    case 10: // X509_V_ERR_CERT_HAS_EXPIRED
    case 9: // X509_V_ERR_CERT_NOT_YET_VALID
      return validityProblem(record);
    case 18: // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    case 19: // X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    case 2: // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
    case 20: // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    case 21: // X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
      return untrustedProblem(record);
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

/** An expired (10) or not yet valid (9) certificate: the server's, or the root in a store here. */
function validityProblem(record: UndiagnosedRecord): Diagnosis {
  const { depth, at, host } = failedAt(record);
  const fromStore = at !== undefined && at.from !== 'server';
  if (record.verification.opensslCode === 9) {
    return {
      problem: 'not-yet-valid',
      liability: fromStore ? 'client' : 'server',
      confidence: 'medium',
      summary: `${depth === 0 ? 'the certificate' : `"${at?.subject}"`} is valid only from ${at?.notBefore}`,
      action: "check this machine's clock first; if it is right, the server installed a certificate too early",
    };
  }
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
}

/** A chain that anchors in no store: self-signed, an untrusted root, or an issuer nobody sent. */
function untrustedProblem(record: UndiagnosedRecord): Diagnosis {
  const v = record.verification;
  const leaf = record.chain[0];
  const { at, host } = failedAt(record);
  const analysis = record.chainAnalysis;
  switch (v.opensslCode) {
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
    default:
      return missingIssuerProblem(record, host);
  }
}

/** 20/21: an intermediate the server did not send (when the leaf names or the fetch found it), or an unknown CA. */
function missingIssuerProblem(record: UndiagnosedRecord, host: string): Diagnosis {
  const v = record.verification;
  const analysis = record.chainAnalysis;
  const fetched = analysis.fetched;
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

/**
 * A key or signature too weak for some clients' security level: which ones refuse (with what they
 * print) and which accept, from the record's weakCrypto judgement; Node's code alone when it has none.
 */
export function weakCryptoDiagnosis(record: UndiagnosedRecord): Diagnosis {
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
