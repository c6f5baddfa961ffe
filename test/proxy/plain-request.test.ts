// Plain-listener requests: which are forwarded, and exactly where.
import test from 'ava';
import { checkPlainRequest, shownTarget } from '../../src/proxy/plain-request.js';

const route = (raw: string) => {
  const verdict = checkPlainRequest(raw, true);
  if (!('route' in verdict)) throw new Error(`refused ${raw}: ${verdict.text}`);
  return verdict.route;
};

test('the route is the one parsed URL: scheme any case, default port, IPv6 literal, path and query', (t) => {
  t.deepEqual(route('HTTP://Example.Test/x?y=1'), {
    host: 'example.test',
    port: 80,
    path: '/x?y=1',
    hostHeader: 'example.test',
    url: 'http://example.test/x?y=1',
  });
  t.deepEqual(route('http://example.test:80/'), {
    host: 'example.test',
    port: 80,
    path: '/',
    hostHeader: 'example.test',
    url: 'http://example.test/',
  });
  t.deepEqual(route('http://[::1]:8081/six'), {
    host: '::1',
    port: 8081,
    path: '/six',
    hostHeader: '[::1]:8081',
    url: 'http://[::1]:8081/six',
  });
  t.deepEqual(route('http://127.1:9/'), {
    host: '127.0.0.1',
    port: 9,
    path: '/',
    hostHeader: '127.0.0.1:9',
    url: 'http://127.0.0.1:9/',
  });
  t.is(route('http://example.test').path, '/');
  t.is(route('hTtP://[::FFFF:127.0.0.1]/').host, '::ffff:7f00:1');
});

test('credentials in the target are refused (400), however they are written', (t) => {
  for (const raw of [
    'http://127.0.0.1:pw@example.invalid/',
    'http://user@example.test/',
    'HTTP://u:p@[::1]:80/',
    'http://:@example.test/',
    'http://a@b@example.test/',
    'http://u:p\\@example.test/',
  ]) {
    const verdict = checkPlainRequest(raw, true);
    t.true('refuse' in verdict && verdict.refuse === 400, raw);
  }
  t.true('route' in checkPlainRequest('http://example.test/a@b', true), "an '@' in the path is not userinfo");
});

test('other refusals: credentials missing, origin-form, https, not a URL, port 0', (t) => {
  t.like(checkPlainRequest('http://example.test/', false), { refuse: 407 });
  t.like(checkPlainRequest('/x', true), { refuse: 400 });
  t.like(checkPlainRequest('https://example.test/', true), { refuse: 400 });
  t.like(checkPlainRequest('http://exa mple/', true), { refuse: 400 });
  t.like(checkPlainRequest('http://example.test:0/', true), { refuse: 400 });
  t.like(checkPlainRequest('http://example.test:65536/', true), { refuse: 400 });
});

test('a shown target never carries what precedes an @', (t) => {
  t.is(shownTarget('http://127.0.0.1:hunter2@example.invalid/'), 'http://***@example.invalid/');
  t.is(shownTarget('user:hunter2@example.test:443'), '***@example.test:443');
  t.is(shownTarget(`http://u:${'p'.repeat(300)}@h/`), 'http://***@h/');
  t.is(shownTarget('http://example.test/x'), 'http://example.test/x');
  // Refused targets carry secrets in their query too (an https:// URL sent to the plain listener).
  t.is(shownTarget('https://example.test/cb?code=hunter2&state=s'), 'https://example.test/cb?code=REDACTED&state=s');
  t.is(shownTarget('/?access_token=hunter2'), '/?access_token=REDACTED');
  t.is(shownTarget('x'.repeat(300)).length, 200);
});
