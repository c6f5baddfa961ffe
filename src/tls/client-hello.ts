// The app's ClientHello, from the first bytes it sends after CONNECT: is it TLS, which name (SNI)
// and which application protocols (ALPN) does it ask for; pure, never throws.

export interface ClientHello {
  tls: boolean;
  serverName: string | null;
  /** ALPN protocols offered, or null when the extension is absent or the hello was cut short. */
  alpn: string[] | null;
}

const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;

export function readClientHello(bytes: Buffer): ClientHello {
  const notTls: ClientHello = { tls: false, serverName: null, alpn: null };
  if (bytes.length < 1 || bytes[0] !== 22) return notTls;
  const hello: ClientHello = { tls: true, serverName: null, alpn: null };
  try {
    let at = 5; // record header
    if (bytes[at] !== 1) return hello; // not a ClientHello
    at += 4 + 2 + 32; // handshake header, legacy_version, random
    at += 1 + bytes[at]!; // session id
    at += 2 + bytes.readUInt16BE(at); // cipher suites
    at += 1 + bytes[at]!; // compression methods
    const end = at + 2 + bytes.readUInt16BE(at);
    at += 2;
    while (at + 4 <= end && at + 4 <= bytes.length) {
      const type = bytes.readUInt16BE(at);
      const length = bytes.readUInt16BE(at + 2);
      const data = bytes.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      if (data.length < length) break; // cut short: what was read stands
      if (type === EXT_SERVER_NAME && data.length >= 5 && data[2] === 0) {
        hello.serverName = data.subarray(5, 5 + data.readUInt16BE(3)).toString('latin1');
      } else if (type === EXT_ALPN && data.length >= 2) {
        const protocols: string[] = [];
        for (let p = 2; p < data.length; p += 1 + data[p]!)
          protocols.push(data.subarray(p + 1, p + 1 + data[p]!).toString('latin1'));
        hello.alpn = protocols;
      }
    }
  } catch {
    // a truncated or odd hello: TLS, nothing more known
  }
  return hello;
}
