// TARGET, --resolve and NO_PROXY parsing.
import test from 'ava';
import { TlswitnessError } from '../../src/errors.js';
import { bypassesProxy, envProxyFor } from '../../src/net/env-proxy.js';
import { parseResolve, parseTarget } from '../../src/net/target.js';

test('targets: host, host:port, [v6]:port, bare v6, URLs', (t) => {
  t.deepEqual(parseTarget('api.example.com'), { host: 'api.example.com', port: 443 });
  t.deepEqual(parseTarget('API.Example.com:8443'), { host: 'api.example.com', port: 8443 });
  t.deepEqual(parseTarget('[::1]:8443'), { host: '::1', port: 8443 });
  t.deepEqual(parseTarget('[2001:db8::1]'), { host: '2001:db8::1', port: 443 });
  t.deepEqual(parseTarget('2001:db8::1'), { host: '2001:db8::1', port: 443 });
  t.deepEqual(parseTarget('https://api.example.com/v1/x?y=1'), { host: 'api.example.com', port: 443 });
  t.deepEqual(parseTarget('https://[::1]:9443/'), { host: '::1', port: 9443 });
  t.deepEqual(parseTarget('10.0.0.1:443'), { host: '10.0.0.1', port: 443 });
});

test('bad targets are usage errors', (t) => {
  for (const bad of [
    '',
    'host:0',
    'host:99999',
    'host:abc',
    'http://plain.example.com',
    'a b',
    '[::1',
    `${'a'.repeat(300)}.com`,
  ]) {
    t.throws(() => parseTarget(bad), { instanceOf: TlswitnessError }, bad);
  }
});

test('--resolve takes curl forms, including bracketed IPv6 and several addresses', (t) => {
  const map = parseResolve([
    'API.example.com:443:127.0.0.1',
    'v6.example.com:8443:[::1]',
    'multi.example.com:443:127.0.0.2,127.0.0.3',
  ]);
  t.deepEqual(map.get('api.example.com:443'), ['127.0.0.1']);
  t.deepEqual(map.get('v6.example.com:8443'), ['::1']);
  t.deepEqual(map.get('multi.example.com:443'), ['127.0.0.2', '127.0.0.3']);
  for (const bad of ['host:443', 'host:x:127.0.0.1', 'host:443:not-an-ip', 'host:0:127.0.0.1']) {
    t.throws(() => parseResolve([bad]), { instanceOf: TlswitnessError }, bad);
  }
});

test('env proxies as curl: lowercase first, NO_PROXY suffixes, CIDR and *', (t) => {
  t.is(
    envProxyFor('a.example.com', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }),
    'http://lower:1',
  );
  t.is(envProxyFor('a.example.com', { ALL_PROXY: 'http://all:1' }), 'http://all:1');
  t.is(envProxyFor('a.example.com', {}), null);
  t.true(bypassesProxy('api.example.com', 'localhost, .example.com'));
  t.true(bypassesProxy('example.com', 'example.com'));
  t.false(bypassesProxy('badexample.com', 'example.com'));
  t.true(bypassesProxy('10.1.2.3', '10.0.0.0/8'));
  t.false(bypassesProxy('11.1.2.3', '10.0.0.0/8'));
  t.true(bypassesProxy('anything', '*'));
  t.is(envProxyFor('internal.corp', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'corp' }), null);
});
