// The gate before OpenSSL reads the server's Certificate: held until the chain is read, opened at
// once (without a chain) for anything that is not a normal handshake, so OpenSSL reports it.
import test from 'ava';
import { anchorGate } from '../../src/tls/anchor-gate.js';

const record = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);

/** A TLS 1.2 ServerHello handshake message (no extensions). */
function serverHello12(): Buffer {
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 1),
    Buffer.from([0]),
    Buffer.from([0xc0, 0x2f]),
    Buffer.from([0]),
  ]);
  return Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
}

test('TLS 1.2: nothing passes before the Certificate message is read', (t) => {
  t.deepEqual(anchorGate(record(22, serverHello12()), null), { open: false, allowed: 0 });
  t.deepEqual(anchorGate(Buffer.alloc(0), null), { open: false, allowed: 0 });
  t.deepEqual(
    anchorGate(record(22, serverHello12()).subarray(0, 20), null),
    { open: false, allowed: 0 },
    'a partial record',
  );
});

test('an alert, or bytes that are not TLS, open the gate with no chain (OpenSSL gets every anchor and says what is wrong)', (t) => {
  t.deepEqual(anchorGate(record(21, Buffer.from([2, 40])), null), { open: true, chain: null });
  t.deepEqual(anchorGate(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), null), { open: true, chain: null });
});
