// `tlswitness convert IN --to pem|der|p12 -o OUT`: certificate formats, done carefully: one line says
// what was written, an existing file is kept unless --force, a PKCS#12's key is never dropped silently.
import { createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { fileProblem, TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { derToPem } from '../trust/pem.js';
import { trustStorePkcs12, trustedEntries } from '../trust/pkcs12-truststore.js';
import { readCertificates } from './cert.js';
import { openPkcs12 } from './certificate-file.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The PKCS#12's private keys as PKCS#8 PEM, for --key-out. */
async function pkcs12KeysPem(file: string, password: string | undefined): Promise<string> {
  const p12 = openPkcs12(await readFile(file), password, file, { keys: true });
  return p12.keys
    .map(
      (der) =>
        createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string,
    )
    .join('');
}

/**
 * Writes a new file, or replaces one only with --force: replaced by a new file (not rewritten in
 * place) so a key gets its 0600 even where an older, readable file stood.
 */
async function writeNew(
  flag: string,
  path: string,
  data: Buffer | string,
  mode: number,
  force: boolean,
): Promise<void> {
  try {
    if (force) await rm(path, { force: true });
    await writeFile(path, data, { mode, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new TlswitnessError('bad-usage', `${flag} ${path}: already exists; pass --force to overwrite it`);
    throw new TlswitnessError('unreadable-file', `${flag} ${path}: ${fileProblem(error)}`);
  }
}

async function toPkcs12(certsPem: string[], keyPath: string | undefined, password: string): Promise<Buffer> {
  // Building a PKCS#12 the user asked for from their own files: node-forge builds, it verifies nothing.
  const { default: forge } = await import('node-forge');
  let key: ReturnType<typeof forge.pki.privateKeyFromPem> | null = null;
  if (keyPath) {
    let pem: string;
    try {
      pem = await readFile(keyPath, 'utf8');
    } catch (error) {
      throw new TlswitnessError('unreadable-file', `--key ${keyPath}: ${fileProblem(error)}`);
    }
    try {
      key = forge.pki.privateKeyFromPem(pem);
    } catch {
      throw new TlswitnessError(
        'not-certificates',
        `--key ${keyPath}: not a PEM RSA private key (node-forge builds PKCS#12 with RSA keys; for EC keys use openssl pkcs12 -export)`,
      );
    }
  }
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    key,
    certsPem.map((pem) => forge.pki.certificateFromPem(pem)),
    password,
    { algorithm: '3des' },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const builder = (yargs: Argv<object>) =>
  yargs
    .positional('input', { type: 'string', demandOption: true })
    .option('to', { choices: ['pem', 'der', 'p12'] as const, demandOption: true, describe: 'output format' })
    .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'file to write' })
    .option('key', { type: 'string', describe: 'private key (PEM) to put into a PKCS#12' })
    .option('key-out', {
      type: 'string',
      describe: 'from a PKCS#12: write its private key (PKCS#8 PEM, unencrypted, 0600) to this file',
    })
    .option('with-key', {
      type: 'boolean',
      default: false,
      describe:
        "from a PKCS#12 to PEM: the private key too, after the certificates, in the same file (0600), for requests' cert=",
    })
    .option('password', { type: 'string', describe: 'PKCS#12 password (input or output)' })
    .option('force', { type: 'boolean', default: false, describe: 'overwrite -o (and --key-out) if it exists' })
    .check((args) => {
      // The flags that contradict each other, before any file is read; what depends on the input's format is checked once it is.
      if (args.key && args.to !== 'p12')
        throw new TlswitnessError('bad-usage', '--key only goes into a PKCS#12 (--to p12)');
      if (args['key-out'] && args.to === 'p12')
        throw new TlswitnessError('bad-usage', '--key-out takes the key out of a PKCS#12: with --to p12 it stays in');
      if (args['with-key'] && args.to !== 'pem')
        throw new TlswitnessError(
          'bad-usage',
          "--with-key puts a PKCS#12's key into the PEM it writes: it needs a PKCS#12 in and --to pem",
        );
      if (args['with-key'] && args['key-out'])
        throw new TlswitnessError('bad-usage', '--with-key and --key-out both write the key: choose one');
      return true;
    });

export const convertCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'convert <input>',
  describe: 'convert a certificate file between PEM, DER and PKCS#12',
  builder,
  handler: async (args) => {
    const { format, certs, pkcs12 } = await readCertificates(args.input, args.password);
    if (!certs.length) throw new TlswitnessError('not-certificates', `${args.input}: holds no certificate`);
    const keyOut = args['key-out'];
    if (keyOut && format !== 'p12')
      throw new TlswitnessError(
        'bad-usage',
        `--key-out takes the key out of a PKCS#12, and ${args.input} is ${format.toUpperCase()}`,
      );
    const withKey = args['with-key'];
    if (withKey && format !== 'p12')
      throw new TlswitnessError(
        'bad-usage',
        "--with-key puts a PKCS#12's key into the PEM it writes: it needs a PKCS#12 in and --to pem",
      );
    const force = args.force;
    // Both refusals before anything is written, so a refused run leaves no half.
    for (const [flag, path] of [
      ['-o', args.output],
      ['--key-out', keyOut],
    ] as const) {
      if (path && !force && existsSync(path))
        throw new TlswitnessError('bad-usage', `${flag} ${path}: already exists; pass --force to overwrite it`);
    }
    let data: Buffer;
    if (args.to === 'der') {
      if (certs.length > 1)
        throw new TlswitnessError(
          'bad-usage',
          `DER holds one certificate and ${args.input} has ${certs.length}: use --to pem or --to p12`,
        );
      data = certs[0]!.der;
    } else if (args.to === 'pem') data = Buffer.from(certs.map((c) => derToPem(c.der)).join(''));
    // With a key: the key's own chain (node-forge builds it). Without: a trust store Java reads as trusted entries.
    else if (args.key)
      data = await toPkcs12(
        certs.map((c) => derToPem(c.der)),
        args.key,
        args.password ?? '',
      );
    else data = trustStorePkcs12(trustedEntries(certs.map((c) => c.der)), args.password ?? '', randomBytes(16));
    const keysPem = keyOut || withKey ? await pkcs12KeysPem(args.input, args.password) : '';
    if (!keysPem && (keyOut || withKey))
      throw new TlswitnessError(
        'bad-usage',
        `${keyOut ? `--key-out ${keyOut}` : '--with-key'}: ${args.input} holds no private key`,
      );
    // Key after the certificates: the order requests' cert= and curl --cert read a combined PEM in.
    if (withKey) data = Buffer.concat([data, Buffer.from(keysPem)]);
    await writeNew('-o', args.output, data, args.key || withKey ? 0o600 : 0o644, force);
    if (keyOut) await writeNew('--key-out', keyOut, keysPem, 0o600, force);

    const keys = pkcs12?.keys ?? 0;
    const theKeys = keys === 1 ? 'private key' : plural(keys, 'private key');
    const what = `${plural(certs.length, 'certificate')}${args.key ? ' and the private key' : withKey ? ` and the ${theKeys}` : ''}`;
    // A PKCS#12 usually travels with its key: say where it went, or that it stayed behind.
    const howTo =
      args.to === 'p12'
        ? 'take it out with --to pem --key-out KEY.pem, then pass --key KEY.pem'
        : '--key-out KEY.pem or --with-key writes it';
    const key = keyOut
      ? ` and its ${theKeys} to ${keyOut}`
      : keys && !args.key && !withKey
        ? `; the ${theKeys} in ${args.input} was not written (${howTo})`
        : '';
    process.stdout.write(`Wrote ${what} as ${args.to.toUpperCase()} to ${args.output}${key}\n`);
  },
};
