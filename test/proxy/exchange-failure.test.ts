// What the app gets for each kind of failed exchange (errors as the connector and Node raise them).
import test from 'ava';
import { ConnectError } from '../../src/net/connector.js';
import { exchangeFailure, UpstreamTimeoutError } from '../../src/proxy/exchange-failure.js';
import { carriedOnH1, carriedOnH2, OriginHttpError, uncarriedStatus } from '../../src/proxy/origin-http-error.js';

const REQUEST = 'PROXY_TO_SERVER_REQUEST_ERROR';
const connectError = (step: 'dns' | 'connect' | 'timeout' | 'proxy', code: string, message: string) =>
  new ConnectError({ step, code, message }, null);

test('unreachable upstreams are 502 with the connector diagnosis; timeouts are 504', (t) => {
  t.like(
    exchangeFailure(
      REQUEST,
      connectError('dns', 'ENOTFOUND', 'cannot resolve nx.invalid (ENOTFOUND): check the name'),
      'nx.invalid:443',
    ),
    { code: 'UPSTREAM_DNS', status: 502, message: 'cannot resolve nx.invalid (ENOTFOUND): check the name' },
  );
  t.like(
    exchangeFailure(
      REQUEST,
      connectError('connect', 'ECONNREFUSED', 'host 127.0.0.1:9 refused the connection'),
      '127.0.0.1:9',
    ),
    { code: 'UPSTREAM_REFUSED', status: 502 },
  );
  t.like(
    exchangeFailure(
      REQUEST,
      connectError('timeout', 'ETIMEDOUT', 'a:1 did not accept a TCP connection within 10 ms'),
      'a:1',
    ),
    { code: 'UPSTREAM_TIMEOUT', status: 504 },
  );
  t.like(exchangeFailure(REQUEST, connectError('dns', 'ETIMEDOUT', 'resolving a took longer than 10 ms'), 'a:1'), {
    code: 'UPSTREAM_TIMEOUT',
    status: 504,
  });
  t.like(
    exchangeFailure(
      REQUEST,
      connectError('proxy', 'EPROXYAUTH', 'proxy http://p:3128 requires authentication (407, Basic)'),
      'a:1',
    ),
    { code: 'UPSTREAM_PROXY', status: 502 },
  );
  t.like(
    exchangeFailure(REQUEST, connectError('proxy', 'ETIMEDOUT', 'proxy http://p:3128 did not open a tunnel'), 'a:1'),
    { code: 'UPSTREAM_PROXY', status: 504 },
  );
  const silent = exchangeFailure(REQUEST, new UpstreamTimeoutError('a:1', 600), 'a:1');
  t.like(silent, { code: 'UPSTREAM_TIMEOUT', status: 504 });
  t.regex(silent.message, /^a:1 accepted the connection but sent nothing for 600 ms/);
});

test('a reset is UPSTREAM_RESET, a refused certificate UPSTREAM_TLS, and an app that left gets nothing', (t) => {
  t.like(
    exchangeFailure(
      'SERVER_TO_PROXY_RESPONSE_ERROR',
      Object.assign(new Error('aborted'), { code: 'ECONNRESET' }),
      'a:1',
    ),
    { code: 'UPSTREAM_RESET', status: 502 },
  );
  t.like(exchangeFailure(REQUEST, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'a:1'), {
    code: 'UPSTREAM_RESET',
  });
  t.like(
    exchangeFailure(REQUEST, new Error('a:1 presented a certificate that was neither recorded nor verifiable'), 'a:1'),
    { code: 'UPSTREAM_TLS', status: 502 },
  );
  for (const kind of ['CLIENT_TO_PROXY_REQUEST_ERROR', 'PROXY_TO_CLIENT_RESPONSE_ERROR'])
    t.like(exchangeFailure(kind, new Error('aborted'), 'a:1'), { code: 'CLIENT_ABORTED', status: null });
});

test("an answer that is not HTTP the app's side can carry is UPSTREAM_HTTP, the server's fault: neither TLS nor a reset nor the proxy's", (t) => {
  const parse = Object.assign(new Error('Parse Error: Duplicate Content-Length'), {
    code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
  });
  for (const kind of [REQUEST, 'SERVER_TO_PROXY_RESPONSE_ERROR', 'PROXY_ERROR', 'ON_RESPONSE_ERROR']) {
    const failure = exchangeFailure(kind, parse, 'a:1');
    t.like(failure, { code: 'UPSTREAM_HTTP', status: 502 }, kind);
    t.regex(
      failure.message,
      /^a:1 answered with something that is not valid HTTP \(Parse Error: Duplicate Content-Length\)/,
    );
  }
  t.like(exchangeFailure('PROXY_ERROR', uncarriedStatus(999, 'HTTP/2'), 'a:1'), { code: 'UPSTREAM_HTTP', status: 502 });
  t.like(exchangeFailure(REQUEST, new OriginHttpError('101 to a GET'), 'a:1'), { code: 'UPSTREAM_HTTP', status: 502 });
  t.like(exchangeFailure('CLIENT_TO_PROXY_REQUEST_ERROR', parse, 'a:1'), { code: 'CLIENT_ABORTED', status: null });
  t.is(carriedOnH1(0), false);
  t.is(carriedOnH1(99), false);
  t.is(carriedOnH1(999), true);
  t.is(carriedOnH2(999), false);
  t.is(carriedOnH2(204), true);
});
