// `node --import=tsx scripts/connect-bench.ts [--connections N] [--rounds R] [MODULE...]`: time of a
// CONNECT tunnel plus a TLS handshake through a loopback proxy, per connection, for one or more
// connector modules (default src/net/connector.ts), rounds alternating so machine drift cancels out.
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { openConnection as OpenConnection, parseProxyUrl as ParseProxyUrl } from '../src/net/connector.js';
import { startConnectProxy } from '../test/helpers/connect-proxy.js';
import { makeTestCa } from '../test/helpers/pki.js';
import { median, percentile, rotate } from './bench/stats.js';

interface Connector {
  openConnection: typeof OpenConnection;
  parseProxyUrl: typeof ParseProxyUrl;
}

const { values, positionals } = parseArgs({
  options: { connections: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' } },
  allowPositionals: true,
});
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const modules = positionals.length ? positionals : ['src/net/connector.ts'];

const root = await makeTestCa('connect bench root');
const leaf = await root.issue(['origin.bench.test']);
const origin = createTlsServer({ key: leaf.keyPem, cert: leaf.pem }, (socket) => socket.end());
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originPort = (origin.address() as AddressInfo).port;
const proxy = await startConnectProxy();

const loaded = new Map<string, Connector>();
for (const path of modules) loaded.set(path, (await import(pathToFileURL(resolvePath(path)).href)) as Connector);

/** One connection: tunnel, then a full TLS handshake over it; milliseconds for each part. */
async function once(connector: Connector): Promise<{ tunnel: number; total: number }> {
  const started = performance.now();
  const connection = await connector.openConnection({
    host: 'origin.bench.test',
    port: originPort,
    resolve: new Map(),
    proxy: connector.parseProxyUrl(`http://u:p@127.0.0.1:${proxy.port}`, 'upstream-proxy'),
    timeoutMs: 10_000,
  });
  const tunnel = performance.now() - started;
  if (connection.head.length) connection.socket.unshift(connection.head);
  await new Promise<void>((resolve, reject) => {
    const tls = tlsConnect({ socket: connection.socket, servername: 'origin.bench.test', ca: root.pem }, () => {
      tls.destroy();
      resolve();
    });
    tls.once('error', reject);
  });
  return { tunnel, total: performance.now() - started };
}

const samples = new Map<string, number[]>(modules.map((m) => [m, []]));
const tunnels = new Map<string, number[]>(modules.map((m) => [m, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const path of rotate(modules, round)) {
    const connector = loaded.get(path)!;
    // A few unmeasured connections first, so JIT warm-up lands on no one.
    for (let i = 0; i < 10; i += 1) await once(connector);
    for (let i = 0; i < connections; i += 1) {
      const { tunnel, total } = await once(connector);
      tunnels.get(path)!.push(tunnel);
      samples.get(path)!.push(total);
    }
  }
}

const rows = modules.map((path) => {
  const ms = samples.get(path)!;
  return {
    path,
    tunnel: median(tunnels.get(path)!),
    median: median(ms),
    p95: percentile(ms, 95),
    total: ms.reduce((a, b) => a + b, 0) / rounds,
  };
});
console.log(`${connections} connections x ${rounds} rounds, CONNECT + TLS handshake through a loopback proxy`);
console.log('| connector | tunnel median ms | tunnel + handshake median ms | p95 ms | ms per round |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows)
  console.log(
    `| ${row.path} | ${row.tunnel.toFixed(3)} | ${row.median.toFixed(3)} | ${row.p95.toFixed(3)} | ${row.total.toFixed(0)} |`,
  );
if (rows.length > 1)
  console.log(
    `median ratio ${rows[1]!.path} / ${rows[0]!.path}: tunnel ${(rows[1]!.tunnel / rows[0]!.tunnel).toFixed(3)}, tunnel + handshake ${(rows[1]!.median / rows[0]!.median).toFixed(3)}`,
  );
await proxy.close();
origin.close();
