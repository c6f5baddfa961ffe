// What the app gets for each kind of failed exchange (errors as the connector and Node raise them).
import test from 'ava';
import { ConnectError } from '../../src/net/connector.js';
import { exchangeFailure, UpstreamTimeoutError } from '../../src/proxy/exchange-failure.js';

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
