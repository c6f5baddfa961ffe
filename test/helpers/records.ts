// Real handshake records for the front ends' tests: fixture servers observed once, then reused.
import type { Fixtures } from './fixtures.js';
import { closedPort, startScenarioServer } from './fixtures.js';
import { fixtureTrust, observeScenario } from './observe.js';
import { observeHandshake } from '../../src/record/observe.js';
import { parseResolve } from '../../src/net/target.js';
import type { HandshakeRecord } from '../../src/types.js';

/** Records by scenario name, plus `unreachable` (a loopback port nothing listens on). */
export async function observeScenarios(fixtures: Fixtures, names: string[]): Promise<Record<string, HandshakeRecord>> {
  const records: Record<string, HandshakeRecord> = {};
  const trust = fixtureTrust(fixtures.pki);
  for (const name of names) {
    const scenario = fixtures.pki.scenarios[name]!;
    const server = await startScenarioServer(scenario);
    try {
      records[name] = await observeScenario(scenario, server.port, trust);
    } finally {
      await server.close();
    }
  }
  const port = await closedPort();
  records.unreachable = await observeHandshake(
    {
      id: 'h-closed',
      target: { host: '127.0.0.1', port },
      resolve: parseResolve([]),
      proxy: null,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      alpn: ['http/1.1'],
      client: null,
      timeoutMs: 5000,
      fetchMissing: false,
    },
    trust,
  );
  return records;
}
