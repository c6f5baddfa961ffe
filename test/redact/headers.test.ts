// Header redaction by family: credentials keep their scheme, cookies their names and attributes,
// URL-valued headers their shape; a header no rule knows keeps its value.
import test from 'ava';
import { redactHeaders, redactHeaderValue } from '../../src/redact/headers.js';

test('credentials keep only a known auth scheme', (t) => {
  t.is(redactHeaderValue('Authorization', 'Bearer s1'), 'Bearer REDACTED');
  t.is(redactHeaderValue('authorization', 'Basic dXNlcjpwYXNz'), 'Basic REDACTED');
  t.is(
    redactHeaderValue(
      'Authorization',
      'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, Signature=ab',
    ),
    'AWS4-HMAC-SHA256 REDACTED',
  );
  t.is(redactHeaderValue('Proxy-Authorization', 'NTLM TlRMTVNTUAAB'), 'NTLM REDACTED');
  // An unknown first word may be part of the secret itself.
  t.is(redactHeaderValue('x-api-key', 'abc def'), 'REDACTED');
  t.is(redactHeaderValue('Authorization', 's1'), 'REDACTED');
});

test('every family of secret header names', (t) => {
  for (const name of [
    'x-api-key',
    'X-Api-Key',
    'x_api_key',
    'api-key',
    'apikey',
    'x-goog-api-key',
    'private-token',
    'x-amz-security-token',
    'x-vault-token',
    'ocp-apim-subscription-key',
    'x-auth-token',
    'x-csrf-token',
    'x-session-id',
    'x-client-secret',
    'x-password',
  ]) {
    t.is(redactHeaderValue(name, 's1'), 'REDACTED', name);
  }
});

test('cookies keep names, Set-Cookie keeps its attributes', (t) => {
  t.is(redactHeaderValue('Cookie', 'sid=s1; theme=dark; lone'), 'sid=REDACTED; theme=REDACTED; REDACTED');
  t.is(
    redactHeaderValue('set-cookie', 'sid=s1; Path=/; HttpOnly; Secure; SameSite=Lax'),
    'sid=REDACTED; Path=/; HttpOnly; Secure; SameSite=Lax',
  );
  t.is(redactHeaderValue('Set-Cookie', 's1'), 'REDACTED');
});

test('URL-valued headers: Referer, Location (also relative), Content-Location', (t) => {
  t.is(
    redactHeaderValue('Location', 'https://app.example/cb?code=s1&state=x'),
    'https://app.example/cb?code=REDACTED&state=x',
  );
  t.is(redactHeaderValue('location', '/cb#access_token=s1'), '/cb#access_token=REDACTED');
  t.is(redactHeaderValue('Referer', 'https://u:s1@h/p?token=s2'), 'https://***@h/p?token=REDACTED');
  t.is(redactHeaderValue('Content-Location', '/r?sig=s1'), '/r?sig=REDACTED');
});

test('other headers: URLs inside redacted, credentials found by shape, the rest untouched', (t) => {
  t.is(
    redactHeaderValue('Link', '<https://h/next?page=2&token=s1>; rel="next"'),
    '<https://h/next?page=2&token=REDACTED>; rel="next"',
  );
  t.is(redactHeaderValue('Refresh', '0; url=/cb?code=s1'), '0; url=/cb?code=REDACTED');
  t.is(redactHeaderValue('X-Forwarded-Jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'), 'REDACTED');
  t.is(redactHeaderValue('X-Custom', 'Bearer s1'), 'Bearer REDACTED');
  t.is(redactHeaderValue('Content-Type', 'text/html; charset=utf-8'), 'text/html; charset=utf-8');
  t.is(redactHeaderValue('User-Agent', 'curl/8.5.0'), 'curl/8.5.0');
  // The server's challenge is not a credential: its scheme and realm are what the user needs.
  t.is(
    redactHeaderValue('WWW-Authenticate', 'Bearer realm="api", error="invalid_token"'),
    'Bearer realm="api", error="invalid_token"',
  );
});

test('raw pairs as Node gives them, repeated headers each redacted', (t) => {
  t.deepEqual(redactHeaders(['Host', 'h', 'Set-Cookie', 'a=s1; Path=/', 'Set-Cookie', 'b=s2', 'X-Api-Key', 's3']), [
    { name: 'Host', value: 'h' },
    { name: 'Set-Cookie', value: 'a=REDACTED; Path=/' },
    { name: 'Set-Cookie', value: 'b=REDACTED' },
    { name: 'X-Api-Key', value: 'REDACTED' },
  ]);
});

test("WebSocket subprotocols: a credential carried in them goes (a browser's WebSocket cannot send Authorization), the protocol names stay", (t) => {
  // Kubernetes' convention: the bearer token, base64url-encoded, after a prefix that names it.
  const k8sToken = 'ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkltRmlZeUo5LmV5SnBjM01pT2lKcmRXSmxjbTVsZEdWekluMC5zaWc';
  t.is(
    redactHeaderValue('Sec-WebSocket-Protocol', `base64url.bearer.authorization.k8s.io.${k8sToken}, v4.channel.k8s.io`),
    'base64url.bearer.authorization.k8s.io.REDACTED, v4.channel.k8s.io',
  );
  // A token offered as a member of its own, after one that names it.
  t.is(
    redactHeaderValue('Sec-WebSocket-Protocol', 'graphql-ws, access_token, 8f2c1d9e7b6a5f4e3d2c1b0a'),
    'graphql-ws, access_token, REDACTED',
  );
  t.is(redactHeaderValue('Sec-WebSocket-Protocol', 'chat.v1, chat.v2'), 'chat.v1, chat.v2');
  t.is(redactHeaderValue('Sec-WebSocket-Protocol', 'v4.channel.k8s.io'), 'v4.channel.k8s.io');
});
