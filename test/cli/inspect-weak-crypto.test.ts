// `inspect` on weak keys and signatures names the class and the clients that refuse, and agrees with
// what this machine's own curl and python3 print against the same server (fixture root trusted explicitly).
import test from 'ava';
import { execFile } from 'node:child_process';
import { cleanEnv, makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

interface Run {
  missing: boolean;
  code: number;
  out: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 20_000 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      resolve({
        missing: e?.code === 'ENOENT',
        code: e ? (typeof e.code === 'number' ? e.code : 99) : 0,
        out: `${stdout}${stderr}`,
      });
    });
  });
}

// The default context, as `requests` and urllib use it: the system OpenSSL's verification at Python's level.
const PYTHON = `
import socket, ssl, sys
ctx = ssl.create_default_context()
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=sys.argv[1]):
            print("ok")
except ssl.SSLCertVerificationError as error:
    print("certificate verify failed:", error.verify_message)
    sys.exit(1)
`;

for (const [name, nodeRefuses] of [
  ['rsa1024', false],
  ['sha1', true],
] as const) {
  test(`${name}: inspect says weak-crypto, names the refusing clients, and curl and python3 on this machine agree`, async (t) => {
    const scenario = fixtures.pki.scenarios[name]!;
    const host = scenario.host!;
    const roots = fixtures.pki.files['public-roots.pem']!;
    const server = await startScenarioServer(scenario);
    try {
      const inspected = await runCli([
        'inspect',
        `${host}:${server.port}`,
        '--public-roots',
        roots,
        '--resolve',
        `${host}:${server.port}:127.0.0.1`,
        '--json',
      ]);
      const record = JSON.parse(inspected.stdout);
      t.is(record.diagnosis.problem, 'weak-crypto');
      t.is(inspected.code, 1, 'a problem, even where Node accepts it');
      t.is(record.verification.ok, !nodeRefuses, "verification stays Node's own verdict");
      const refusedBy: Array<{ client: string; level: number; message: string }> = record.weakCrypto.refusedBy;
      t.is(
        refusedBy.some((r) => r.client === 'Node (level 1)'),
        nodeRefuses,
      );
      t.regex(record.diagnosis.summary, nodeRefuses ? /Node \(level 1\)/ : /Node \(level 1\) accepts it/);
      t.true(record.warnings.some((w: { code: string }) => w.code === 'weak-crypto'));
      const machine = refusedBy.find((r) => r.client.startsWith("this machine's OpenSSL clients"));
      const level: number | null = record.weakCrypto.opensslLevel;
      // Level 2 or more (Debian, Ubuntu, RHEL 9) refuses both fixtures; a laxer or unknown machine gets the distributions named.
      if (level !== null && level >= 2) t.is(machine?.level, level);
      else t.true(refusedBy.some((r) => r.client.startsWith('Debian/Ubuntu/RHEL 9 OpenSSL clients (level 2')));
      if (machine) t.regex(record.diagnosis.summary, /this machine's OpenSSL clients \(level \d/);

      const human = await runCli([
        'inspect',
        `${host}:${server.port}`,
        '--public-roots',
        roots,
        '--resolve',
        `${host}:${server.port}:127.0.0.1`,
      ]);
      t.regex(human.stdout, /Diagnosis: WEAK-CRYPTO \(fault: server/);
      t.regex(
        human.stdout,
        nodeRefuses
          ? /Verify return code: 68 \(CA signature digest algorithm too weak\)\n/
          : /Verify return code: 0 \(ok\), at Node's security level 1\n/,
      );
      for (const r of refusedBy)
        t.true(human.stdout.includes(`Refused by ${r.client}: "${r.message}"`), `the human output names ${r.client}`);

      // curl: -q ignores any ~/.curlrc; only the fixture root is trusted, the name resolves to loopback.
      const curl = await run(
        'curl',
        [
          '-q',
          '-sS',
          '-o',
          '/dev/null',
          '--cacert',
          roots,
          '--resolve',
          `${host}:${server.port}:127.0.0.1`,
          `https://${host}:${server.port}/`,
        ],
        cleanEnv({ CURL_CA_BUNDLE: roots }),
      );
      if (curl.missing) t.log('curl is not installed: its agreement is not checked');
      else if (machine) {
        t.is(curl.code, 60, curl.out);
        t.true(curl.out.includes(`SSL certificate problem: ${machine.message}`), `curl printed: ${curl.out}`);
      } else t.is(curl.code === 60, nodeRefuses, `curl printed: ${curl.out}`);

      const python = await run(
        'python3',
        ['-c', PYTHON, host, String(server.port)],
        cleanEnv({ SSL_CERT_FILE: roots }),
      );
      if (python.missing) t.log('python3 is not installed: its agreement is not checked');
      else {
        const said = /certificate verify failed: (.*)/.exec(python.out)?.[1]?.trim();
        if (machine) t.is(said, machine.message, `python3 printed: ${python.out}`);
        // Whatever level python3 runs at, what it refuses with is what inspect names for some client.
        if (said)
          t.true(
            refusedBy.some((r) => r.message === said),
            `python3 printed: ${python.out}`,
          );
      }
    } finally {
      await server.close();
    }
  });
}
