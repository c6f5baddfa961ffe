// Flags that cannot work together, or values no run can use, are refused by the builders' `.check()` while
// yargs parses: before any handler, file or connection (the parser here has handlers that do nothing), as a
// one-line usage error (TlswitnessError, exit 2 in main.ts).
import test from 'ava';
import { parseInert } from '../../scripts/cli-reference.js';
import { TlswitnessError } from '../../src/errors.js';

// Files that do not exist: a check that waited for the handler would never be reached.
const REFUSED: ReadonlyArray<readonly [string[], string]> = [
  [['inspect', 'a.example.com', '--client-key', 'no-such.key'], '--client-key needs --client-cert'],
  [['detect', '--tls-min', '1.3', '--tls-max', '1.2'], '--tls-min 1.3 is above --tls-max 1.2'],
  [['inspect', 'a.example.com', '--servername', 'a b'], '--servername "a b" is not a host name'],
  [['evidence', 'a.example.com', '-o', 'out', '--timeout', '0'], '--timeout takes a positive number of milliseconds'],
  [['evidence', 'a.example.com', '-o', ' '], '-o needs a path: a new directory, or a file ending in .tar.gz'],
  [['proxy', '--timeout', '-5'], '--timeout takes a positive number of milliseconds'],
  [['proxy', '--port', '70000'], '--port 70000 is not a port: give a number from 1 to 65535, or 0 for any free port'],
  [['proxy', '--port', 'eighty'], '--port takes a number: give a number from 1 to 65535, or 0 for any free port'],
  [['doctor', '--timeout', '0'], '--timeout takes a positive number of milliseconds'],
  [
    ['convert', 'no-such.pem', '--to', 'der', '-o', 'out.der', '--key', 'k.pem'],
    '--key only goes into a PKCS#12 (--to p12)',
  ],
  [
    ['convert', 'no-such.p12', '--to', 'p12', '-o', 'out.p12', '--key-out', 'k.pem'],
    '--key-out takes the key out of a PKCS#12: with --to p12 it stays in',
  ],
  [
    ['convert', 'no-such.p12', '--to', 'der', '-o', 'out.der', '--with-key'],
    "--with-key puts a PKCS#12's key into the PEM it writes: it needs a PKCS#12 in and --to pem",
  ],
  [
    ['convert', 'no-such.p12', '--to', 'pem', '-o', 'out.pem', '--with-key', '--key-out', 'k.pem'],
    '--with-key and --key-out both write the key: choose one',
  ],
  [
    ['verify', 'no-such.pem', '--host', 'a.example.com', '--ip', '127.0.0.1'],
    '--host and --ip both name what to check: give one',
  ],
];

for (const [argv, message] of REFUSED) {
  test(`tlswitness ${argv.join(' ')}: refused while parsing`, async (t) => {
    const { error } = await parseInert(argv);
    t.true(error instanceof TlswitnessError, String(error));
    t.is(error?.message, message);
    t.is((error as TlswitnessError).exitCode, 2);
  });
}

test('the same commands with consistent flags parse', async (t) => {
  for (const argv of [
    ['inspect', 'a.example.com', '--client-cert', 'c.pem', '--client-key', 'k.pem', '--tls-min', '1.3'],
    ['proxy', '--port', '0'],
    ['doctor', '--timeout', '1'],
    ['convert', 'in.p12', '--to', 'pem', '-o', 'out.pem', '--with-key'],
    ['convert', 'in.pem', '--to', 'p12', '-o', 'out.p12', '--key', 'k.pem'],
  ]) {
    t.is((await parseInert(argv)).error, null, argv.join(' '));
  }
});
