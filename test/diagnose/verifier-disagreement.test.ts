import test from 'ava';
import {
  crossCheckedVerification,
  isOverruled,
  VERIFIER_DISAGREEMENT,
  verifierDisagreement,
} from '../../src/diagnose/verifier-disagreement.js';
import type { Verification } from '../../src/types.js';

const ok: Verification = { ok: true, code: null, opensslCode: 0, message: 'ok' };
const expired: Verification = {
  ok: false,
  code: 'CERT_HAS_EXPIRED',
  opensslCode: 10,
  message: 'certificate has expired',
};

test('agreement gives no warning: both accept, or both refuse with the same code', (t) => {
  t.is(verifierDisagreement(ok, { ok: true, code: null, opensslCode: 0, message: 'ok' }), null);
  t.is(
    verifierDisagreement(expired, {
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      opensslCode: 10,
      message: 'certificate has expired',
    }),
    null,
  );
});

test('tlswitness accepts what OpenSSL refuses: both verdicts named', (t) => {
  const warning = verifierDisagreement(ok, {
    ok: false,
    code: 'UNSPECIFIED',
    opensslCode: 47,
    message: 'permitted subtree violation',
  });
  t.is(warning?.code, VERIFIER_DISAGREEMENT);
  t.regex(
    warning!.message,
    /verifier says ok but OpenSSL's own verification of this handshake says UNSPECIFIED \(permitted subtree violation\)/,
  );
});

test('tlswitness refuses what OpenSSL accepts', (t) => {
  const warning = verifierDisagreement(expired, { ok: true, code: null, opensslCode: 0, message: 'ok' });
  t.regex(warning!.message, /says CERT_HAS_EXPIRED \(certificate has expired\) but OpenSSL.* says ok/);
});

test('both refuse for different reasons: still a disagreement', (t) => {
  const warning = verifierDisagreement(expired, {
    ok: false,
    code: 'CERT_NOT_YET_VALID',
    opensslCode: 9,
    message: 'certificate is not yet valid',
  });
  t.regex(warning!.message, /CERT_HAS_EXPIRED .* CERT_NOT_YET_VALID/);
});

test("crossCheckedVerification: OpenSSL's refusal replaces tlswitness's ok; otherwise tlswitness's verdict stands", (t) => {
  const refused = { ok: false, code: 'UNSPECIFIED', opensslCode: 47, message: 'permitted subtree violation' };
  const overruled = crossCheckedVerification(ok, refused);
  t.like(overruled, { ok: false, code: 'UNSPECIFIED', opensslCode: 47, message: 'permitted subtree violation' });
  t.deepEqual(overruled.openssl, refused);
  t.is(
    overruled.detail,
    "OpenSSL refused this handshake (UNSPECIFIED (47): permitted subtree violation); tlswitness's verifier said ok",
  );
  t.true(isOverruled(overruled));
  t.is(crossCheckedVerification(ok, null), ok, 'no cross-check');
  t.is(crossCheckedVerification(ok, { ok: true, code: null, opensslCode: 0, message: 'ok' }), ok);
  t.is(crossCheckedVerification(expired, refused), expired, 'both refuse: tlswitness keeps its depth and certificate');
  t.false(isOverruled(expired));
  t.like(crossCheckedVerification(ok, { ...refused, opensslCode: null }), { opensslCode: -1 });
});
