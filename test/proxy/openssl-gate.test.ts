// The gate's judgements: OpenSSL's verdict from a live connection's facts, which verdict decides,
// the amended record and the disagreement message; branch by branch on recorded fixture records.
import test from 'ava';
import {
  amendedRecord,
  describeVerdict,
  disagreementMessage,
  gateDecision,
  opensslVerdict,
} from '../../src/proxy/openssl-gate.js';
import { blockResponse } from '../../src/proxy/block-response.js';
import { upstreamAcceptable } from '../../src/proxy/policy.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { observeScenarios } from '../helpers/records.js';
import type { HandshakeRecord, OpensslVerdict } from '../../src/types.js';

let fixtures: Fixtures;
let valid: HandshakeRecord;
test.before(async () => {
  fixtures = await makeFixtures();
  ({ valid } = (await observeScenarios(fixtures, ['valid'])) as { valid: HandshakeRecord });
});
test.after.always(async () => fixtures?.close());

const refused: OpensslVerdict = {
  ok: false,
  code: 'UNSPECIFIED',
  opensslCode: null,
  message: 'permitted subtree violation',
};
const ok: OpensslVerdict = { ok: true, code: null, opensslCode: 0, message: 'ok' };

test('opensslVerdict: a verified chain and a matching name is ok', (t) => {
  t.deepEqual(
    opensslVerdict({ authorized: true, authorizationError: null, verifyMessage: null, identityError: null }),
    ok,
  );
});

test("opensslVerdict: a chain error keeps Node's code and OpenSSL's text, and its number when known", (t) => {
  // A text no table knows keeps its code null; OpenSSL's texts it knows get their number.
  t.deepEqual(
    opensslVerdict({
      authorized: false,
      authorizationError: 'UNSPECIFIED',
      verifyMessage: 'some future verify error',
      identityError: null,
    }),
    { ok: false, code: 'UNSPECIFIED', opensslCode: null, message: 'some future verify error' },
  );
  t.deepEqual(
    opensslVerdict({
      authorized: false,
      authorizationError: 'UNSPECIFIED',
      verifyMessage: 'unspecified certificate verification error',
      identityError: null,
    }).opensslCode,
    1,
  );
  t.deepEqual(
    opensslVerdict({
      authorized: false,
      authorizationError: 'CERT_HAS_EXPIRED',
      verifyMessage: 'certificate has expired',
      identityError: null,
    }),
    { ok: false, code: 'CERT_HAS_EXPIRED', opensslCode: 10, message: 'certificate has expired' },
  );
  // Without the text (an older Node), the code's own.
  t.deepEqual(
    opensslVerdict({
      authorized: false,
      authorizationError: 'CERT_HAS_EXPIRED',
      verifyMessage: null,
      identityError: null,
    }),
    { ok: false, code: 'CERT_HAS_EXPIRED', opensslCode: 10, message: 'certificate has expired' },
  );
});

test("opensslVerdict: a chain that verifies for another name is refused with the name check's reason", (t) => {
  const identityError = {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    reason: "Host: bank.test. is not in the cert's altnames: DNS:good.test",
    message: 'Hostname/IP does not match',
  };
  t.deepEqual(opensslVerdict({ authorized: true, authorizationError: null, verifyMessage: null, identityError }), {
    ok: false,
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    opensslCode: 62,
    message: identityError.reason,
  });
});

test("gateDecision: OpenSSL's refusal always wins; a disagreement only about the recorded leaf", (t) => {
  t.deepEqual(gateDecision(ok, true, true), { pass: true, disagreement: false });
  t.deepEqual(gateDecision(refused, true, true), { pass: false, disagreement: true });
  t.deepEqual(gateDecision(refused, false, true), { pass: false, disagreement: false });
  t.deepEqual(gateDecision(ok, false, true), { pass: false, disagreement: true }, 'the stricter record stands');
  // Another leaf than the recorded one (a rotation): OpenSSL alone decides, nothing to disagree about.
  t.deepEqual(gateDecision(ok, false, false), { pass: true, disagreement: false });
  t.deepEqual(gateDecision(refused, true, false), { pass: false, disagreement: false });
  // Nothing recorded yet.
  t.deepEqual(gateDecision(ok, null, false), { pass: true, disagreement: false });
  t.deepEqual(gateDecision(refused, null, false), { pass: false, disagreement: false });
});

test("amendedRecord: OpenSSL's refusal becomes the verification, ours stays in the detail, the diagnosis names both", (t) => {
  const amended = amendedRecord(valid, refused);
  t.false(amended.verification.ok);
  t.is(amended.verification.code, 'UNSPECIFIED');
  t.is(amended.verification.message, 'permitted subtree violation');
  t.deepEqual(amended.verification.openssl, refused);
  t.regex(
    amended.verification.detail!,
    /OpenSSL refused the live connection \(UNSPECIFIED: permitted subtree violation\); tlswitness's verifier said ok/,
  );
  t.not(amended.diagnosis.problem, 'ok');
  t.regex(
    amended.diagnosis.summary,
    /^OpenSSL refused the live connection \(UNSPECIFIED: permitted subtree violation\); tlswitness's verifier said ok; a careful client/,
  );
  t.regex(amended.diagnosis.action, /VERIFIER_DISAGREEMENT/);
  t.is(amended.id, valid.id, 'a follow-up of the same handshake');
  t.true(valid.verification.ok, 'the original is left alone');
  const page = blockResponse(amended, undefined);
  t.is(page.status, 502);
  t.regex(page.body, /OpenSSL: {3}refused: UNSPECIFIED, permitted subtree violation/);
});

test("amendedRecord: when OpenSSL accepts what the record refuses, the record's refusal stands with OpenSSL's verdict beside it", (t) => {
  const strict: HandshakeRecord = {
    ...valid,
    verification: {
      ...valid.verification,
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      opensslCode: 10,
      message: 'certificate has expired',
    },
  };
  const amended = amendedRecord(strict, ok);
  t.false(amended.verification.ok);
  t.is(amended.verification.code, 'CERT_HAS_EXPIRED');
  t.deepEqual(amended.verification.openssl, ok);
});

test('disagreementMessage names both verdicts and the record', (t) => {
  t.regex(
    disagreementMessage('evil.example.com:443', valid, refused, true),
    /^evil\.example\.com:443: tlswitness's verifier accepted \(ok\) the chain of record h-test, OpenSSL refused \(UNSPECIFIED: permitted subtree violation\)/,
  );
  const strict: HandshakeRecord = {
    ...valid,
    verification: {
      ...valid.verification,
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      opensslCode: 10,
      message: 'certificate has expired',
    },
  };
  t.regex(
    disagreementMessage('x:443', strict, ok, false),
    /verifier refused \(CERT_HAS_EXPIRED \(10\): certificate has expired\) .*OpenSSL accepted/,
  );
  t.is(describeVerdict(ok), 'ok');
});

test('an amended record is never acceptable again, even one --complete-chains would rescue', (t) => {
  const incomplete: HandshakeRecord = {
    ...valid,
    verification: {
      ...valid.verification,
      ok: false,
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      opensslCode: 21,
      message: 'unable to verify the first certificate',
    },
    diagnosis: { ...valid.diagnosis, problem: 'incomplete-chain' },
    chainAnalysis: {
      ...valid.chainAnalysis,
      fetched: { url: 'http://127.0.0.1:9/i.der', ok: true, subject: null, completesChain: true, error: null },
    },
  };
  t.true(upstreamAcceptable({ completeChains: true }, incomplete));
  const amended = amendedRecord(incomplete, {
    ok: false,
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    opensslCode: 21,
    message: 'unable to verify the first certificate',
  });
  t.is(amended.diagnosis.problem, 'incomplete-chain');
  t.false(upstreamAcceptable({ completeChains: true }, amended));
});

test('gateDecision: a record refused by a stricter level (weak-crypto) while OpenSSL accepts at level 1 is refused, not a verifier bug', (t) => {
  t.deepEqual(gateDecision(ok, false, true, true), { pass: false, disagreement: false });
  t.deepEqual(gateDecision(refused, false, true, true), { pass: false, disagreement: false });
});
