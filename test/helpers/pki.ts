// A throwaway CA for tests that need their own names (wildcards, rotation, interceptor-like CAs).
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { buildCertificate, type NameAttribute } from '../../src/ca/certificate-builder.js';

export interface TestLeaf {
  pem: string;
  keyPem: string;
}

export interface TestCa {
  pem: string;
  /** A leaf for `dnsNames`; with `rsaBits`, its key is RSA of that size (1024: a key too weak for level 2). */
  issue(dnsNames: string[], rsaBits?: number): Promise<TestLeaf>;
}

const YEAR = 365 * 86_400_000;

/** Keys are P-256 unless `keys` is 'rsa' (RSA-2048 for the CA and its leaves: most public servers' kind). */
export async function makeTestCa(subject: NameAttribute[] | string, keys: 'ec' | 'rsa' = 'ec'): Promise<TestCa> {
  const name = typeof subject === 'string' ? [{ type: 'CN', value: subject }] : subject;
  const now = Date.now();
  const newKey = () =>
    keys === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = newKey();
  const ca = await buildCertificate({
    subject: name,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + YEAR),
    publicKey: key.publicKey,
    signingKey: key.privateKey,
    isCA: true,
  });
  return {
    pem: ca.pem,
    async issue(dnsNames, rsaBits) {
      const leafKey = rsaBits ? generateKeyPairSync('rsa', { modulusLength: rsaBits }) : newKey();
      const leaf = await buildCertificate({
        subject: [{ type: 'CN', value: dnsNames[0]! }],
        issuer: name,
        notBefore: new Date(now - 86_400_000),
        notAfter: new Date(now + YEAR),
        publicKey: leafKey.publicKey,
        signingKey: key.privateKey,
        issuerPublicKey: key.publicKey,
        dnsNames,
      });
      return { pem: leaf.pem, keyPem: leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    },
  };
}

export interface LeafOnlyServers {
  ports: number[];
  caPem: string;
  close(): void;
}

/**
 * A re-signing interceptor as antivirus and many proxies are: one server per host on 127.0.0.1, each
 * sending only the leaf minted for it by `caName` (no intermediate, no root), and answering HTTP "hi".
 */
export async function startLeafOnlyServers(
  hosts: string[],
  caName: NameAttribute[] | string,
): Promise<LeafOnlyServers> {
  const ca = await makeTestCa(caName);
  const leaves = await Promise.all(hosts.map((host) => ca.issue([host])));
  const servers = await Promise.all(
    leaves.map(async (leaf) => {
      const server = createServer({ key: leaf.keyPem, cert: leaf.pem }, (socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nhi\n'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  return {
    ports: servers.map((server) => (server.address() as AddressInfo).port),
    caPem: ca.pem,
    close: () => servers.forEach((server) => server.close()),
  };
}
