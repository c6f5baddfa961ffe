// Where a CONNECT goes, table by table, without sockets: the request, the app's first bytes, the record.
import test from 'ava';
import {
  NO_BYTES,
  refusalMessage,
  routeAhead,
  routeConnectRequest,
  routeFirstBytes,
  routeLoop,
  routeRecord,
  type Decision,
} from '../../src/proxy/connect-router.js';
import { parsePassthrough, type PolicyOptions } from '../../src/proxy/policy.js';
import type { HandshakeRecord } from '../../src/types.js';

/** A minimal TLS ClientHello with the given SNI and ALPN (RFC 8446 4.1.2, RFC 6066 3, RFC 7301 3.1). */
function clientHello(sni: string | null, alpn: string[] | null): Buffer {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const ext = (type: number, data: Buffer) => Buffer.concat([u16(type), u16(data.length), data]);
  const extensions: Buffer[] = [];
  if (sni !== null) {
    const name = Buffer.from(sni, 'latin1');
    const entry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
    extensions.push(ext(0, Buffer.concat([u16(entry.length), entry])));
  }
  if (alpn) {
    const list = Buffer.concat(alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])));
    extensions.push(ext(16, Buffer.concat([u16(list.length), list])));
  }
  const extBytes = Buffer.concat(extensions);
  const body = Buffer.concat([
    u16(0x0303),
    Buffer.alloc(32),
    Buffer.from([0]),
    u16(2),
    u16(0x1301),
    Buffer.from([1, 0]),
    u16(extBytes.length),
    extBytes,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(handshake.length), handshake]);
}

const policy = (over: Partial<PolicyOptions> = {}): PolicyOptions => ({
  mode: 'mitm',
  passthrough: [],
  onUpstreamError: 'block',
  ...over,
});
const target = { host: 'api.example.com', port: 443 };
const hostName = { servername: 'api.example.com', checked: 'api.example.com', recordAs: undefined };

test('the CONNECT request: credentials first, then a host:port target', (t) => {
  const rows: [string, boolean, ReturnType<typeof routeConnectRequest>][] = [
    ['api.example.com:443', true, { target }],
    [
      'api.example.com:443',
      false,
      { action: 'refuse', reason: 'unauthorized', status: '407 Proxy Authentication Required', code: null },
    ],
    // Unauthorised is answered before the target is even parsed: nothing about it is echoed.
    [
      'not a target',
      false,
      { action: 'refuse', reason: 'unauthorized', status: '407 Proxy Authentication Required', code: null },
    ],
    [
      'api.example.com',
      true,
      { action: 'refuse', reason: 'bad-target', status: '400 Bad Request', code: 'BAD_CONNECT' },
    ],
    [
      'http://api.example.com/',
      true,
      { action: 'refuse', reason: 'bad-target', status: '400 Bad Request', code: 'BAD_CONNECT' },
    ],
  ];
  for (const [authority, authorized, expected] of rows)
    t.deepEqual(routeConnectRequest(authority, authorized), expected, `${authority} ${authorized}`);
  t.deepEqual(routeLoop(true), { action: 'refuse', reason: 'loop', status: '508 Loop Detected', code: 'LOOP' });
  t.is(routeLoop(false), null);
});

test("the app's first bytes: not TLS is raw, tunnels and passthrough before the name, a bad SNI refused, else MITM", (t) => {
  const rows: [string, PolicyOptions, Buffer | null, Decision][] = [
    ['nothing came', policy(), null, NO_BYTES],
    ['SSH', policy(), Buffer.from('SSH-2.0-OpenSSH\r\n'), { action: 'raw', reason: 'not-tls' }],
    [
      'not TLS wins over --mode tunnel',
      policy({ mode: 'tunnel' }),
      Buffer.from('GET / HTTP/1.1\r\n'),
      { action: 'raw', reason: 'not-tls' },
    ],
    [
      '--mode tunnel',
      policy({ mode: 'tunnel' }),
      clientHello('api.example.com', null),
      { action: 'tunnel', reason: 'mode', recordAs: undefined },
    ],
    [
      '--passthrough',
      policy({ passthrough: [parsePassthrough('*.example.com')!] }),
      clientHello('api.example.com', null),
      { action: 'passthrough', reason: 'passthrough', recordAs: undefined },
    ],
    [
      'passthrough of another host',
      policy({ passthrough: [parsePassthrough('other.test')!] }),
      clientHello(null, null),
      { action: 'mitm', reason: 'early', name: hostName },
    ],
    [
      'h2 only (gRPC): intercepted, the MITM speaks h2',
      policy(),
      clientHello('api.example.com', ['h2']),
      { action: 'mitm', reason: 'early', name: hostName },
    ],
    [
      'no HTTP in ALPN',
      policy(),
      clientHello('api.example.com', ['imap']),
      { action: 'tunnel', reason: 'other-protocol', recordAs: undefined },
    ],
    [
      'no HTTP in ALPN, SNI of another name: probed as that name',
      policy(),
      clientHello('mail.example.com', ['imap', 'pop3']),
      { action: 'tunnel', reason: 'other-protocol', recordAs: 'mail.example.com' },
    ],
    [
      'h2 and http/1.1',
      policy(),
      clientHello('api.example.com', ['h2', 'http/1.1']),
      { action: 'mitm', reason: 'early', name: hostName },
    ],
    [
      'IP literal as SNI',
      policy(),
      clientHello('10.0.0.1', null),
      { action: 'refuse', reason: 'bad-sni', status: null, code: 'BAD_SNI', sni: '10.0.0.1' },
    ],
    [
      'tunnel mode does not judge the SNI',
      policy({ mode: 'tunnel' }),
      clientHello('10.0.0.1', null),
      { action: 'tunnel', reason: 'mode', recordAs: undefined },
    ],
    [
      'no SNI: the CONNECT host',
      policy(),
      clientHello(null, ['http/1.1']),
      { action: 'mitm', reason: 'early', name: hostName },
    ],
    [
      'another SNI (domain fronting)',
      policy(),
      clientHello('bank.test', null),
      {
        action: 'mitm',
        reason: 'early',
        name: { servername: 'bank.test', checked: 'bank.test', recordAs: 'bank.test' },
      },
    ],
    [
      '--on-upstream-error tunnel: the record decides',
      policy({ onUpstreamError: 'tunnel' }),
      clientHello(null, null),
      { action: 'mitm', reason: 'after-record', name: hostName },
    ],
  ];
  for (const [label, options, first, expected] of rows)
    t.deepEqual(routeFirstBytes(options, target, first), expected, label);
});

test('ahead of the first bytes: the CONNECT host, unless it is an address, tunnelled or passed through', (t) => {
  t.deepEqual(routeAhead(policy(), target), hostName);
  t.is(routeAhead(policy({ mode: 'tunnel' }), target), null);
  t.is(routeAhead(policy({ passthrough: [parsePassthrough('*.example.com')!] }), target), null);
  t.is(routeAhead(policy(), { host: '192.0.2.7', port: 443 }), null);
  t.is(routeAhead(policy(), { host: '2001:db8::1', port: 443 }), null);
});

test('after the record: verified is MITM, a failing upstream a block page or (by choice) a tunnel', (t) => {
  const base = { failure: null, chainAnalysis: { fetched: null } };
  const ok = { ...base, verification: { ok: true }, diagnosis: { problem: 'ok' } } as unknown as HandshakeRecord;
  const bad = {
    ...base,
    verification: { ok: false },
    diagnosis: { problem: 'untrusted-root' },
  } as unknown as HandshakeRecord;
  const rows: [string, PolicyOptions, HandshakeRecord, Decision][] = [
    ['verified', policy(), ok, { action: 'mitm', reason: 'verified', name: hostName }],
    [
      'verified, tunnel on error',
      policy({ onUpstreamError: 'tunnel' }),
      ok,
      { action: 'mitm', reason: 'verified', name: hostName },
    ],
    ['failing, block', policy(), bad, { action: 'mitm', reason: 'blocked', name: hostName }],
    [
      'failing, tunnel on error',
      policy({ onUpstreamError: 'tunnel' }),
      bad,
      { action: 'tunnel', reason: 'upstream-error' },
    ],
  ];
  for (const [label, options, record, expected] of rows)
    t.deepEqual(routeRecord(options, hostName, record), expected, label);
});

test('refusal messages name the target and never more than 100 characters of a bad SNI', (t) => {
  t.is(
    refusalMessage(routeLoop(true)!, '', target, 10_000),
    'refused CONNECT api.example.com:443: that is this proxy itself',
  );
  t.is(
    refusalMessage(NO_BYTES, '', target, 10_000),
    "CONNECT api.example.com:443: the app closed the tunnel, or sent nothing for 10000 ms, after the proxy's 200",
  );
  const bad = routeConnectRequest('nope', true);
  t.is('action' in bad ? refusalMessage(bad, 'nope', null, 0) : '', 'refused CONNECT "nope": expected host:port');
  const sni = routeFirstBytes(policy(), target, clientHello('x'.repeat(300), null));
  t.is(sni.action, 'refuse');
  if (sni.action === 'refuse') t.true(refusalMessage(sni, '', target, 0).includes(`"${'x'.repeat(100)}"`));
});
