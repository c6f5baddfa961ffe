// The gate every forwarded MITM connection passes: OpenSSL's own verdict on the live upstream
// connection decides, the recorded verdict only explains; where the two differ the request is
// refused and the record amended, so a verifier bug shows up as a report instead of a silent pass. Pure.
import { diagnose } from '../diagnose/diagnose.js';
import { describeVerdict, opensslVerification } from '../diagnose/verifier-disagreement.js';
import { opensslVerdict, type ConnectionFacts } from '../trust/openssl-verdict.js';
import type { HandshakeRecord, OpensslVerdict } from '../types.js';
import { sameAcrossBundles } from '../cross-bundle.js';

export type { OpensslVerdict, ConnectionFacts };
export { opensslVerdict, describeVerdict };

export interface GateDecision {
  /** The connection may carry the app's requests. */
  pass: boolean;
  /** The record (about this very leaf) and OpenSSL disagree. */
  disagreement: boolean;
}

/**
 * OpenSSL's refusal always wins. A record about another leaf (the server rotated its certificate)
 * does not speak for this connection: OpenSSL alone decides and the host is recorded again. A
 * record about this leaf that refuses what OpenSSL accepts is a disagreement too, and the stricter
 * verdict stands (the tool is never more permissive than a careful client, nor than its own record).
 */
export function gateDecision(
  openssl: OpensslVerdict,
  recordAccepts: boolean | null,
  sameLeaf: boolean,
  policyRefusal = false,
): GateDecision {
  const recorded = sameLeaf && recordAccepts !== null;
  // A record that refuses by a stricter client's policy (weak-crypto at level 2) while both verifiers
  // accept at level 1 is no disagreement: refused, not reported as a verifier bug.
  const disagreement = recorded && recordAccepts !== openssl.ok && !(policyRefusal && openssl.ok);
  return { pass: openssl.ok && (!recorded || recordAccepts === true), disagreement };
}

/**
 * The record as amended by OpenSSL's verdict on a live connection: its verification becomes
 * OpenSSL's (with tlswitness's own kept in `detail`), and the diagnosis says which said what.
 */
export function amendedRecord(record: HandshakeRecord, openssl: OpensslVerdict): HandshakeRecord {
  // OpenSSL accepts what the record refuses: the record's refusal stands, with OpenSSL's verdict beside it.
  if (openssl.ok) return { ...record, verification: { ...record.verification, openssl } };
  const undiagnosed = {
    ...record,
    verification: opensslVerification(openssl, record.verification, 'the live connection'),
  };
  return { ...undiagnosed, diagnosis: diagnose(undiagnosed) };
}

/** The one-line text of the VERIFIER_DISAGREEMENT error event, naming both verdicts. */
export function disagreementMessage(
  where: string,
  record: HandshakeRecord,
  openssl: OpensslVerdict,
  recordAccepts: boolean,
): string {
  const ours = recordAccepts
    ? `accepted (${describeVerdict({ ...record.verification })})`
    : `refused (${describeVerdict({ ...record.verification })})`;
  const theirs = openssl.ok ? 'accepted' : `refused (${describeVerdict(openssl)})`;
  return `${where}: tlswitness's verifier ${ours} the chain of record ${record.id}, OpenSSL ${theirs} the live connection; the request was blocked. This is a tlswitness verifier bug: please report it with the chain`;
}

/** How the agent refuses a connection; the proxy answers the request with the block page of `record`. */
export class UpstreamRefusal extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'UpstreamRefusal');
  }

  readonly code = 'UPSTREAM_REFUSED_BY_OPENSSL';

  constructor(
    message: string,
    readonly openssl: OpensslVerdict,
    /** The record to show the app (amended with OpenSSL's verdict), when one is about this connection. */
    readonly record: HandshakeRecord | null,
  ) {
    super(message);
    this.name = 'UpstreamRefusal';
  }
}
