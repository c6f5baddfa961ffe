// The verifier under test: tlswitness's verifyChain over the same bytes and time the oracles saw.
import { parseCertificate } from '../../src/trust/certificate.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import { verifyChain } from '../../src/trust/verify.js';
import type { BuiltChain } from './der-builder.js';

export interface SubjectAnswer {
  /** Set when parsing or verifying threw: the message and where. */
  thrown: string | null;
  ok: boolean;
  opensslCode: number | null;
  code: string | null;
  message: string | null;
  depth: number | null;
}

export function subjectVerify(chain: BuiltChain, now: Date): SubjectAnswer {
  let stage = 'parse';
  try {
    const sent = chain.sent.map(parseCertificate);
    const anchors = chain.anchors.map(parseCertificate);
    stage = 'verify';
    const verdict = verifyChain(sent, [TrustStore.fromCertificates('extra', anchors)], now, chain.spec.host);
    return {
      thrown: null,
      ok: verdict.ok,
      opensslCode: verdict.opensslCode,
      code: verdict.code,
      message: verdict.message,
      depth: verdict.depth,
    };
  } catch (error) {
    return {
      thrown: `${stage}: ${(error as Error).message}`,
      ok: false,
      opensslCode: null,
      code: null,
      message: null,
      depth: null,
    };
  }
}
