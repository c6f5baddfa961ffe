// `tlswitness explain TEXT` (or stdin): decode a TLS error message from any common client.
import type { Argv } from 'yargs';
import { explain } from '../diagnose/explain.js';
import { TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { safeJson, safeLines } from '../report/terminal-safe.js';
import { SCHEMA_VERSION } from '../schema-version.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const builder = (yargs: Argv<object>) =>
  yargs
    .positional('text', { type: 'string', array: true, describe: 'the error message (or pipe it on standard input)' })
    .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' });

export const explainCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'explain [text..]',
  describe:
    'decode a TLS error message (curl, wget, Python, Node, OpenSSL, git, Java, Go, Rust, .NET, PowerShell, schannel, Ruby, PHP, browsers, Docker, npm, pip, Maven, Gradle)',
  builder,
  handler: async (args) => {
    const text = args.text?.length ? args.text.join(' ') : process.stdin.isTTY ? '' : await readStdin();
    if (!text.trim())
      throw new TlswitnessError(
        'bad-usage',
        'explain needs the error text: tlswitness explain "curl: (60) SSL certificate problem: ...", or pipe it in',
      );
    const result = explain(text);
    if (args.json) process.stdout.write(`${safeJson({ schemaVersion: SCHEMA_VERSION, ...result }, 2)}\n`);
    else if (!result.recognized) {
      process.stdout.write(
        // The host and the next command are taken from the pasted text.
        safeLines([
          `Not recognised: ${result.meaning}.`,
          `Client: ${result.client ?? 'not recognised either'}.`,
          `${result.action[0]!.toUpperCase()}${result.action.slice(1)}.`,
          `Next: ${result.next}`,
          '',
        ]),
      );
    } else {
      process.stdout.write(
        safeLines([
          `${result.problem!.toUpperCase()}${result.alternatives.length ? ` (or: ${result.alternatives.join(', ')})` : ''}${result.client ? ` — from ${result.client}` : ''}${result.host ? `, host ${result.host}` : ''}`,
          `Meaning: ${result.meaning}.`,
          `Look at: the ${result.liability} side. ${result.action}.`,
          `Next: ${result.next}`,
          '',
        ]),
      );
    }
    // Recognised: the explanation is the result (0). Not recognised: inconclusive (SPEC: 3).
    process.exitCode = result.recognized ? 0 : 3;
  },
};
