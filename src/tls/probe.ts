// One TLS handshake observed: the client side runs on node:tls (never rejecting, so every chain is
// seen) over a WireTap that keeps the server's raw bytes, from which the flight is read afterwards.
import { monotonicMs } from '../monotonic-ms.js';
import { connect as tlsConnect, type PeerCertificate, type SecureVersion, type TLSSocket } from 'node:tls';
import { withCheapIsIP } from '../ip.js';
import type { Connection } from '../net/connector.js';
import type { HttpAnswer, OpensslVerdict } from '../types.js';
import { opensslVerdict } from '../trust/openssl-verdict.js';
import { connectionFacts } from './connection-facts.js';
import { closedError, handshakeTimeout, isAlert, socketError } from './handshake-end.js';
import { HttpAsk } from './http-ask.js';
import { Http2Ask } from './http2-ask.js';
import { isLegacy, probeContext } from './probe-context.js';
import type { ServerFlight } from './server-flight.js';
import { flightReader, type FlightReader } from './flight-reader.js';
import { serverHandshakeSecret } from './tls13-decrypt.js';
import { WireTap } from './wire-tap.js';
import { AnchorHold, type ProbeAnchors } from './probe-anchors.js';
import { presentedAsked } from './named-ca.js';
import { sameAcrossBundles } from '../cross-bundle.js';

export type { ProbeAnchors };

export interface ClientCredentials {
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: Buffer;
  passphrase?: string;
  /** Subject of the certificate, for the record. */
  subject: string;
}

export interface ProbeOptions {
  servername: string | null;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  alpn: string[];
  client: ClientCredentials | null;
  timeoutMs: number;
  /** After a handshake in which the server asked for a client certificate, how long to wait for it to refuse ours. */
  settleMs: number;
  /**
   * The Host header of the `HEAD /` sent when the server asked for a client certificate, none was
   * given (or one from a CA it did not name), and the handshake survived the wait (does it enforce
   * it?); null sends none.
   */
  httpHost?: string | null;
  /**
   * Anchors for OpenSSL's own verdict on this very connection; none (the proxy's choice) skips it. Given as a
   * promise (the stores still loading), the handshake starts at once and the server's Certificate waits for
   * them at the gate, so the round trips overlap the loading; a promise that fails opens the gate without them.
   */
  anchors?: ProbeAnchors | Promise<ProbeAnchors> | null;
}

export interface ProbeResult {
  secure: boolean;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  flight: ServerFlight;
  error: { code: string; message: string; afterHandshake: boolean } | null;
  handshakeMs: number | null;
  /** OpenSSL's verdict with the anchors given; null without anchors, at security level 0, or without a handshake. */
  openssl: OpensslVerdict | null;
  /** The server's answer to the request sent after the wait (see httpHost); null when none was sent. */
  http: HttpAnswer | null;
}

export class ClientCredentialsError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'ClientCredentialsError');
  }
}

export function probeTls(connection: Connection, options: ProbeOptions): Promise<ProbeResult> {
  const tap = new WireTap(connection.socket, connection.head);
  const keylog: string[] = [];
  const readFlight = flightReader();
  const started = monotonicMs();
  const client = options.client;
  // At security level 0 (legacy TLS) no verdict is taken.
  const hold = new AnchorHold(options.anchors ?? null, !isLegacy(options));
  // The leaf as tls.connect hands it to checkServerIdentity once OpenSSL verified the chain: Node builds it anyway,
  // and the name check below reads it rather than asking the socket for another (~0.3 ms).
  let shownLeaf: PeerCertificate | null = null;
  let socket: ReturnType<typeof tlsConnect>;
  try {
    // tls.connect asks node:net's isIP whether the servername is an address: ~5 ms the first time (ip.ts).
    socket = withCheapIsIP(openTls);
  } catch (error) {
    // A bad PKCS#12, wrong password or a key that does not match the certificate throws here.
    tap.destroy();
    return Promise.reject(new ClientCredentialsError((error as Error).message));
  }
  function openTls() {
    const secureContext = probeContext({
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      client,
      anchors: hold.forContext,
    });
    hold.gate(tap, keylog, secureContext, readFlight);
    return tlsConnect({
      socket: tap,
      servername: options.servername ?? undefined,
      // Everything is verified by trust/verify.ts against each store; the handshake must always finish.
      rejectUnauthorized: false,
      // The name is checked below, as the record checks it (tls.connect would check 'localhost' for an IP without SNI).
      checkServerIdentity: (_name, leaf) => void (shownLeaf = leaf),
      ALPNProtocols: options.alpn.length ? options.alpn : undefined,
      secureContext,
    });
  }
  socket.on('keylog', (line) => {
    keylog.push(line.toString('latin1'));
    // The handshake secret opens TLS 1.3's encrypted Certificate: the gate may now read the chain
    // (out of OpenSSL's callback that emits this).
    if (hold.gated) process.nextTick(() => tap.release());
  });
  return watchHandshake(
    socket,
    tap,
    { keylog, readFlight },
    started,
    options,
    () => hold.anchors,
    () => shownLeaf,
  );
}

/** What watchHandshake learns as the socket's events arrive, shared by its handlers. */
interface Watch {
  secure: boolean;
  error: ProbeResult['error'];
  facts: SecureFacts;
  http: HttpAnswer | null;
  asking: HttpAsk | Http2Ask | null;
  /** What the server sent after the handshake before the request (an h2 server's SETTINGS), for Http2Ask. */
  early: Buffer[];
  finished: boolean;
  // Application data after the handshake: the server accepted our Finished (an HTTP/1.1 server that
  // speaks first is not waiting for a request; an h2 server's first bytes are its SETTINGS).
  answered: boolean;
  /** The flight as read at secureConnect (finish reads it again, with anything that came later). */
  handshakeFlight: ServerFlight | null;
  /** How many bytes the server had sent when handshakeFlight was read. */
  handshakeBytes: number;
  settle: NodeJS.Timeout | undefined;
}

function newWatch(): Watch {
  return {
    secure: false,
    error: null,
    facts: NOT_SECURE,
    http: null,
    asking: null,
    early: [],
    finished: false,
    answered: false,
    handshakeFlight: null,
    handshakeBytes: 0,
    settle: undefined,
  };
}

/** Follows the handshake (and the HTTP ask after it) on `socket` to the probe's result; never rejects. */
function watchHandshake(
  socket: TLSSocket,
  tap: WireTap,
  { keylog, readFlight }: { keylog: string[]; readFlight: FlightReader },
  started: number,
  options: ProbeOptions,
  anchors: () => ProbeAnchors | null,
  shownLeaf: () => PeerCertificate | null,
): Promise<ProbeResult> {
  const client = options.client;
  return new Promise((resolve) => {
    const w = newWatch();
    const finish = () => {
      if (w.finished) return;
      w.finished = true;
      for (const pending of [timer, w.settle, askTimer]) clearTimeout(pending);
      tap.stopRecording();
      socket.destroy();
      // Read again only when more came (a session ticket, an alert): decrypting TLS 1.3's flight costs ~1 ms.
      const flight =
        w.handshakeFlight && tap.bytesReceived === w.handshakeBytes
          ? w.handshakeFlight
          : readFlight(tap.received(), serverHandshakeSecret(keylog));
      resolve({ secure: w.secure, ...w.facts, flight, error: w.error, http: w.http });
    };
    let askTimer: NodeJS.Timeout | undefined;
    // The wait is over and the server has not refused us at the TLS layer: does it at the HTTP layer?
    const settled = () => {
      if (w.finished) return;
      clearTimeout(w.settle);
      w.settle = undefined;
      // A server that speaks first is not waiting for an HTTP request (an h2 server's first bytes are its SETTINGS).
      if (
        !options.httpHost ||
        w.asking ||
        presentedAsked(socket, client, w.handshakeFlight) ||
        (w.answered && w.facts.alpn !== 'h2')
      )
        return finish();
      w.asking = askOver(socket, w.facts.alpn, options.httpHost, w.early, (answer) => {
        w.http = answer;
        finish();
      });
      askTimer = setTimeout(() => w.asking?.ended('timeout', null), Math.min(5000, options.timeoutMs));
      w.asking.start();
    };
    const timer = setTimeout(() => {
      w.error = handshakeTimeout(options.timeoutMs);
      finish();
    }, options.timeoutMs);

    socket.once('secureConnect', () => {
      w.secure = true;
      // From here on the HTTP request has its own deadline; the handshake's is met.
      clearTimeout(timer);
      w.facts = secureFacts(socket, started, options, anchors(), shownLeaf());
      w.handshakeBytes = tap.bytesReceived;
      w.handshakeFlight = readFlight(tap.received(), serverHandshakeSecret(keylog));
      // A server that requires a client certificate refuses it only after our Finished (TLS 1.3
      // alert 116, or a close): wait for that, or for a sign it accepted us (below), at most settleMs;
      // then, when it did not refuse, ask at the HTTP layer (settled).
      if (w.handshakeFlight.certificateRequest) w.settle = setTimeout(settled, options.settleMs);
      else finish();
    });
    followSocket(socket, w, settled, finish);
  });
}

/** After secureConnect: a sign the server accepted us, what it sends, and how the connection ends. */
function followSocket(socket: TLSSocket, w: Watch, settled: () => void, finish: () => void): void {
  // A TLS 1.3 session ticket or application data is sent only once the server accepted our Finished
  // (and with it our certificate, or its absence): no need to wait out the settle time.
  socket.on('session', () => {
    // Out of the TLS read callback that emits it: a write from inside it was never flushed (Node 20).
    if (w.settle) setImmediate(() => w.settle && settled());
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    w.error ??= socketError(e, w.secure);
    w.asking?.ended(isAlert(e) ? 'alert' : 'reset', e.message);
    finish();
  });
  socket.on('close', () => {
    w.error ??= closedError(w.secure, w.answered, w.asking);
    w.asking?.ended('closed', null);
    finish();
  });
  socket.on('data', (chunk: Buffer) => {
    w.answered = true;
    if (w.asking) return w.asking.data(chunk);
    if (w.early.length < 16) w.early.push(chunk);
    if (w.settle) settled();
  });
}

type SecureFacts = Pick<ProbeResult, 'protocol' | 'cipher' | 'alpn' | 'handshakeMs' | 'openssl'>;

const NOT_SECURE: SecureFacts = { protocol: null, cipher: null, alpn: null, handshakeMs: null, openssl: null };

/** What a completed handshake shows, read once at secureConnect. */
function secureFacts(
  socket: TLSSocket,
  started: number,
  options: ProbeOptions,
  anchors: ProbeAnchors | null,
  shownLeaf: PeerCertificate | null,
): SecureFacts {
  return {
    handshakeMs: monotonicMs() - started,
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.standardName ?? null,
    alpn: socket.alpnProtocol || null,
    // At security level 0 (legacy TLS) OpenSSL accepts weak keys and digests by design: no verdict to compare.
    openssl:
      anchors && !isLegacy(options)
        ? opensslVerdict(connectionFacts(socket, anchors.name, shownLeaf ?? socket.getPeerCertificate()))
        : null,
  };
}

/** The request for the HTTP ask: HTTP/2 when the server chose it, else HTTP/1.1. */
function askOver(
  socket: TLSSocket,
  alpn: string | null,
  host: string,
  early: Buffer[],
  done: (answer: HttpAnswer) => void,
): HttpAsk | Http2Ask {
  // An h2 server speaks first (its SETTINGS): that is the start of the session, not an answer.
  if (alpn === 'h2') return new Http2Ask(host, (chunk) => socket.write(chunk), early, done);
  return new HttpAsk(host, (text) => socket.write(text), done);
}
