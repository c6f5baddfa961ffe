// The server's flight as read from one connection's bytes, read again only when more bytes (or the key to
// decrypt them) came: the probe's gate asks at every chunk and once more when the stores are ready, then the
// handshake's end asks for the same bytes; decrypting TLS 1.3's flight each time cost ~0.5 ms a read.
import { readServerFlight, type ServerFlight } from './server-flight.js';

export type FlightReader = (received: Buffer, serverHandshakeSecret: Buffer | null) => ServerFlight;

/** A readServerFlight for the bytes of one connection, which only grow: the same length is the same bytes. */
export function flightReader(): FlightReader {
  let last: { length: number; secret: string | null; flight: ServerFlight } | null = null;
  return (received, serverHandshakeSecret) => {
    const secret = serverHandshakeSecret?.toString('hex') ?? null;
    if (last?.length === received.length && last.secret === secret) return last.flight;
    const flight = readServerFlight(received, serverHandshakeSecret);
    last = { length: received.length, secret, flight };
    return flight;
  };
}
