// Header translation between an app's h2 stream and the origin (h2 or HTTP/1.1), without sockets.
import test from 'ava';
import {
  h1Request,
  h2Request,
  h2Response,
  h2Trailers,
  isGrpc,
  rawPairs,
  rawTuples,
} from '../../src/proxy/h2-translate.js';

const VIA = '2 tlswitness-0123456789ab';

test('to an h2 origin: pseudo-headers kept, hop-by-hop fields dropped, te only as trailers, Via added', (t) => {
  const out = h2Request(
    {
      ':method': 'POST',
      ':path': '/a?b=1',
      ':scheme': 'https',
      ':authority': 'api.example.com',
      host: 'other.example.com',
      connection: 'keep-alive, x-hop',
      'x-hop': '1',
      'keep-alive': '5',
      'transfer-encoding': 'chunked',
      te: 'trailers',
      'content-type': 'application/grpc',
    },
    VIA,
  );
  t.deepEqual(out, {
    ':method': 'POST',
    ':path': '/a?b=1',
    ':scheme': 'https',
    ':authority': 'api.example.com',
    te: 'trailers',
    'content-type': 'application/grpc',
    via: VIA,
  });
  t.is(h2Request({ ':path': '/', te: 'gzip' }, VIA).te, undefined, 'te other than trailers is not allowed in h2');
});

test('to an HTTP/1.1 origin: request line and Host from the pseudo-headers', (t) => {
  t.deepEqual(
    h1Request(
      { ':method': 'PUT', ':path': '/x', ':scheme': 'https', ':authority': 'api.example.com:8443', accept: '*/*' },
      VIA,
    ),
    { ok: true, method: 'PUT', path: '/x', headers: { accept: '*/*', host: 'api.example.com:8443', via: VIA } },
  );
  t.like(h1Request({ ':path': '/' }, VIA), { ok: true, method: 'GET', path: '/' });
});

test('to an HTTP/1.1 origin: no TE, not even "trailers" (one hop in HTTP/1.1)', (t) => {
  const translated = h1Request(
    { ':method': 'GET', ':path': '/', ':authority': 'a.test', te: 'trailers', 'x-e': '1' },
    VIA,
  );
  t.deepEqual(translated, { ok: true, method: 'GET', path: '/', headers: { 'x-e': '1', host: 'a.test', via: VIA } });
});

test('to an HTTP/1.1 origin: a body without Content-Length is chunked whatever the method; Trailer only then', (t) => {
  const get = { ':method': 'GET', ':path': '/', ':authority': 'a.test', trailer: 'x-sum' };
  t.deepEqual(h1Request(get, VIA, true), {
    ok: true,
    method: 'GET',
    path: '/',
    headers: { trailer: 'x-sum', 'transfer-encoding': 'chunked', host: 'a.test', via: VIA },
  });
  t.deepEqual(h1Request(get, VIA, false), {
    ok: true,
    method: 'GET',
    path: '/',
    headers: { host: 'a.test', via: VIA },
  });
  const sized = h1Request({ ':method': 'DELETE', ':path': '/', 'content-length': '5', trailer: 'x-sum' }, VIA, true);
  t.deepEqual(sized, { ok: true, method: 'DELETE', path: '/', headers: { 'content-length': '5', via: VIA } });
});

test('gRPC is never translated to HTTP/1.1: a 502 saying why; CONNECT a 501', (t) => {
  const grpc = h1Request({ ':method': 'POST', ':path': '/s/M', 'content-type': 'application/grpc+proto' }, VIA);
  t.like(grpc, { ok: false, status: 502 });
  t.regex((grpc as { reason: string }).reason, /cannot carry gRPC/);
  t.like(h1Request({ ':method': 'CONNECT', ':authority': 'a:1' }, VIA), { ok: false, status: 501 });
  t.true(isGrpc({ 'content-type': 'application/grpc' }));
  t.true(isGrpc({ 'content-type': 'application/grpc-web+proto' }) === false);
  t.false(isGrpc({ 'content-type': 'application/json' }));
});

test("an origin's answer for an h2 stream: :status, no hop-by-hop fields; trailers without pseudo-headers", (t) => {
  t.deepEqual(
    h2Response(200, {
      ':status': '200',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'set-cookie': ['a=1', 'b=2'],
      'content-type': 'text/plain',
    }),
    { ':status': 200, 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' },
  );
  t.deepEqual(h2Trailers({ 'grpc-status': '0', 'grpc-message': '' }), { 'grpc-status': '0', 'grpc-message': '' });
});

test("HTTP2-Settings (an h2c upgrade's field, which node:http2 throws on) never goes on: answers, trailers, requests", (t) => {
  const settings = 'AAMAAABkAAQAoAAAAAIAAAAA';
  t.deepEqual(h2Response(200, { 'http2-settings': settings, 'x-a': '1' }), { ':status': 200, 'x-a': '1' });
  t.deepEqual(h2Trailers({ 'http2-settings': settings, 'x-sum': '7' }), { 'x-sum': '7' });
  t.false('http2-settings' in h2Request({ ':method': 'GET', ':path': '/', 'http2-settings': settings }, 'v'));
});

test('raw pairs for the HAR leave pseudo-headers out and split lists', (t) => {
  t.deepEqual(rawPairs({ ':path': '/', 'set-cookie': ['a', 'b'], accept: '*/*' }), [
    'set-cookie',
    'a',
    'set-cookie',
    'b',
    'accept',
    '*/*',
  ]);
});

test('trailer tuples for an HTTP/1.1 request: pseudo-headers left out, a repeated field repeated', (t) => {
  t.deepEqual(rawTuples({ ':status': 200, 'x-sum': '7', 'x-tag': ['a', 'b'] }), [
    ['x-sum', '7'],
    ['x-tag', 'a'],
    ['x-tag', 'b'],
  ]);
});

test('trailers never carry a field needed before the content (RFC 9110 6.5.1); gRPC and checksums pass', (t) => {
  t.deepEqual(
    h2Trailers({
      'content-length': '3',
      'content-type': 'text/html',
      'content-encoding': 'gzip',
      host: 'elsewhere.test',
      authorization: 'Bearer late',
      'set-cookie': ['a=1'],
      'cache-control': 'no-store',
      'if-none-match': '"x"',
      range: 'bytes=0-1',
      te: 'trailers',
      trailer: 'x-checksum',
      'grpc-status': '0',
      'grpc-message': 'ok',
      'grpc-status-details-bin': 'AAAA',
      'x-checksum': 'abc',
    }),
    { 'grpc-status': '0', 'grpc-message': 'ok', 'grpc-status-details-bin': 'AAAA', 'x-checksum': 'abc' },
  );
});

test('a 204 answer goes on without Content-Length, a 205 with 0, whatever body the origin announced', (t) => {
  t.deepEqual(h2Response(204, { 'content-length': '10', 'x-a': '1' }), { ':status': 204, 'x-a': '1' });
  t.deepEqual(h2Response(205, { 'content-length': '10' }), { ':status': 205, 'content-length': '0' });
  t.deepEqual(h2Response(205, {}), { ':status': 205 });
  t.deepEqual(h2Response(304, { 'content-length': '10' }), { ':status': 304, 'content-length': '10' });
});
