// certifiWarning(): when a chain the tool trusts fails against Python's certifi, and which fix it names.
import test from 'ava';
import { certifiWarning } from '../../src/diagnose/certifi-lag.js';

const info = (age: 'same' | 'older' | 'newer' | 'unclear') => ({
  label: 'certifi 2020.12.05 (/venv/certifi/cacert.pem)',
  age,
});
const REFUSED = 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';

test('public roots ok, certifi refuses, certifi older: upgrade certifi', (t) => {
  const warning = certifiWarning(
    { public: 'ok', system: 'ok', extra: 'not-configured', certifi: REFUSED },
    true,
    info('older'),
  )!;
  t.is(warning.code, 'certifi-lacks-root');
  t.regex(
    warning.message,
    /^the public roots verify this chain but your Python's certifi 2020\.12\.05 \(\/venv\/certifi\/cacert\.pem\) does not \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\)/,
  );
  t.regex(warning.message, /older than the public roots: upgrade it: python3 -m pip install --upgrade certifi$/);
});

test('certifi newer than the public roots: the root was removed since, no upgrade advice', (t) => {
  const warning = certifiWarning(
    { public: 'ok', system: 'ok', extra: 'not-configured', certifi: REFUSED },
    true,
    info('newer'),
  )!;
  t.regex(warning.message, /removed from Mozilla's roots since/);
  t.notRegex(warning.message, /pip install/);
  t.regex(
    certifiWarning({ public: 'ok', system: 'ok', extra: 'not-configured', certifi: REFUSED }, true, info('unclear'))!
      .message,
    /upgrade certifi \(python3 -m pip install --upgrade certifi\), or see tlswitness doctor/,
  );
});

test('a corporate root only the extra store trusts: names the store and the bundle to build', (t) => {
  const warning = certifiWarning(
    { public: REFUSED, system: 'not-configured', extra: 'ok', certifi: REFUSED },
    true,
    info('same'),
  )!;
  t.regex(warning.message, /^this machine trusts this chain \(extra store\) but your Python's certifi/);
  t.regex(warning.message, /export REQUESTS_CA_BUNDLE=~\/ca-bundle\.pem$/);
});

test('no warning: certifi trusts it, is not configured, or the chain fails for the tool anyway', (t) => {
  t.is(certifiWarning({ public: 'ok', system: 'ok', extra: 'ok', certifi: 'ok' }, true, info('same')), null);
  t.is(certifiWarning({ public: 'ok', system: 'ok', extra: 'ok', certifi: 'not-configured' }, true, null), null);
  t.is(certifiWarning({ public: 'ok', system: 'ok', extra: 'ok' }, true, null), null);
  t.is(
    certifiWarning(
      { public: 'CERT_HAS_EXPIRED', system: 'CERT_HAS_EXPIRED', extra: 'not-configured', certifi: 'CERT_HAS_EXPIRED' },
      false,
      info('same'),
    ),
    null,
  );
});
