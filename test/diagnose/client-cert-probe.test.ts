// The judgement on a server's HTTP answer after it asked for a client certificate and got none.
import test from 'ava';
import { judgeClientCertAnswer, withAppRefusal } from '../../src/diagnose/client-cert-probe.js';
import type { HandshakeRecord, HttpAnswer } from '../../src/types.js';

const answer = (over: Partial<HttpAnswer>): HttpAnswer => ({
  request: 'HEAD /',
  status: null,
  statusText: '',
  head: '',
  end: 'response',
  error: null,
  ...over,
});

// nginx 1.22's page for ssl_verify_client on without a certificate (GET /).
const NGINX_400 =
  'HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n</body>\r\n</html>\r\n';

for (const status of [400, 403]) {
  test(`${status} without a word about certificates: required, medium`, (t) => {
    t.like(judgeClientCertAnswer(answer({ status, statusText: status === 400 ? 'Bad Request' : 'Forbidden' })), {
      outcome: 'required',
      confidence: 'medium',
      status,
    });
  });
}

for (const status of [495, 496]) {
  test(`${status} (nginx's certificate statuses): required, high`, (t) => {
    t.like(judgeClientCertAnswer(answer({ status })), { outcome: 'required', confidence: 'high' });
  });
}

test("nginx's 400 page names the certificate: required, high, quoted", (t) => {
  const check = judgeClientCertAnswer(
    answer({ request: 'GET /', status: 400, statusText: 'Bad Request', head: NGINX_400 }),
  );
  t.like(check, { outcome: 'required', confidence: 'high' });
  t.is(check.reason, 'GET / was answered 400 Bad Request ("400 No required SSL certificate was sent")');
});

test('a 403 whose body asks for a client certificate: high', (t) => {
  t.like(
    judgeClientCertAnswer(
      answer({
        request: 'GET /',
        status: 403,
        statusText: 'Forbidden',
        head: 'HTTP/1.1 403 Forbidden\r\n\r\nmutual TLS authentication required\n',
      }),
    ),
    { outcome: 'required', confidence: 'high' },
  );
});

for (const status of [200, 204, 301, 302, 304, 401, 404, 405, 501]) {
  test(`${status}: the request reached the application, so the certificate is optional`, (t) => {
    const check = judgeClientCertAnswer(answer({ status, statusText: 'X' }));
    t.like(check, { outcome: 'optional', confidence: 'high' });
    t.regex(check.reason, new RegExp(`^HEAD / was answered ${status} X: a client without a certificate is served$`));
  });
}

for (const status of [429, 500, 502, 503]) {
  test(`${status}: neither way, low`, (t) => {
    t.like(judgeClientCertAnswer(answer({ status })), { outcome: 'inconclusive', confidence: 'low' });
  });
}

for (const end of ['closed', 'reset', 'alert'] as const) {
  test(`${end} before any response: required, medium`, (t) => {
    const check = judgeClientCertAnswer(
      answer({ end, error: end === 'alert' ? 'tlsv13 alert certificate required' : null }),
    );
    t.like(check, { outcome: 'required', confidence: 'medium', status: null });
    t.regex(check.reason, /after HEAD \/ without answering/);
  });
}

test('not HTTP, or silence: inconclusive, low (the old warning stays)', (t) => {
  t.like(judgeClientCertAnswer(answer({ end: 'not-http', head: 'SSH-2.0-OpenSSH' })), {
    outcome: 'inconclusive',
    confidence: 'low',
  });
  t.like(judgeClientCertAnswer(answer({ end: 'timeout' })), { outcome: 'inconclusive', confidence: 'low' });
});

/** A record of a host that asked for a client certificate and went on without one (the parts the judgement reads). */
function askedRecord(over: Partial<HandshakeRecord> = {}): HandshakeRecord {
  return {
    type: 'handshake',
    schemaVersion: '1.0',
    id: 'h-7',
    time: '2026-12-01T00:00:00.000Z',
    target: { host: 'api.example.com', port: 443, servername: 'api.example.com', address: '127.0.0.1' },
    via: 'direct',
    proxy: null,
    tls: { protocol: 'TLSv1.3', cipher: null, alpn: 'http/1.1' },
    chain: [],
    trust: { public: 'ok', system: 'not-configured', extra: 'not-configured' },
    verification: { ok: true, code: null, opensslCode: 0, message: 'ok' },
    diagnosis: {
      problem: 'ok',
      liability: 'none',
      confidence: 'high',
      summary: 'the chain verifies',
      action: 'nothing to fix here',
    },
    chainAnalysis: {
      missingIssuer: null,
      fetched: null,
      extraCerts: 0,
      containsAnchor: false,
      inOrder: true,
      path: [0],
      anchor: null,
      anchorStore: null,
      aiaCaIssuers: [],
    },
    clientCertificate: { requested: true, acceptableCAs: ['CN=Client Root'], presented: null },
    warnings: [{ code: 'client-certificate-requested', clients: [], message: 'asked' }],
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure: null,
    timing: { connectMs: 1, handshakeMs: 1 },
    ...over,
  };
}

test("withAppRefusal: the app's 400 turns the record client-cert-required, same id, the proxy's action", (t) => {
  const amended = withAppRefusal(
    askedRecord(),
    answer({ request: "the app's POST", status: 400, statusText: 'Bad Request' }),
  )!;
  t.is(amended.id, 'h-7');
  t.like(amended.diagnosis, { problem: 'client-cert-required', liability: 'client', confidence: 'medium' });
  t.regex(
    amended.diagnosis.summary,
    /the app's POST was answered 400 Bad Request\. It accepts certificates from: CN=Client Root\./,
  );
  t.is(
    amended.diagnosis.action,
    'give the proxy a certificate issued by one of the accepted CAs for this host: --upstream-client-cert api.example.com=CERT.pem,KEY.pem',
  );
  t.deepEqual(amended.warnings, []);
});

test('withAppRefusal: nothing to say for a served request, a certificate presented, no request, or another problem', (t) => {
  const refused = answer({ status: 403 });
  t.is(withAppRefusal(askedRecord(), answer({ status: 200 })), null);
  t.is(
    withAppRefusal(
      askedRecord({ clientCertificate: { requested: true, acceptableCAs: [], presented: 'CN=me' } }),
      refused,
    ),
    null,
  );
  t.is(
    withAppRefusal(
      askedRecord({ clientCertificate: { requested: false, acceptableCAs: [], presented: null } }),
      refused,
    ),
    null,
  );
  t.is(
    withAppRefusal(
      askedRecord({
        diagnosis: { problem: 'expired', liability: 'server', confidence: 'high', summary: '', action: '' },
      }),
      refused,
    ),
    null,
  );
});
