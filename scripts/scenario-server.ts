// The TLS server options that serve a fixture scenario exactly as sent, and a close that does not
// wait for clients still holding a connection: shared by the tests and the client-message recorder.
import type { Server, Socket } from 'node:net';
import type { SecureVersion, TlsOptions } from 'node:tls';
import type { Scenario } from './fixture-pki.js';

export interface ScenarioServerOptions {
  maxVersion?: SecureVersion;
  minVersion?: SecureVersion;
  /** OpenSSL cipher string (TLS 1.3 suites included), to force one suite. */
  ciphers?: string;
  /** Diffie-Hellman parameters (PEM), for a server with a weak DH group. */
  dhparam?: string;
  /** CA certificates (PEM) whose clients are accepted; with requestClientCert scenarios. */
  clientCAs?: string[];
}

export function scenarioServerOptions(scenario: Scenario, options: ScenarioServerOptions = {}): TlsOptions {
  return {
    key: scenario.keyPem,
    cert: scenario.sent.join(''),
    maxVersion: options.maxVersion ?? 'TLSv1.3',
    minVersion: options.minVersion ?? 'TLSv1.2',
    requestCert: !!scenario.requestClientCert,
    rejectUnauthorized: !!scenario.requestClientCert,
    ...(scenario.requestClientCert ? { ca: options.clientCAs } : {}),
    // Weak chains and TLS 1.0 load only at OpenSSL 3's security level 0.
    ...(scenario.legacyServer || options.minVersion === 'TLSv1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    ...(options.dhparam ? { dhparam: options.dhparam } : {}),
  };
}

/**
 * A close() that destroys the connections left open: a client that accepted the chain may keep its
 * connection (curl 7.88 after its GET, s_client waiting), and server.close() would wait for it forever.
 */
export function closeAll(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}
