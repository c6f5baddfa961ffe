// handshakeFailed on the failures OpenSSL reports with a TLS alert that names its cause: each is said for
// what it is, on the side it belongs to, never the low-confidence "retry with --tls-max 1.2".
import test from 'ava';
import type { UndiagnosedRecord } from '../../src/diagnose/diagnose.js';
import { handshakeFailed } from '../../src/diagnose/failure-verdict.js';

/** A record whose handshake ended with Node's error for `reason` (OpenSSL's text, as Node's message holds it). */
function failedWith(code: string, reason: string, alert: number): UndiagnosedRecord {
  return {
    target: { host: 'api.example.com', port: 443, servername: 'api.example.com', address: '127.0.0.1' },
    failure: {
      step: 'tls',
      code,
      message: `80CC29D88F7F0000:error:0A000000:SSL routines:ssl3_read_bytes:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number ${alert}\n`,
    },
  } as unknown as UndiagnosedRecord;
}

const CASES: Array<[string, string, number, 'client' | 'server', RegExp]> = [
  [
    'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
    'tlsv1 alert no application protocol',
    120,
    'client',
    /speaks none of the application protocols the client offered/,
  ],
  [
    'ERR_SSL_TLSV1_UNRECOGNIZED_NAME',
    'tlsv1 unrecognized name',
    112,
    'client',
    /does not serve the name api\.example\.com/,
  ],
  ['ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR', 'tlsv1 alert internal error', 80, 'server', /internal error \(TLS alert 80\)/],
  [
    'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
    'tlsv1 alert access denied',
    49,
    'server',
    /refused this client .*TLS alert 49/,
  ],
];

for (const [code, reason, alert, liability, summary] of CASES)
  test(`alert ${alert} (${reason}): ${liability}'s side, said as such`, (t) => {
    const diagnosis = handshakeFailed(failedWith(code, reason, alert));
    t.is(diagnosis.problem, 'handshake-failed');
    t.is(diagnosis.liability, liability);
    t.not(diagnosis.confidence, 'low');
    t.regex(diagnosis.summary, summary);
    t.notRegex(diagnosis.action, /--tls-max/);
  });

test('an alert with no rule of its own stays the low-confidence handshake failure', (t) => {
  const diagnosis = handshakeFailed(failedWith('ERR_SSL_TLSV1_ALERT_DECODE_ERROR', 'tlsv1 alert decode error', 50));
  t.like(diagnosis, { problem: 'handshake-failed', liability: 'server', confidence: 'low' });
});
