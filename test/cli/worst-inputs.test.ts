// Every command fed its worst inputs, through the built CLI: empty, garbage, truncated, huge (50 MB) and
// unreadable files, a directory for a file, a PEM whose body is not a certificate, a broken local CA, bad
// ports, host names and --resolve values. Each must end with exit 2 and one line on stderr that names
// the thing, never a stack trace. Nothing here resolves or contacts a public host: targets are 127.0.0.1
// (port 1, where nothing listens) or names pinned with --resolve.
import test from 'ava';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCliProxy } from '../helpers/cli-proxy.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/fixtures.js';
import { makeTestCa } from '../helpers/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'tlswitness-worst-'));
const path = (name: string) => join(dir, name);

/**
 * A file this process cannot read. Root ignores mode bits, so as root a kernel file that is write-only
 * for everyone is used: /proc/sys/vm/drop_caches (mode 0200) refuses an open for reading with EACCES
 * even for root, and opening it to read changes nothing. Decided now, so a skip is visible as a skip.
 */
const UNREADABLE: { file: string; ours: boolean } | { skip: string } = (() => {
  if (process.getuid?.() !== 0) return { file: path('no-permission.pem'), ours: true };
  const kernelFile = '/proc/sys/vm/drop_caches';
  try {
    closeSync(openSync(kernelFile, 'r'));
    return { skip: `running as root and ${kernelFile} opened for reading: no file here refuses root` };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES'
      ? { file: kernelFile, ours: false }
      : { skip: `running as root and ${kernelFile} is not there (${(error as NodeJS.ErrnoException).code})` };
  }
})();
if ('skip' in UNREADABLE)
  console.log(`worst-inputs.test.ts: the "no read permission" rows are skipped: ${UNREADABLE.skip}`);

let valid: string;
let validKey: string;

test.before(async () => {
  const ca = await makeTestCa('Worst Inputs Root');
  const leaf = await ca.issue(['worst.example']);
  valid = path('valid.pem');
  validKey = path('valid-key.pem');
  writeFileSync(valid, leaf.pem);
  writeFileSync(validKey, leaf.keyPem, { mode: 0o600 });
  writeFileSync(path('empty.pem'), '');
  // Deterministic garbage: no PEM header, not DER (a first byte that is no SEQUENCE).
  writeFileSync(path('garbage.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251 || 1)));
  writeFileSync(path('truncated.der'), new X509Certificate(leaf.pem).raw.subarray(0, 300));
  // A PEM block whose body is a private key: the header says CERTIFICATE, the body is not one.
  const keyDer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
    type: 'pkcs8',
    format: 'der',
  });
  writeFileSync(
    path('key-in-cert.pem'),
    `-----BEGIN CERTIFICATE-----\n${keyDer.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`,
  );
  // 50 MB without writing 50 MB: a sparse file of zeros.
  const big = openSync(path('huge.bin'), 'w');
  ftruncateSync(big, 50 * 1024 * 1024);
  closeSync(big);
  writeFileSync(path('begins.pem'), '-----BEGIN CERTIFICATE-----\n'.repeat(190_000));
  mkdirSync(path('a-directory'));
  // Only a file of our own is made unreadable; the kernel file is never written.
  if ('file' in UNREADABLE && UNREADABLE.ours) writeFileSync(UNREADABLE.file, leaf.pem, { mode: 0o000 });
});

const BAD_FILES: Array<[label: string, file: () => string, why: RegExp]> = [
  ['an empty file', () => path('empty.pem'), /not a certificate file|holds no certificate/],
  ['binary garbage', () => path('garbage.bin'), /not a certificate file|holds no certificate/],
  ['truncated DER', () => path('truncated.der'), /not a certificate file|holds no certificate|truncated/],
  ['a 50 MB file', () => path('huge.bin'), /not a certificate file|holds no certificate|too large/],
  // Quadratic for a lazy BEGIN…END pattern (1 MB took 18 s): here 5 MB must end at once.
  ['5 MB of BEGIN lines and no END', () => path('begins.pem'), /not a certificate file|holds no certificate/],
  ['a directory', () => path('a-directory'), /is a directory/],
  [
    'a PEM whose body is a key',
    () => path('key-in-cert.pem'),
    /not a readable X\.509 certificate|holds no certificate|holds no readable certificate/,
  ],
  ['no read permission', () => ('file' in UNREADABLE ? UNREADABLE.file : ''), /permission denied/],
];

// The commands that read a file the user names, by each code path that reads one; `also` is the
// command's own way of saying "not what I need" (a key reader says so about a key).
const FILE_COMMANDS: Array<
  [label: string, args: (file: string) => string[], also?: RegExp, env?: () => NodeJS.ProcessEnv]
> = [
  ['cert FILE', (f) => ['cert', f]],
  ['convert FILE', (f) => ['convert', f, '--to', 'der', '-o', path(`out-${Math.random().toString(36).slice(2)}.der`)]],
  ['verify FILE', (f) => ['verify', f]],
  [
    'bundle --extra-ca FILE',
    (f) => ['bundle', '-o', path(`bundle-${Math.random().toString(36).slice(2)}.pem`), '--extra-ca', f],
  ],
  ['inspect --extra-ca FILE', (f) => ['inspect', '127.0.0.1:1', '--timeout', '3000', '--extra-ca', f]],
  [
    'inspect --client-cert FILE',
    (f) => ['inspect', '127.0.0.1:1', '--timeout', '3000', '--client-cert', f, '--client-key', validKey],
    /holds no readable certificate/,
  ],
  [
    'convert --key FILE',
    (f) => ['convert', valid, '--to', 'p12', '-o', path(`p12-${Math.random().toString(36).slice(2)}.p12`), '--key', f],
    /not a PEM RSA private key/,
  ],
  ['proxy --extra-ca FILE', (f) => ['proxy', '--port', '0', '--no-tui', '--extra-ca', f]],
  // No tools on PATH: doctor then only reads files.
  ['doctor --extra-ca FILE', (f) => ['doctor', '--extra-ca', f], undefined, () => cleanEnv({ PATH: path('no-tools') })],
];

interface Row {
  label: string;
  args: () => string[];
  /** What the one line must say: the thing, and why. */
  says: RegExp;
  env?: () => NodeJS.ProcessEnv;
  /** The file the line must name. */
  names?: () => string;
  skip?: string;
}

const ROWS: Row[] = [];
for (const [fileLabel, file, why] of BAD_FILES) {
  for (const [commandLabel, args, also, env] of FILE_COMMANDS) {
    const skip = fileLabel === 'no read permission' && 'skip' in UNREADABLE ? UNREADABLE.skip : undefined;
    const says = also && !/directory|permission/.test(why.source) ? new RegExp(`${why.source}|${also.source}`) : why;
    ROWS.push({
      label: `${commandLabel}: ${fileLabel}`,
      args: () => args(file()),
      says,
      names: file,
      skip,
      ...(env ? { env } : {}),
    });
  }
}

const LONG_NAME = 'a'.repeat(300);
ROWS.push(
  ...['0', '65536', '-1', 'abc'].map((port): Row => ({
    label: `inspect 127.0.0.1:${port}`,
    args: () => ['inspect', `127.0.0.1:${port}`],
    says: new RegExp(`port "${port}" is not a number from 1 to 65535`),
  })),
  ...['65536', '-1', 'abc'].map((port): Row => ({
    label: `proxy --port ${port}`,
    args: () => ['proxy', '--port', port, '--no-tui'],
    says: /--port .*give a number from 1 to 65535, or 0 for any free port/,
  })),
  { label: 'detect 127.0.0.1:abc', args: () => ['detect', '127.0.0.1:abc'], says: /port "abc"/ },
  {
    label: 'evidence 127.0.0.1:0',
    args: () => ['evidence', '127.0.0.1:0', '-o', path('evidence-never')],
    says: /port "0"/,
  },
  {
    label: 'inspect "bad host" (a space)',
    args: () => ['inspect', 'bad host'],
    says: /"bad host" is not a host name or IP address \(use host, host:port/,
  },
  {
    label: 'inspect a URL with %00 (a NUL; argv itself cannot carry one)',
    args: () => ['inspect', 'https://a%00b.example/'],
    says: /is not a valid URL/,
  },
  {
    label: 'inspect a 300-character host',
    args: () => ['inspect', `${LONG_NAME}:443`, '--resolve', `${LONG_NAME}:443:127.0.0.1`],
    says: /is not a host name or IP address/,
  },
  {
    label: 'detect a host with control characters',
    args: () => ['detect', 'a\u0001b\u001b]0;owned\u0007.example'],
    says: /"a\\x01b\\x1b\]0;owned\\x07\.example" is not a host name or IP address/,
  },
  {
    label: 'inspect --servername with a space',
    args: () => ['inspect', '127.0.0.1:1', '--servername', 'a b'],
    says: /--servername "a b" is not a host name/,
  },
  {
    label: 'inspect --servername of 300 characters',
    args: () => ['inspect', '127.0.0.1:1', '--servername', LONG_NAME],
    says: /--servername "a{300}" is not a host name/,
  },
  {
    label: 'verify --host with a space',
    args: () => ['verify', valid, '--host', 'a b'],
    says: /--host "a b" is not a DNS name/,
  },
  {
    label: '--resolve without colons',
    args: () => ['inspect', 'worst.example', '--resolve', 'garbage'],
    says: /--resolve "garbage": expected HOST:PORT:ADDRESS/,
  },
  {
    label: '--resolve with a name for an address',
    args: () => ['inspect', 'worst.example', '--resolve', 'worst.example:443:notanip'],
    says: /"notanip" is not an IP address/,
  },
  {
    label: '--resolve with port 99999',
    args: () => ['inspect', 'worst.example', '--resolve', 'worst.example:99999:127.0.0.1'],
    says: /port 99999 is out of range/,
  },
  {
    label: '--resolve with an empty host',
    args: () => ['inspect', 'worst.example', '--resolve', ':443:127.0.0.1'],
    says: /--resolve ":443:127\.0\.0\.1"/,
  },
  {
    label: 'an invalid --tls-min (yargs lists choices over several lines)',
    args: () => ['inspect', '127.0.0.1:1', '--tls-min', '9'],
    says: /Invalid values: .*Choices: "1\.0", "1\.1", "1\.2", "1\.3"/,
  },
  {
    label: "--client-key that is not the certificate's",
    args: () => ['inspect', '127.0.0.1:1', '--client-cert', valid, '--client-key', path('other-key.pem')],
    says: /--client-key does not belong to the certificate in --client-cert/,
  },
);

const caDir = (label: string) => path(`certs-${label.replace(/\W+/g, '-')}`);
const CA_BREAKS: Array<[label: string, breakIt: (ca: string) => void, says: RegExp]> = [
  [
    'a corrupt key',
    (ca) => writeFileSync(join(ca, 'keys', 'ca.private.key'), 'garbage\n'),
    /ca\.private\.key is not a readable private key/,
  ],
  [
    "a certificate from another CA (not its key's)",
    (ca) => copyFileSync(path('certs-other/ca/certs/ca.pem'), join(ca, 'certs', 'ca.pem')),
    /its certificate .*ca\.pem \(CN=tlswitness CA .*\) does not belong to its key/,
  ],
  [
    'a directory for the certificate',
    (ca) => {
      rmSync(join(ca, 'certs', 'ca.pem'));
      mkdirSync(join(ca, 'certs', 'ca.pem'));
    },
    /ca\.pem: is a directory, not a file/,
  ],
  [
    'an EC key (the proxy signs with RSA only)',
    (ca) =>
      writeFileSync(
        join(ca, 'keys', 'ca.private.key'),
        generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      ),
    /is an EC key, and the proxy signs with RSA keys only/,
  ],
];
for (const [label, , says] of CA_BREAKS) {
  for (const args of [
    ['ca', 'show'],
    ['ca', 'export'],
    ['proxy', '--port', '0', '--no-tui'],
  ]) {
    ROWS.push({
      label: `${args.join(' ')}: local CA with ${label}`,
      args: () => args,
      env: () => cleanEnv({ TLSWITNESS_CERTS_DIR: caDir(label) }),
      says: new RegExp(
        `the local CA in .* cannot be used: .*${says.source}.*; move that folder away and run tlswitness ca init`,
      ),
    });
  }
}

async function pool<T, R>(items: T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}

// Each row is a fresh process; a few at a time keeps the whole table to seconds on a 2-core machine.
let results: Promise<Map<string, CliResult>> | undefined;
function runAll(): Promise<Map<string, CliResult>> {
  results ??= (async () => {
    // Local CAs to break: made once by the CLI itself, then copied per row.
    await runCli(['ca', 'init'], cleanEnv({ TLSWITNESS_CERTS_DIR: path('certs-template') }));
    await runCli(['ca', 'init'], cleanEnv({ TLSWITNESS_CERTS_DIR: path('certs-other') }));
    for (const [label, breakIt] of CA_BREAKS) {
      copyDir(path('certs-template'), caDir(label));
      breakIt(join(caDir(label), 'ca'));
    }
    writeFileSync(
      path('other-key.pem'),
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const runnable = ROWS.filter((r) => !r.skip);
    const outcomes = await pool(
      runnable,
      4,
      async (row) => [row.label, await runCli(row.args(), row.env?.() ?? cleanEnv(), dir)] as const,
    );
    return new Map(outcomes);
  })();
  return results;
}

function copyDir(from: string, to: string): void {
  for (const sub of ['certs', 'keys']) {
    mkdirSync(join(to, 'ca', sub), { recursive: true });
    for (const name of sub === 'certs' ? ['ca.pem'] : ['ca.private.key', 'ca.public.key'])
      copyFileSync(join(from, 'ca', sub, name), join(to, 'ca', sub, name));
  }
}

for (const row of ROWS) {
  (row.skip ? test.skip : test)(`worst input: ${row.label}`, async (t) => {
    const result = (await runAll()).get(row.label)!;
    t.is(result.code, 2, `${result.stdout}${result.stderr}`);
    t.regex(result.stderr, /^Error: [^\n]+\n$/, 'exactly one line on stderr');
    t.notRegex(result.stderr, /\n\s+at /, 'no stack frames');
    t.notRegex(result.stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/, 'no control characters reach the terminal');
    t.regex(result.stderr, row.says);
    if (row.names) t.true(result.stderr.includes(row.names()), `names ${row.names()}`);
  });
}

test("a missing ca.public.key (http-mitm-proxy's loader reads it): written again from the key, and the proxy starts", async (t) => {
  const certsDir = path('certs-no-public-key');
  await runCli(['ca', 'init'], cleanEnv({ TLSWITNESS_CERTS_DIR: certsDir }));
  const publicKey = join(certsDir, 'ca', 'keys', 'ca.public.key');
  const before = readFileSync(publicKey, 'utf8');
  rmSync(publicKey);
  const proxy = startCliProxy(['proxy', '--port', '0', '--no-tui'], cleanEnv({ TLSWITNESS_CERTS_DIR: certsDir }));
  try {
    t.true((await proxy.port) > 0, proxy.output().stderr);
    t.true(existsSync(publicKey));
    t.is(readFileSync(publicKey, 'utf8'), before);
  } finally {
    proxy.child.kill('SIGTERM');
    await proxy.exited;
  }
});
