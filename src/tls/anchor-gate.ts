// How much of the server's handshake OpenSSL may read before it is given its anchors: everything up
// to the Certificate message is let through (TLS 1.3's plaintext ServerHello, so the keys to read the
// rest are derived), then held until the chain has been read from the bytes (server-flight.ts), so
// only the anchors that chain can reach need parsing (trust/anchor-closure.ts). Anything unexpected
// opens the gate with no chain: the caller then gives OpenSSL every anchor, as before. Pure.
import { readServerFlight } from './server-flight.js';
import type { FlightReader } from './flight-reader.js';

export type GateState = { open: false; allowed: number } | { open: true; chain: Buffer[] | null };

/** A chain is a few KiB; a server that sends this much without one is not waited for. */
const MAX_HELD = 256 * 1024;

/** @param read how the flight is read (the probe's reader keeps its last read) */
export function anchorGate(
  received: Buffer,
  serverHandshakeSecret: Buffer | null,
  read: FlightReader = readServerFlight,
): GateState {
  const flight = read(received, serverHandshakeSecret);
  if (flight.certificates) return { open: true, chain: flight.certificates };
  if (flight.alerts.length || received.length > MAX_HELD || (serverHandshakeSecret && flight.problems.length))
    return { open: true, chain: null };
  // TLS 1.2 sends its Certificate in plaintext handshake records: nothing passes until it is read.
  // TLS 1.3 encrypts it: the plaintext records before the first encrypted one pass.
  let allowed = 0;
  for (let offset = 0; offset + 5 <= received.length;) {
    const type = received[offset]!;
    // Not TLS records (a plain-HTTP server, say): OpenSSL is to say what went wrong, at once.
    if (type < 20 || type > 23 || received[offset + 1] !== 3) return { open: true, chain: null };
    const end = offset + 5 + received.readUInt16BE(offset + 3);
    if (end > received.length || type === 23 || flight.version !== 'TLSv1.3') break;
    allowed = offset = end;
  }
  return { open: false, allowed };
}
