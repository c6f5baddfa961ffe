// First-byte time through the MITM for a host never seen (record + mint) against the same host
// again, alternating, in one run; and the leaf-mint time. Loopback only.
// Usage: node --import=tsx scripts/bench-new-host.ts [ROUNDS]
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeTestCa } from '../test/helpers/pki.js';
import { storeOf } from '../test/helpers/observe.js';
import { fetchViaProxy, startTestProxy } from '../test/helpers/proxy.js';

const rounds = Number(process.argv[2] ?? 40);
const root = await makeTestCa('Bench Root');
const leaf = await root.issue(['*.bench.example.com']);
const origin = createServer({ key: leaf.keyPem, cert: leaf.pem }, (_req, res) => res.end('x'));
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const port = (origin.address() as AddressInfo).port;
const names = Array.from({ length: rounds + 1 }, (_, i) => `h${i}.bench.example.com`);
const proxy = await startTestProxy({ public: storeOf('public', [root.pem]), system: null, extra: null }, names.map((n) => `${n}:${port}:127.0.0.1`));
void mkdtempSync(join(tmpdir(), 'tlswitness-bench-'));

async function firstByte(name: string): Promise<number> {
  const started = performance.now();
  const result = await fetchViaProxy(proxy.port, `https://${name}:${port}/`, proxy.ca.certPem);
  if (result.status !== 200) throw new Error(`${name}: ${result.status}`);
  return performance.now() - started;
}

await firstByte(names[0]!); // warm up JIT and the TLS stacks
const fresh: number[] = [];
const seen: number[] = [];
for (let i = 1; i <= rounds; i++) {
  fresh.push(await firstByte(names[i]!));
  seen.push(await firstByte(names[i]!));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const mints = (proxy.server as unknown as { options: { minter: { mintTimes: number[] } } }).options.minter.mintTimes.slice(1);
process.stdout.write(
  [
    `rounds: ${rounds} (alternating new host / same host again)`,
    `first byte, new host:  median ${median(fresh).toFixed(2)} ms`,
    `first byte, seen host: median ${median(seen).toFixed(2)} ms`,
    `difference: ${(median(fresh) - median(seen)).toFixed(2)} ms`,
    `leaf mint: median ${median(mints).toFixed(2)} ms over ${mints.length} mints`,
    '',
  ].join('\n'),
);
await proxy.close();
origin.closeAllConnections();
origin.close();
