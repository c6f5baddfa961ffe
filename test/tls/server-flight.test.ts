// The pure wire readers: HKDF-Expand-Label against RFC 8448, and garbage never throws.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readServerFlight } from '../../src/tls/server-flight.js';
import { hkdfExpandLabel, serverHandshakeSecret } from '../../src/tls/tls13-decrypt.js';

test('HKDF-Expand-Label matches RFC 8448 3 (server handshake key and IV)', (t) => {
  const secret = Buffer.from('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38', 'hex');
  t.is(
    hkdfExpandLabel('sha256', secret, 'key', Buffer.alloc(0), 16).toString('hex'),
    '3fce516009c21727d0f2e4e86ee403bc',
  );
  t.is(hkdfExpandLabel('sha256', secret, 'iv', Buffer.alloc(0), 12).toString('hex'), '5d313eb2671276ee13000b30');
});

test('the server handshake secret is taken from its keylog line only', (t) => {
  const lines = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET aa 0102\n', 'SERVER_HANDSHAKE_TRAFFIC_SECRET aa 0304\n'];
  t.deepEqual(serverHandshakeSecret(lines), Buffer.from('0304', 'hex'));
  t.is(serverHandshakeSecret(['CLIENT_RANDOM aa bb']), null);
});

test('a TLS 1.2 flight split across records is reassembled', (t) => {
  const der = Buffer.from('3003020101', 'hex');
  const certBody = Buffer.concat([Buffer.from([0, 0, der.length + 3, 0, 0, der.length]), der]);
  const certificate = Buffer.concat([Buffer.from([11, 0, 0, certBody.length]), certBody]);
  const hello = Buffer.concat([Buffer.from([2, 0, 0, 38, 3, 3]), Buffer.alloc(32), Buffer.from([0, 0xc0, 0x2f, 0])]);
  const stream = Buffer.concat([hello, certificate, Buffer.from([14, 0, 0, 0])]);
  const records = [stream.subarray(0, 10), stream.subarray(10)].map((frag) =>
    Buffer.concat([Buffer.from([22, 3, 3, frag.length >> 8, frag.length & 0xff]), frag]),
  );
  const flight = readServerFlight(Buffer.concat(records), null);
  t.is(flight.version, 'TLSv1.2');
  t.is(flight.cipherSuite, 0xc02f);
  t.deepEqual(flight.certificates, [der]);
  t.deepEqual(flight.problems, []);
});

test('garbage and truncated input never throw', (t) => {
  for (let i = 0; i < 500; i++) {
    const junk = randomBytes(1 + (i % 300));
    if (i % 3 === 0) junk[0] = 22;
    t.notThrows(() => readServerFlight(junk, i % 2 ? randomBytes(32) : null));
  }
  const plainHttp = readServerFlight(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), null);
  t.is(plainHttp.certificates, null);
  t.regex(plainHttp.problems[0] ?? '', /not TLS/);
});
