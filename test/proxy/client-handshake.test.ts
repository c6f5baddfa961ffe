// How an app's unfinished TLS handshake with the proxy is read, on OpenSSL messages recorded from
// Node 20 (a TLSSocket server facing openssl s_client and raw bytes).
import test from 'ava';
import { classifyHandshakeEnd } from '../../src/proxy/client-handshake.js';

const UNKNOWN_CA =
  '808C8350757F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n';
const NO_SHARED_CIPHER =
  '801CC9ED637F0000:error:0A0000C1:SSL routines:tls_early_post_process_client_hello:no shared cipher:../deps/openssl/openssl/ssl/statem/statem_srvr.c:1749:\n';
const UNEXPECTED =
  '80BC2FAEC97F0000:error:0A0000F4:SSL routines:ossl_statem_server_read_transition:unexpected message:../deps/openssl/openssl/ssl/statem/statem_srvr.c:312:\n';
const HTTP_ON_TLS =
  '805C8D00537F0000:error:0A00009C:SSL routines:ssl3_get_record:http request:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:\n';
const LENGTH =
  '805C8D00537F0000:error:0A00009F:SSL routines:tls_process_client_hello:length mismatch:../deps/openssl/openssl/ssl/statem/statem_srvr.c:1522:\n';
const PROTOCOL_ALERT =
  '808C8350757F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70\n';

test('an alert about the certificate is a rejection (high); a silent close after the flight is one too (medium)', (t) => {
  const alert = classifyHandshakeEnd({ error: UNKNOWN_CA, flightSent: true, timedOut: false }, 1000);
  t.like(alert, { kind: 'rejection', confidence: 'high' });
  t.regex(
    (alert as { reason: string }).reason,
    /tlsv1 alert unknown ca$/,
    "the message without OpenSSL's prefix and source path",
  );
  t.like(classifyHandshakeEnd({ error: null, flightSent: true, timedOut: false }, 1000), {
    kind: 'rejection',
    confidence: 'medium',
  });
});

test('bytes that are not TLS, an offer the proxy cannot meet, other alerts, an early close and a stall are errors, not rejections', (t) => {
  for (const error of [UNEXPECTED, HTTP_ON_TLS, LENGTH])
    t.like(classifyHandshakeEnd({ error, flightSent: false, timedOut: false }, 1000), {
      kind: 'error',
      code: 'CLIENT_TLS_MALFORMED',
    });
  t.like(classifyHandshakeEnd({ error: NO_SHARED_CIPHER, flightSent: false, timedOut: false }, 1000), {
    kind: 'error',
    code: 'CLIENT_TLS_INCOMPATIBLE',
  });
  t.like(classifyHandshakeEnd({ error: PROTOCOL_ALERT, flightSent: true, timedOut: false }, 1000), {
    kind: 'error',
    code: 'CLIENT_TLS_ALERT',
  });
  t.like(classifyHandshakeEnd({ error: null, flightSent: false, timedOut: false }, 1000), {
    kind: 'error',
    code: 'CLIENT_TLS_ABORTED',
  });
  const stall = classifyHandshakeEnd({ error: null, flightSent: true, timedOut: true }, 1500);
  t.like(stall, { kind: 'error', code: 'CLIENT_TLS_TIMEOUT' });
  t.regex((stall as { reason: string }).reason, /1500 ms/);
});
