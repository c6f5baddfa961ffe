// `tlswitness explain` as a user runs it: a recorded client message as an argument or on standard input,
// human and JSON output, exit 0 when recognised and 3 (with the client and the next command) when not.
// What every installed client prints against broken servers is checked in test/scripts/client-messages.test.ts.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI, runCli } from '../helpers/fixtures.js';
import type { ClientMessage } from '../../scripts/client-messages.js';

const corpus: ClientMessage[] = JSON.parse(
  readFileSync(new URL('../fixtures/client-messages.json', import.meta.url), 'utf8'),
);
const recorded = (client: string, name: string) => corpus.find((m) => m.client === client && m.case === name)!.message;

function viaStdin(args: string[], input: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(input);
  });
}

test('a wget (GnuTLS) refusal piped in: the class, the alternatives, the host and the next command', async (t) => {
  const result = await viaStdin(['explain'], recorded('wget', 'incomplete-chain'));
  t.is(result.code, 0);
  t.regex(
    result.stdout,
    /^UNKNOWN-CA \(or: incomplete-chain, self-signed\) — from wget, host incomplete\.example\.com\n/,
  );
  t.regex(result.stdout, /\nNext: tlswitness inspect incomplete\.example\.com\n/);
});

test('curl refusing a weak key: weak-crypto, the server side, as JSON', async (t) => {
  const result = await runCli(['explain', '--json', recorded('curl', 'weak-key')]);
  t.is(result.code, 0);
  const json = JSON.parse(result.stdout);
  t.like(json, { recognized: true, client: 'curl', problem: 'weak-crypto', liability: 'server', alternatives: [] });
});

test('a Python traceback on standard input is decoded from its last lines', async (t) => {
  const result = await viaStdin(['explain', '--json'], recorded('python3-urllib', 'sha1-signature'));
  t.is(result.code, 0);
  t.like(JSON.parse(result.stdout), { client: 'Python', problem: 'weak-crypto' });
});

test('text it cannot classify exits 3, naming the client it recognised and the next command', async (t) => {
  const curl = await runCli([
    'explain',
    'curl: (22) The requested URL returned error: 418 for https://teapot.example.com/',
  ]);
  t.is(curl.code, 3);
  t.regex(curl.stdout, /^Not recognised: /);
  t.regex(curl.stdout, /\nClient: curl\.\n/);
  t.regex(curl.stdout, /\nNext: tlswitness inspect teapot\.example\.com\n/);
  const nothing = await runCli(['explain', 'the coffee machine is empty']);
  t.is(nothing.code, 3);
  t.regex(nothing.stdout, /\nClient: not recognised either\.\n/);
  t.regex(nothing.stdout, /\nNext: tlswitness inspect HOST\n/);
  const json = await runCli(['explain', '--json', 'the coffee machine is empty']);
  t.is(json.code, 3);
  t.like(JSON.parse(json.stdout), { recognized: false, client: null, problem: null, next: 'tlswitness inspect HOST' });
});

test('no text at all is a usage error', async (t) => {
  const result = await viaStdin(['explain'], '   \n');
  t.is(result.code, 2);
});
