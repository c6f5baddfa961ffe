// --auth: 407 without the right Basic credentials, for CONNECT and for plain HTTP.
import test from 'ava';
import { request } from 'node:http';
import { authorized, parseProxyAuth } from '../../src/proxy/proxy-auth.js';
import { TlswitnessError } from '../../src/errors.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startHttpOrigin, startTestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

test('credentials are checked exactly', (t) => {
  const auth = parseProxyAuth('alice:s3cret');
  t.true(authorized(auth, basic('alice:s3cret')));
  t.false(authorized(auth, basic('alice:s3cre')));
  t.false(authorized(auth, basic('alice:s3cret ')));
  t.false(authorized(auth, 'Bearer abc'));
  t.false(authorized(auth, undefined));
  t.throws(() => parseProxyAuth('alice'), { instanceOf: TlswitnessError });
  t.throws(() => parseProxyAuth(':x'), { instanceOf: TlswitnessError });
});

function status(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string> },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'GET',
      path: options.path,
      headers: options.headers,
    });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('CONNECT and plain HTTP need the credentials when --auth is set', async (t) => {
  const origin = await startHttpOrigin();
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [], {}, { auth: parseProxyAuth('alice:s3cret') });
  try {
    const connect = { method: 'CONNECT', path: '127.0.0.1:9' };
    t.is(await status(proxy.port, connect), 407);
    t.is(await status(proxy.port, { ...connect, headers: { 'proxy-authorization': basic('alice:wrong') } }), 407);
    t.is(await status(proxy.port, { ...connect, headers: { 'proxy-authorization': basic('alice:s3cret') } }), 200);
    const plain = { path: `http://127.0.0.1:${origin.port}/x`, headers: { host: `127.0.0.1:${origin.port}` } };
    t.is(await status(proxy.port, plain), 407);
    t.is(
      await status(proxy.port, {
        ...plain,
        headers: { ...plain.headers, 'proxy-authorization': basic('alice:s3cret') },
      }),
      200,
    );
    t.false(JSON.stringify(proxy.events).includes('s3cret'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a CONNECT to the proxy itself is refused as a loop (508)', async (t) => {
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), []);
  try {
    t.is(await status(proxy.port, { method: 'CONNECT', path: `127.0.0.1:${proxy.port}` }), 508);
    t.true(proxy.events.some((e) => e.type === 'error' && e.code === 'LOOP'));
  } finally {
    await proxy.close();
  }
});
