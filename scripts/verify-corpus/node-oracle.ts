// Oracle 2: a real Node TLS handshake per chain against one loopback server that serves every chain by SNI.
// The client trusts only the chain's anchors and accepts every verify error (rejectUnauthorized: false), so
// `authorizationError` is OpenSSL's last error as Node reports it; then Node's own checkServerIdentity runs,
// as https does, only when the chain verified. Node does not expose the error depth.
import type { AddressInfo } from 'node:net';
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  createServer,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { toPem, type BuiltChain } from './der-builder.js';
import { mapLimit } from './limit.js';

export interface NodeAnswer {
  /** False when the server could not load the chain and key (e.g. a certificate OpenSSL cannot parse). */
  servable: boolean;
  /** Set when the chain was served but no handshake completed; then there is no verify result. */
  handshakeError: string | null;
  authorized: boolean;
  /** authorizationError, or ERR_TLS_CERT_ALTNAME_INVALID from checkServerIdentity; null when accepted. */
  code: string | null;
  /** The error's message (OpenSSL's text for verify errors). */
  message: string | null;
  serveError: string | null;
}

export interface NodeOptions {
  concurrency?: number;
}

/** The SNI label that selects a chain on the server. */
export const labelFor = (index: number): string => `c${index}.chain.invalid`;

export async function nodeHandshakeAll(chains: BuiltChain[], options: NodeOptions = {}): Promise<NodeAnswer[]> {
  const contexts = new Map<string, SecureContext>();
  const serveErrors = new Map<number, string>();
  chains.forEach((chain, i) => {
    try {
      contexts.set(
        labelFor(i),
        createSecureContext({
          key: chain.leafKeyPem,
          cert: chain.sent.map(toPem).join(''),
          ciphers: 'DEFAULT@SECLEVEL=0',
        }),
      );
    } catch (error) {
      serveErrors.set(i, (error as Error).message);
    }
  });
  const server = createServer(
    { SNICallback: (name, cb) => cb(null, contexts.get(name)), ciphers: 'DEFAULT@SECLEVEL=0' },
    (socket) => {
      socket.on('error', () => undefined);
      socket.end();
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await mapLimit(chains, options.concurrency ?? 8, async (chain, i): Promise<NodeAnswer> => {
      const serveError = serveErrors.get(i);
      if (serveError !== undefined)
        return { servable: false, handshakeError: null, authorized: false, code: null, message: null, serveError };
      return handshake(port, labelFor(i), chain);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function handshake(port: number, servername: string, chain: BuiltChain): Promise<NodeAnswer> {
  return new Promise((resolve) => {
    const base = { servable: true, serveError: null };
    let socket: TLSSocket;
    try {
      socket = connect({
        host: '127.0.0.1',
        port,
        servername,
        ca: chain.anchors.map(toPem),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
    } catch (error) {
      resolve({
        ...base,
        handshakeError: `client: ${(error as Error).message}`,
        authorized: false,
        code: null,
        message: null,
      });
      return;
    }
    socket.setTimeout(20_000, () => socket.destroy(new Error('handshake timeout')));
    socket.on('error', (error) =>
      resolve({ ...base, handshakeError: error.message, authorized: false, code: null, message: null }),
    );
    socket.on('secureConnect', () => {
      let answer: NodeAnswer;
      if (!socket.authorized) {
        // authorizationError is the code only; the handle still holds OpenSSL's message.
        const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
        const error = handle?.verifyError?.() ?? null;
        answer = {
          ...base,
          handshakeError: null,
          authorized: false,
          code: String(socket.authorizationError),
          message: error?.message ?? null,
        };
      } else {
        const mismatch = checkServerIdentity(chain.spec.host, socket.getPeerCertificate()) as
          (Error & { code?: string }) | undefined;
        answer = {
          ...base,
          handshakeError: null,
          authorized: true,
          code: mismatch?.code ?? null,
          message: mismatch?.message ?? null,
        };
      }
      socket.destroy();
      resolve(answer);
    });
  });
}
