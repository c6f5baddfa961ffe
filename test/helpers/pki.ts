// A throwaway CA for tests that need their own names (wildcards, rotation, interceptor-like CAs).
import { generateKeyPairSync } from 'node:crypto';
import { buildCertificate, type NameAttribute } from '../../src/ca/certificate-builder.js';

export interface TestLeaf {
  pem: string;
  keyPem: string;
}

export interface TestCa {
  pem: string;
  issue(dnsNames: string[]): Promise<TestLeaf>;
}

const YEAR = 365 * 86_400_000;

export async function makeTestCa(subject: NameAttribute[] | string): Promise<TestCa> {
  const name = typeof subject === 'string' ? [{ type: 'CN', value: subject }] : subject;
  const now = Date.now();
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ca = await buildCertificate({ subject: name, notBefore: new Date(now - 86_400_000), notAfter: new Date(now + YEAR), publicKey: key.publicKey, signingKey: key.privateKey, isCA: true });
  return {
    pem: ca.pem,
    async issue(dnsNames) {
      const leafKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const leaf = await buildCertificate({ subject: [{ type: 'CN', value: dnsNames[0]! }], issuer: name, notBefore: new Date(now - 86_400_000), notAfter: new Date(now + YEAR), publicKey: leafKey.publicKey, signingKey: key.privateKey, issuerPublicKey: key.publicKey, dnsNames });
      return { pem: leaf.pem, keyPem: leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    },
  };
}
