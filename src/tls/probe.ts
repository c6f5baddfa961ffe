// One TLS handshake observed: the client side runs on node:tls (never rejecting, so every chain is
// seen) over a WireTap that keeps the server's raw bytes, from which the flight is read afterwards.
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from 'node:tls';
import type { Connection } from '../net/connector.js';
import type { HttpAnswer, OpensslVerdict } from '../types.js';
import { formatNameDer, ParsedCertificate } from '../trust/certificate.js';
import { opensslVerdict } from '../trust/openssl-verdict.js';
import { pemCertificates } from '../trust/pem.js';
import { connectionFacts } from './connection-facts.js';
import { closedError, handshakeTimeout, isAlert, socketError } from './handshake-end.js';
import { HttpAsk } from './http-ask.js';
import { Http2Ask } from './http2-ask.js';
import { isLegacy, probeContext } from './probe-context.js';
import { readServerFlight, type ServerFlight } from './server-flight.js';
import { serverHandshakeSecret } from './tls13-decrypt.js';
import { WireTap } from './wire-tap.js';
import { anchorGate } from './anchor-gate.js';

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
  /** Anchors for OpenSSL's own verdict on this very connection; none (the proxy's choice) skips it. */
  anchors?: ProbeAnchors | null;
}

export interface ProbeAnchors {
  /** The anchor set (the record's trust stores): its native context is built once per process. */
  key: object;
  pems(): string[];
  /**
   * The anchors OpenSSL could reach from this chain (trust/anchor-closure.ts). When given, the probe
   * holds the server's Certificate back until it has read the chain, and gives OpenSSL only these:
   * the same verdict, without parsing every root on every run (tens of ms, more than the handshake).
   */
  reachable?(chain: Buffer[]): string[];
  /** Checked with checkServerIdentity once OpenSSL accepts the chain, as tls.connect does; null checks none. */
  name: string | null;
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

export class ClientCredentialsError extends Error {}

export function probeTls(connection: Connection, options: ProbeOptions): Promise<ProbeResult> {
  const tap = new WireTap(connection.socket, connection.head);
  const keylog: string[] = [];
  const started = performance.now();
  const client = options.client;
  // The anchors go in once the chain is read (see ProbeAnchors.reachable); at security level 0 no verdict is taken.
  const gated = options.anchors?.reachable && !isLegacy(options) ? options.anchors : null;
  let socket: ReturnType<typeof tlsConnect>;
  try {
    socket = openTls();
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
      anchors: gated ? null : options.anchors,
    });
    if (gated) {
      tap.setGate((received) => {
        const state = anchorGate(received, serverHandshakeSecret(keylog));
        if (!state.open) return state.allowed;
        const pems = state.chain ? gated.reachable!(state.chain) : gated.pems();
        // One PEM string: Node's native addCACert reads every certificate in it.
        if (pems.length) (secureContext.context as { addCACert(pem: string): void }).addCACert(pems.join('\n'));
        return null;
      });
    }
    return tlsConnect({
      socket: tap,
      servername: options.servername ?? undefined,
      // Everything is verified by trust/verify.ts against each store; the handshake must always finish.
      rejectUnauthorized: false,
      // The name is checked below, against the name the record checks (tls.connect would use 'localhost' for an IP without SNI).
      checkServerIdentity: () => undefined,
      ALPNProtocols: options.alpn.length ? options.alpn : undefined,
      secureContext,
    });
  }
  socket.on('keylog', (line) => {
    keylog.push(line.toString('latin1'));
    // The handshake secret opens TLS 1.3's encrypted Certificate: the gate may now read the chain
    // (out of OpenSSL's callback that emits this).
    if (gated) process.nextTick(() => tap.release());
  });
  return watchHandshake(socket, tap, keylog, started, options);
}

/** Follows the handshake (and the HTTP ask after it) on `socket` to the probe's result; never rejects. */
function watchHandshake(
  socket: TLSSocket,
  tap: WireTap,
  keylog: string[],
  started: number,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const client = options.client;
  return new Promise((resolve) => {
    let secure = false;
    let error: ProbeResult['error'] = null;
    let facts: SecureFacts = NOT_SECURE;
    let http: HttpAnswer | null = null;
    let asking: HttpAsk | Http2Ask | null = null;
    /** What the server sent after the handshake before the request (an h2 server's SETTINGS), for Http2Ask. */
    const early: Buffer[] = [];
    let finished = false;
    // Application data after the handshake: the server accepted our Finished (an HTTP/1.1 server that
    // speaks first is not waiting for a request; an h2 server's first bytes are its SETTINGS).
    let answered = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      for (const pending of [timer, settle, askTimer]) clearTimeout(pending);
      tap.stopRecording();
      socket.destroy();
      const flight = readServerFlight(tap.received(), serverHandshakeSecret(keylog));
      resolve({ secure, ...facts, flight, error, http });
    };
    /** The flight as read at secureConnect (finish reads it again, with anything that came later). */
    let handshakeFlight: ServerFlight | null = null;
    let settle: NodeJS.Timeout | undefined;
    let askTimer: NodeJS.Timeout | undefined;
    // The wait is over and the server has not refused us at the TLS layer: does it at the HTTP layer?
    const settled = () => {
      if (finished) return;
      clearTimeout(settle);
      settle = undefined;
      // A server that speaks first is not waiting for an HTTP request (an h2 server's first bytes are its SETTINGS).
      if (
        !options.httpHost ||
        asking ||
        presentedAsked(socket, client, handshakeFlight) ||
        (answered && facts.alpn !== 'h2')
      )
        return finish();
      asking = askOver(socket, facts.alpn, options.httpHost, early, (answer) => {
        http = answer;
        finish();
      });
      askTimer = setTimeout(() => asking?.ended('timeout', null), Math.min(5000, options.timeoutMs));
      asking.start();
    };
    const timer = setTimeout(() => {
      error = handshakeTimeout(options.timeoutMs);
      finish();
    }, options.timeoutMs);

    socket.once('secureConnect', () => {
      secure = true;
      // From here on the HTTP request has its own deadline; the handshake's is met.
      clearTimeout(timer);
      facts = secureFacts(socket, started, options);
      handshakeFlight = readServerFlight(tap.received(), serverHandshakeSecret(keylog));
      // A server that requires a client certificate refuses it only after our Finished (TLS 1.3
      // alert 116, or a close): wait for that, or for a sign it accepted us (below), at most settleMs;
      // then, when it did not refuse, ask at the HTTP layer (settled).
      if (handshakeFlight.certificateRequest) settle = setTimeout(settled, options.settleMs);
      else finish();
    });
    // A TLS 1.3 session ticket or application data is sent only once the server accepted our Finished
    // (and with it our certificate, or its absence): no need to wait out the settle time.
    socket.on('session', () => {
      // Out of the TLS read callback that emits it: a write from inside it was never flushed (Node 20).
      if (settle) setImmediate(() => settle && settled());
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= socketError(e, secure);
      asking?.ended(isAlert(e) ? 'alert' : 'reset', e.message);
      finish();
    });
    socket.on('close', () => {
      error ??= closedError(secure, answered, asking);
      asking?.ended('closed', null);
      finish();
    });
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      if (asking) return asking.data(chunk);
      if (early.length < 16) early.push(chunk);
      if (settle) settled();
    });
  });
}

type SecureFacts = Pick<ProbeResult, 'protocol' | 'cipher' | 'alpn' | 'handshakeMs' | 'openssl'>;

const NOT_SECURE: SecureFacts = { protocol: null, cipher: null, alpn: null, handshakeMs: null, openssl: null };

/** What a completed handshake shows, read once at secureConnect. */
function secureFacts(socket: TLSSocket, started: number, options: ProbeOptions): SecureFacts {
  return {
    handshakeMs: performance.now() - started,
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.standardName ?? null,
    alpn: socket.alpnProtocol || null,
    // At security level 0 (legacy TLS) OpenSSL accepts weak keys and digests by design: no verdict to compare.
    openssl:
      options.anchors && !isLegacy(options)
        ? opensslVerdict(connectionFacts(socket, options.anchors.name, socket.getPeerCertificate()))
        : null,
  };
}

/** A certificate from a CA the server named is the one it asked for: nothing is sent as that identity. */
function presentedAsked(socket: TLSSocket, client: ClientCredentials | null, flight: ServerFlight | null): boolean {
  return !!client && issuedByNamedCa(socket, client, flight?.certificateRequest?.caNames ?? []);
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

/**
 * Whether the certificate we presented, or one sent with it, was issued by a CA the server named in
 * its CertificateRequest (or it named none, so any could do).
 */
function issuedByNamedCa(socket: TLSSocket, client: ClientCredentials, caNames: Buffer[]): boolean {
  if (!caNames.length) return true;
  const named = new Set(
    caNames.map((der) => {
      try {
        return formatNameDer(der);
      } catch {
        return '';
      }
    }),
  );
  const ours = socket.getX509Certificate();
  const ders: Buffer[] = ours ? [ours.raw] : [];
  if (client.cert) ders.push(...pemCertificates(client.cert.toString()));
  return ders.some((der) => {
    try {
      return named.has(new ParsedCertificate(der).issuer);
    } catch {
      return false;
    }
  });
}
