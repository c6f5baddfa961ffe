// Passthrough patterns and the ClientHello reader.
import test from 'ava';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { matchesPassthrough, parsePassthrough, upstreamAcceptable } from '../../src/proxy/policy.js';
import type { HandshakeRecord } from '../../src/types.js';
import { readClientHello } from '../../src/tls/client-hello.js';

test('passthrough patterns as SPEC: exact, *. any depth but not the apex, IPs, optional port', (t) => {
  const p = (s: string) => parsePassthrough(s)!;
  t.true(matchesPassthrough([p('api.example.com')], { host: 'api.example.com', port: 443 }));
  t.false(matchesPassthrough([p('api.example.com')], { host: 'x.api.example.com', port: 443 }));
  t.true(matchesPassthrough([p('*.example.com')], { host: 'a.b.example.com', port: 443 }));
  t.false(matchesPassthrough([p('*.example.com')], { host: 'example.com', port: 443 }));
  t.false(matchesPassthrough([p('*.example.com')], { host: 'badexample.com', port: 443 }));
  t.true(matchesPassthrough([p('10.0.0.1:8443')], { host: '10.0.0.1', port: 8443 }));
  t.false(matchesPassthrough([p('10.0.0.1:8443')], { host: '10.0.0.1', port: 443 }));
  t.true(matchesPassthrough([p('[::1]:443')], { host: '::1', port: 443 }));
  t.true(matchesPassthrough([p('API.Example.com')], { host: 'api.example.com', port: 1 }));
  for (const bad of ['', '*.', 'a b', 'host:99999', '[zz]:1', '.example.com']) t.is(parsePassthrough(bad), null, bad);
});

test('the ClientHello reader finds SNI and ALPN in a real Node ClientHello, and says when it is not TLS', async (t) => {
  const server = createServer();
  const first = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) =>
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
      }),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = tlsConnect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    servername: 'grpc.example.com',
    ALPNProtocols: ['h2'],
  });
  client.on('error', () => undefined);
  const hello = readClientHello(await first);
  t.deepEqual(hello, { tls: true, serverName: 'grpc.example.com', alpn: ['h2'] });
  t.deepEqual(readClientHello(Buffer.from('SSH-2.0-OpenSSH\r\n')), { tls: false, serverName: null, alpn: null });
  t.is(readClientHello(Buffer.from([22, 3, 1, 0, 5, 1, 0])).tls, true, 'a cut-short hello is still TLS');
  server.close();
  void connect;
});

test('a chain Node verifies but a level-2 client refuses (weak-crypto) is not forwarded: re-signing it would hide it from the app', (t) => {
  const base = {
    failure: null,
    verification: { ok: true, code: null, opensslCode: 0, message: 'ok' },
    chainAnalysis: { fetched: null },
  } as unknown as HandshakeRecord;
  t.true(
    upstreamAcceptable(
      {},
      { ...base, diagnosis: { problem: 'ok', liability: 'none', confidence: 'high', summary: '', action: '' } },
    ),
  );
  t.true(
    upstreamAcceptable(
      {},
      {
        ...base,
        diagnosis: { problem: 'wrong-order', liability: 'server', confidence: 'high', summary: '', action: '' },
      },
    ),
  );
  t.false(
    upstreamAcceptable(
      {},
      {
        ...base,
        diagnosis: { problem: 'weak-crypto', liability: 'server', confidence: 'high', summary: '', action: '' },
      },
    ),
  );
});
