// In-process handshakes against fixture servers, with explicit trust stores (no machine state).
import type { SecureVersion } from 'node:tls';
import type { FixturePki, Scenario } from '../../scripts/fixture-pki.js';
import type { ProxySpec } from '../../src/net/connector.js';
import { parseResolve } from '../../src/net/target.js';
import type { TrustContext } from '../../src/record/assemble.js';
import { observeHandshake } from '../../src/record/observe.js';
import type { ClientCredentials } from '../../src/tls/probe.js';
import { ParsedCertificate } from '../../src/trust/certificate.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { TrustStore } from '../../src/trust/trust-store.js';
import type { HandshakeRecord } from '../../src/types.js';

export function storeOf(name: 'public' | 'system' | 'extra', pems: string[]): TrustStore {
  return TrustStore.fromCertificates(
    name,
    pems.flatMap((p) => pemCertificates(p)).map((der) => new ParsedCertificate(der)),
  );
}

export function fixtureTrust(pki: FixturePki, extra: string[] = []): TrustContext {
  return {
    public: storeOf('public', [pki.publicRoot.pem]),
    system: null,
    extra: extra.length ? storeOf('extra', extra) : null,
  };
}

export interface ObserveOptions {
  maxVersion?: SecureVersion;
  client?: ClientCredentials | null;
  proxy?: ProxySpec | null;
  fetchMissing?: boolean;
  servername?: string;
}

export function observeScenario(
  scenario: Scenario,
  port: number,
  trust: TrustContext,
  options: ObserveOptions = {},
): Promise<HandshakeRecord> {
  const host = scenario.host ?? '127.0.0.1';
  return observeHandshake(
    {
      id: 'h-test',
      target: { host, port },
      servername: options.servername,
      resolve: parseResolve(scenario.host ? [`${host}:${port}:127.0.0.1`] : []),
      proxy: options.proxy ?? null,
      minVersion: 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      alpn: ['http/1.1'],
      client: options.client ?? null,
      timeoutMs: 5000,
      fetchMissing: options.fetchMissing ?? false,
    },
    trust,
  );
}
