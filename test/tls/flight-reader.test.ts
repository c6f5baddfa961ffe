// The probe's flight reader: the same bytes and secret give the flight already read; more bytes, or the secret
// arriving, are read again (a stale flight would miss the Certificate the gate waits for).
import test from 'ava';
import { flightReader } from '../../src/tls/flight-reader.js';

const der = Buffer.from('3003020101', 'hex');
const certBody = Buffer.concat([Buffer.from([0, 0, der.length + 3, 0, 0, der.length]), der]);
const certificate = Buffer.concat([Buffer.from([11, 0, 0, certBody.length]), certBody]);
const hello = Buffer.concat([Buffer.from([2, 0, 0, 38, 3, 3]), Buffer.alloc(32), Buffer.from([0, 0xc0, 0x2f, 0])]);
const record = (fragment: Buffer) =>
  Buffer.concat([Buffer.from([22, 3, 3, fragment.length >> 8, fragment.length & 0xff]), fragment]);

test('the same bytes and secret are read once; more bytes or a secret are read again', (t) => {
  const read = flightReader();
  const first = record(hello);
  const helloOnly = read(first, null);
  t.is(helloOnly.certificates, null);
  t.is(read(Buffer.from(first), null), helloOnly, 'the same length of the same connection: not read again');
  const withSecret = read(first, Buffer.alloc(32, 1));
  t.not(withSecret, helloOnly, 'the secret came: read again');
  t.is(read(first, Buffer.alloc(32, 1)), withSecret, 'an equal secret');
  const more = read(Buffer.concat([first, record(certificate)]), Buffer.alloc(32, 1));
  t.deepEqual(more.certificates, [der], 'more bytes: the Certificate is read');
});
