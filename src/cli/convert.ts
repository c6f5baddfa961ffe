// `tlswitness convert IN --to pem|der|p12 -o OUT`: certificate formats, done carefully.
import { readFile, writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { ToolError } from '../errors.js';
import { derToPem } from '../trust/pem.js';
import { readCertificates } from './cert.js';

interface ConvertArgs {
  input: string;
  to: 'pem' | 'der' | 'p12';
  output: string;
  key?: string;
  password?: string;
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
      throw new ToolError('unreadable-file', `--key ${keyPath}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    try {
      key = forge.pki.privateKeyFromPem(pem);
    } catch {
      throw new ToolError('not-certificates', `--key ${keyPath}: not a PEM RSA private key (node-forge builds PKCS#12 with RSA keys; for EC keys use openssl pkcs12 -export)`);
    }
  }
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certsPem.map((pem) => forge.pki.certificateFromPem(pem)), password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export const convertCommand: CommandModule<object, ConvertArgs> = {
  command: 'convert <input>',
  describe: 'convert a certificate file between PEM, DER and PKCS#12',
  builder: (yargs) =>
    (yargs as Argv<object>)
      .positional('input', { type: 'string', demandOption: true })
      .option('to', { choices: ['pem', 'der', 'p12'] as const, demandOption: true, describe: 'output format' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'file to write' })
      .option('key', { type: 'string', describe: 'private key (PEM) to put into a PKCS#12' })
      .option('password', { type: 'string', describe: 'PKCS#12 password (input or output)' }) as unknown as Argv<ConvertArgs>,
  handler: async (args) => {
    const { certs } = await readCertificates(args.input, args.password);
    if (!certs.length) throw new ToolError('not-certificates', `${args.input}: holds no certificate`);
    if (args.key && args.to !== 'p12') throw new ToolError('bad-usage', '--key only goes into a PKCS#12 (--to p12)');
    let data: Buffer;
    if (args.to === 'der') {
      if (certs.length > 1) throw new ToolError('bad-usage', `DER holds one certificate and ${args.input} has ${certs.length}: use --to pem or --to p12`);
      data = certs[0]!.der;
    } else if (args.to === 'pem') data = Buffer.from(certs.map((c) => derToPem(c.der)).join(''));
    else data = await toPkcs12(certs.map((c) => derToPem(c.der)), args.key, args.password ?? '');
    try {
      await writeFile(args.output, data, { mode: args.key ? 0o600 : 0o644 });
    } catch (error) {
      throw new ToolError('unreadable-file', `-o ${args.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  },
};
