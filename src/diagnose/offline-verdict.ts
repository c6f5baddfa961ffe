// What `tlswitness verify` reports on a chain file: the same judgement and diagnosis a handshake
// record carries for a server that sends this chain, without the connection; pure.
import { SCHEMA_VERSION } from '../schema-version.js';
import type { VerifyOptions } from '../trust/verify.js';
import type {
  ChainAnalysis,
  ChainEntry,
  Diagnosis,
  HandshakeRecord,
  StrictWarning,
  Verification,
  WeakCrypto,
} from '../types.js';
import { judgeChain, type TrustContext } from './chain-judgement.js';
import { diagnose, type UndiagnosedRecord } from './diagnose.js';

export interface OfflineVerdict {
  /** True exactly when the chain verifies and is in order: what exit code 0 means. */
  ok: boolean;
  verification: Verification;
  trust: HandshakeRecord['trust'];
  diagnosis: Diagnosis;
  chain: ChainEntry[];
  chainAnalysis: ChainAnalysis;
  warnings: StrictWarning[];
  /** The clients whose security level refuses a key or signature, as in the handshake record. */
  weakCrypto: WeakCrypto | null;
}

/** `ders` leaf first, as a server would send them; `name` a DNS name or IP literal, or null to check none. */
export function verifyOffline(
  ders: Buffer[],
  trust: TrustContext,
  now: Date,
  name: string | null,
  options: VerifyOptions = {},
): OfflineVerdict {
  const judged = judgeChain(ders, trust, now, name, null, options);
  if (!judged.verification) throw new Error('verifyOffline needs at least one certificate that parses');
  // diagnose() judges records: an offline chain is a record with no connection, no failure and no client certificate.
  const record: UndiagnosedRecord = {
    type: 'handshake',
    schemaVersion: SCHEMA_VERSION,
    id: 'verify',
    time: now.toISOString(),
    target: { host: name ?? '', port: 0, servername: name, address: null },
    via: 'direct',
    proxy: null,
    tls: { protocol: null, cipher: null, alpn: null },
    chain: judged.chain,
    trust: judged.trust,
    verification: judged.verification,
    chainAnalysis: judged.chainAnalysis,
    clientCertificate: { requested: false, acceptableCAs: [], presented: null },
    warnings: judged.warnings,
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure: null,
    timing: { connectMs: null, handshakeMs: null },
    weakCrypto: judged.weakCrypto,
  };
  const diagnosis = diagnose(record);
  return {
    ok: diagnosis.problem === 'ok',
    verification: judged.verification,
    trust: judged.trust,
    diagnosis,
    chain: judged.chain,
    chainAnalysis: judged.chainAnalysis,
    warnings: judged.warnings,
    weakCrypto: judged.weakCrypto,
  };
}
