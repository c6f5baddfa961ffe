// Printed commands survive the shell: each quoted word reaches the command as exactly one argument.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { commandLine, quotePosix, quotePowerShell } from '../src/shell-quote.js';

const HOSTILE = [
  '/Users/alice/Library/Application Support/tlswitness/ca/certs/ca.pem',
  "/home/o'brien/.config/tlswitness/ca.pem",
  '/tmp/$HOME/`id`/$(id)/ca.pem',
  '/tmp/a\\b"c"/*?[x]/~/ca.pem',
  '=ls',
  'tab\tand\nnewline',
  '',
];

/** What the shell hands the program: its arguments, NUL-separated by printf. */
function argumentsAfter(shell: string, line: string): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

for (const shell of ['sh', 'bash']) {
  test(`${shell} receives each word as one argument, unexpanded`, (t) => {
    for (const word of HOSTILE) t.deepEqual(argumentsAfter(shell, quotePosix(word)), [word], word);
    t.deepEqual(argumentsAfter(shell, commandLine(HOSTILE)), HOSTILE);
  });
}

test('plain words stay readable', (t) => {
  t.is(
    quotePosix('/usr/local/share/ca-certificates/tlswitness-0123abcd.crt'),
    '/usr/local/share/ca-certificates/tlswitness-0123abcd.crt',
  );
  t.is(quotePosix('-storepass'), '-storepass');
  t.is(quotePosix('a b'), "'a b'");
  t.is(quotePosix("it's"), `'it'\\''s'`);
});

test('PowerShell: single quotes, quotes doubled (typographic ones too), $ and backticks literal', (t) => {
  t.is(
    quotePowerShell('C:\\Users\\alice\\AppData\\Roaming\\tlswitness\\ca\\certs\\ca.pem'),
    'C:\\Users\\alice\\AppData\\Roaming\\tlswitness\\ca\\certs\\ca.pem',
  );
  t.is(quotePowerShell('C:\\Users\\Jane Doe\\ca.pem'), "'C:\\Users\\Jane Doe\\ca.pem'");
  t.is(quotePowerShell("C:\\Users\\o'brien\\ca.pem"), "'C:\\Users\\o''brien\\ca.pem'");
  t.is(quotePowerShell('C:\\Users\\o\u2019brien\\ca.pem'), "'C:\\Users\\o\u2019\u2019brien\\ca.pem'");
  t.is(quotePowerShell('C:\\$env:x\\`n\\ca.pem'), "'C:\\$env:x\\`n\\ca.pem'");
  t.is(
    commandLine(['certutil', '-addstore', '-f', 'ROOT', 'C:\\a b\\ca.pem'], 'powershell'),
    "certutil -addstore -f ROOT 'C:\\a b\\ca.pem'",
  );
});
