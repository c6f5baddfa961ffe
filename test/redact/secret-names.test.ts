// The name-shape rule: every family of secret header names and query keys, in many spellings, and the
// look-alikes that must stay visible.
import test from 'ava';
import { isSecretName, looksLikeToken, nameWords } from '../../src/redact/secret-names.js';

test('words split on case changes, separators and percent-encoding', (t) => {
  t.deepEqual(nameWords('X-Amz-Security-Token'), ['x', 'amz', 'security', 'token']);
  t.deepEqual(nameWords('clientSecret'), ['client', 'secret']);
  t.deepEqual(nameWords('APIKey'), ['api', 'key']);
  t.deepEqual(nameWords('%61ccess_token'), ['access', 'token']);
  t.deepEqual(nameWords('user[password]'), ['user', 'password']);
});

const SECRET = [
  // headers
  'Authorization',
  'proxy-authorization',
  'Cookie',
  'SET-COOKIE',
  'x-api-key',
  'X-API-KEY',
  'x_api_key',
  'X-ApiKey',
  'apikey',
  'api-key',
  'x-goog-api-key',
  'private-token',
  'PRIVATE-TOKEN',
  'x-amz-security-token',
  'x-vault-token',
  'ocp-apim-subscription-key',
  'x-functions-key',
  'x-auth-token',
  'x-csrf-token',
  'X-XSRF-TOKEN',
  'x-session-id',
  'x-client-secret',
  'x-password',
  'x-hub-signature-256',
  'stripe-signature',
  'x-goog-iap-jwt-assertion',
  'x-forwarded-access-token',
  'x-access-key',
  'x-auth',
  // query keys
  'token',
  'access_token',
  'AccessToken',
  'refresh-token',
  'id_token',
  'code',
  'key',
  'api_key',
  'apiKey',
  'sig',
  'signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'X-Goog-Signature',
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'client_secret',
  'session',
  'sessionid',
  'PHPSESSID',
  'JSESSIONID',
  'sid',
  'auth',
  'oauth_token',
  'oauth_signature',
  'authenticity_token',
  'SAMLResponse',
  'client_assertion',
  'otp',
  'ticket',
  'jwt',
  'user[password]',
  '%74oken',
  'TOKEN',
  'Token',
  'access%5Ftoken',
];

const VISIBLE = [
  'Host',
  'Content-Type',
  'User-Agent',
  'Accept',
  'x-request-id',
  'q',
  'page',
  'author',
  'authors',
  'authority',
  'monkey',
  'keyword',
  'codec',
  'passenger',
  'compass',
  'state',
  'redirect_uri',
  'lang',
  'Referer',
  'Location',
  'content-length',
];

for (const name of SECRET) test(`secret: ${name}`, (t) => t.true(isSecretName(name)));
for (const name of VISIBLE) test(`visible: ${name}`, (t) => t.false(isSecretName(name)));

test('a JWT is a token wherever it is found', (t) => {
  t.true(looksLikeToken('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'));
  t.true(looksLikeToken('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.'));
  t.false(looksLikeToken('eyJust a word'));
});

test('a name that describes a secret is not one', (t) => {
  for (const name of ['token_type', 'token_type_hint', 'session_expires', 'token_url', 'X-Session-TTL'])
    t.false(isSecretName(name), name);
  t.true(isSecretName('type_token'));
});
