// Reads the server's handshake flight from the raw bytes it sent: ServerHello, Certificate (the
// chain exactly as sent, in its order), CertificateRequest (the CA names it accepts) and alerts.
// TLS 1.2 sends these in plaintext; TLS 1.3 encrypts all but the ServerHello, so its records are
// opened with the server handshake traffic secret. Pure; never throws on garbage input.
import { recordOpener, tls13Suite, type RecordOpener } from './tls13-decrypt.js';

export interface ServerFlight {
  version: 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1' | null;
  cipherSuite: number | null;
  helloRetryRequest: boolean;
  /** DER certificates in the order the server sent them; null when no Certificate message was read. */
  certificates: Buffer[] | null;
  certificateRequest: { caNames: Buffer[] } | null;
  alerts: Array<{ level: number; description: number }>;
  /** What could not be read, for the record's notes. */
  problems: string[];
}

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPLICATION_DATA = 23;

const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_CERTIFICATE_REQUEST = 13;
const HS_SERVER_HELLO_DONE = 14;
const HS_FINISHED = 20;

const EXT_SUPPORTED_VERSIONS = 43;
const EXT_CERTIFICATE_AUTHORITIES = 47;

// RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random.
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

const VERSIONS: Record<number, ServerFlight['version']> = {
  0x0304: 'TLSv1.3',
  0x0303: 'TLSv1.2',
  0x0302: 'TLSv1.1',
  0x0301: 'TLSv1',
};

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  get remaining(): number {
    return this.buf.length - this.offset;
  }
  bytes(n: number): Buffer {
    if (n > this.remaining) throw new RangeError(`needs ${n} bytes, has ${this.remaining}`);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  uint(n: 1 | 2 | 3): number {
    const b = this.bytes(n);
    return n === 1 ? b[0]! : n === 2 ? b.readUInt16BE(0) : b.readUIntBE(0, 3);
  }
  vector(lengthBytes: 1 | 2 | 3): Buffer {
    return this.bytes(this.uint(lengthBytes));
  }
}

function parseServerHello(body: Buffer): { version: number; cipherSuite: number; retry: boolean } {
  const r = new Reader(body);
  let version = r.uint(2);
  const random = r.bytes(32);
  r.vector(1); // legacy_session_id_echo
  const cipherSuite = r.uint(2);
  r.uint(1); // compression
  if (r.remaining >= 2) {
    const ext = new Reader(r.vector(2));
    while (ext.remaining >= 4) {
      const type = ext.uint(2);
      const data = ext.vector(2);
      if (type === EXT_SUPPORTED_VERSIONS && data.length === 2) version = data.readUInt16BE(0);
    }
  }
  return { version, cipherSuite, retry: random.equals(HRR_RANDOM) };
}

function parseCertificate(body: Buffer, tls13: boolean): Buffer[] {
  const r = new Reader(body);
  if (tls13) r.vector(1); // certificate_request_context
  const list = new Reader(r.vector(3));
  const certs: Buffer[] = [];
  while (list.remaining > 0) {
    certs.push(list.vector(3));
    if (tls13) list.vector(2); // per-certificate extensions
  }
  return certs;
}

function distinguishedNames(data: Buffer): Buffer[] {
  const r = new Reader(data);
  const names: Buffer[] = [];
  while (r.remaining > 0) names.push(r.vector(2));
  return names;
}

function parseCertificateRequest(body: Buffer, version: ServerFlight['version']): { caNames: Buffer[] } {
  const tls13 = version === 'TLSv1.3';
  const r = new Reader(body);
  if (tls13) {
    r.vector(1); // certificate_request_context
    const ext = new Reader(r.vector(2));
    while (ext.remaining >= 4) {
      const type = ext.uint(2);
      const data = ext.vector(2);
      if (type === EXT_CERTIFICATE_AUTHORITIES) return { caNames: distinguishedNames(new Reader(data).vector(2)) };
    }
    return { caNames: [] };
  }
  r.vector(1); // certificate_types
  if (version === 'TLSv1.2') r.vector(2); // supported_signature_algorithms: TLS 1.2 only (RFC 5246 7.4.4)
  return { caNames: distinguishedNames(r.vector(2)) };
}

/** Applies one handshake message to the flight; true when it ends the server's flight. */
function applyMessage(flight: ServerFlight, type: number, body: Buffer): boolean {
  switch (type) {
    case HS_SERVER_HELLO: {
      const hello = parseServerHello(body);
      flight.version = VERSIONS[hello.version] ?? null;
      flight.cipherSuite = hello.cipherSuite;
      flight.helloRetryRequest ||= hello.retry;
      return false;
    }
    case HS_CERTIFICATE:
      flight.certificates = parseCertificate(body, flight.version === 'TLSv1.3');
      return false;
    case HS_CERTIFICATE_REQUEST:
      flight.certificateRequest = parseCertificateRequest(body, flight.version);
      return false;
    case HS_SERVER_HELLO_DONE:
    case HS_FINISHED:
      return true;
    default:
      return false;
  }
}

/** The opener for the TLS 1.3 encrypted handshake, or null (with the reason in problems) when it cannot be made. */
function tls13Opener(flight: ServerFlight, serverHandshakeSecret: Buffer | null): RecordOpener | null {
  const suite = tls13Suite(flight.cipherSuite ?? -1);
  if (!suite) {
    flight.problems.push(`cannot decrypt TLS 1.3 cipher suite 0x${(flight.cipherSuite ?? 0).toString(16)}`);
    return null;
  }
  if (!serverHandshakeSecret) {
    flight.problems.push('no server handshake secret to decrypt the TLS 1.3 handshake');
    return null;
  }
  return recordOpener(suite, serverHandshakeSecret);
}

/** Parses the server-to-client byte stream of one connection. */
export function readServerFlight(serverBytes: Buffer, serverHandshakeSecret: Buffer | null): ServerFlight {
  const flight: ServerFlight = {
    version: null,
    cipherSuite: null,
    helloRetryRequest: false,
    certificates: null,
    certificateRequest: null,
    alerts: [],
    problems: [],
  };
  let handshake = Buffer.alloc(0);
  let opener: RecordOpener | null = null;
  let done = false;
  let encryptedFromHere = false; // TLS 1.2: after the server's ChangeCipherSpec

  const drainHandshake = () => {
    while (handshake.length >= 4) {
      const length = handshake.readUIntBE(1, 3);
      if (handshake.length < 4 + length) return;
      const type = handshake[0]!;
      const body = handshake.subarray(4, 4 + length);
      handshake = handshake.subarray(4 + length);
      if (applyMessage(flight, type, body)) done = true;
    }
  };

  try {
    const records = new Reader(serverBytes);
    while (!done && records.remaining >= 5) {
      const header = records.bytes(5);
      const contentType = header[0]!;
      if (contentType < 20 || contentType > 24) {
        flight.problems.push(`not TLS: record type ${contentType}`);
        break;
      }
      const length = header.readUInt16BE(3);
      if (length > records.remaining) break; // a truncated final record
      const fragment = records.bytes(length);
      if (contentType === CONTENT_ALERT && !opener && !encryptedFromHere && fragment.length >= 2) {
        flight.alerts.push({ level: fragment[0]!, description: fragment[1]! });
      } else if (contentType === CONTENT_CHANGE_CIPHER_SPEC) {
        // TLS 1.3 sends it only for middlebox compatibility (RFC 8446 D.4).
        if (flight.version !== 'TLSv1.3') encryptedFromHere = true;
      } else if (contentType === CONTENT_HANDSHAKE && !encryptedFromHere) {
        handshake = Buffer.concat([handshake, fragment]);
        drainHandshake();
      } else if (contentType === CONTENT_APPLICATION_DATA && flight.version === 'TLSv1.3') {
        opener ??= tls13Opener(flight, serverHandshakeSecret);
        if (!opener) break;
        const inner = opener.open(header, fragment);
        if (inner.contentType === CONTENT_HANDSHAKE) {
          handshake = Buffer.concat([handshake, inner.plaintext]);
          drainHandshake();
        } else if (inner.contentType === CONTENT_ALERT && inner.plaintext.length >= 2) {
          flight.alerts.push({ level: inner.plaintext[0]!, description: inner.plaintext[1]! });
        }
      }
    }
  } catch (error) {
    flight.problems.push(`unreadable handshake: ${(error as Error).message}`);
  }
  return flight;
}
