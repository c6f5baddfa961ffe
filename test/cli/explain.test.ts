// `explain` on messages captured live from real clients (curl, openssl, python3, node) against the
// fixture servers: the problem it names matches the scenario's.
import test from 'ava';
import { execFile } from 'node:child_process';
import { makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';
import type { Scenario } from '../../scripts/fixture-pki.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function capture(command: string, args: string[], input = ''): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 15_000 }, (_error, stdout, stderr) => resolve(`${stderr}\n${stdout}`));
    child.stdin?.end(input);
  });
}

const CLIENTS: Record<string, (scenario: Scenario, port: number, caFile: string) => Promise<string>> = {
  curl: (s, port, ca) => capture('curl', ['-sS', '--max-time', '10', '--cacert', ca, '--resolve', `${s.host}:${port}:127.0.0.1`, `https://${s.host}:${port}/`]),
  openssl: (s, port, ca) => capture('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', s.host!, '-verify_hostname', s.host!, '-CAfile', ca, '-verify_return_error']),
  python3: (s, port, ca) =>
    capture('python3', ['-c', `import socket, ssl\nctx = ssl.create_default_context(cafile=${JSON.stringify(ca)})\nctx.wrap_socket(socket.create_connection(("127.0.0.1", ${port})), server_hostname=${JSON.stringify(s.host)})`]),
  node: (s, port, ca) =>
    capture(process.execPath, ['-e', `const tls = require('tls'); const s = tls.connect({ host: '127.0.0.1', port: ${port}, servername: ${JSON.stringify(s.host)}, ca: require('fs').readFileSync(${JSON.stringify(ca)}), checkServerIdentity: (h, c) => tls.checkServerIdentity(${JSON.stringify(s.host)}, c) }, () => s.end()); s.on('error', (e) => console.error(e.code + ': ' + e.message));`]),
};

const EXPECTED: Record<string, string> = { incomplete: 'incomplete-chain', expired: 'expired', selfSigned: 'self-signed', unknownRoot: 'unknown-ca', mismatch: 'hostname-mismatch' };

for (const [client, run] of Object.entries(CLIENTS)) {
  test(`explain names the problem in ${client}'s own messages for five broken servers`, async (t) => {
    for (const [name, problem] of Object.entries(EXPECTED)) {
      const scenario = fixtures.pki.scenarios[name]!;
      const server = await startScenarioServer(scenario);
      try {
        const message = (await run(scenario, server.port, fixtures.pki.files['public-roots.pem']!)).trim();
        if (/command not found|ENOENT/.test(message)) {
          t.pass(`${client} is not installed`);
          return;
        }
        const result = await runCli(['explain', '--json', message]);
        const explanation = JSON.parse(result.stdout);
        t.true(explanation.recognized, `${client} ${name}: ${message}`);
        t.true([explanation.problem, ...explanation.alternatives].includes(problem), `${client} ${name}: ${explanation.problem} for «${message.slice(0, 300)}»`);
        t.is(result.code, 0);
      } finally {
        server.close();
      }
    }
  });
}

test('explain reads standard input; unknown text is inconclusive (exit 3); no text is a usage error', async (t) => {
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('../helpers/fixtures.js');
  const viaStdin = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'explain', '--json']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('close', () => resolve(out));
    child.stdin.end('x509: certificate signed by unknown authority');
  });
  t.is(JSON.parse(viaStdin).client, 'Go');
  const unknown = await runCli(['explain', 'the coffee machine is empty']);
  t.is(unknown.code, 3);
  t.regex(unknown.stdout, /^Not recognised/);
});
