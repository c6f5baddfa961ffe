// `tlswitness cert FILE`: decode a PEM, DER or PKCS#12 certificate file or bundle.
import { readFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { ToolError } from '../errors.js';
import { analyseBundle } from '../trust/bundle-analysis.js';
import { describeCertificate, ParsedCertificate } from '../trust/certificate.js';
import { pemCertificates } from '../trust/pem.js';
import type { asn1 } from 'node-forge';

type Asn1 = asn1.Asn1;

interface CertArgs {
  file: string;
  password?: string;
  json: boolean;
}

const DAY = 86_400_000;

/** PKCS#12 is read with node-forge: a local file the user hands in, never network input, never to verify. */
async function pkcs12Certificates(data: Buffer, password: string, file: string): Promise<Buffer[]> {
  const { default: forge } = await import('node-forge');
  let p12;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(data.toString('binary')), password);
  } catch (error) {
    const wrongPassword = /mac|password|invalid/i.test((error as Error).message);
    throw new ToolError('not-certificates', `${file}: ${wrongPassword ? 'not readable as PKCS#12 with this password (pass --password)' : 'not a certificate file (PEM, DER or PKCS#12)'}`);
  }
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  // forge decodes only RSA certificates; for others (EC, Ed25519) it keeps the raw ASN.1 in bag.asn1.
  return bags.flatMap((bag) => {
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag as { asn1?: Asn1 }).asn1;
    return asn1 ? [Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')] : [];
  });
}

export async function readCertificates(file: string, password: string | undefined): Promise<{ format: 'pem' | 'der' | 'p12'; certs: ParsedCertificate[] }> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new ToolError('unreadable-file', `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as NodeJS.ErrnoException).code}`);
  }
  const pems = pemCertificates(data.toString('latin1'));
  if (pems.length) return { format: 'pem', certs: pems.map((der) => new ParsedCertificate(der)) };
  if (data[0] === 0x30) {
    try {
      return { format: 'der', certs: [new ParsedCertificate(data)] };
    } catch {
      return { format: 'p12', certs: (await pkcs12Certificates(data, password ?? '', file)).map((der) => new ParsedCertificate(der)) };
    }
  }
  throw new ToolError('not-certificates', `${file}: not a certificate file (expected PEM "-----BEGIN CERTIFICATE-----", DER or PKCS#12)`);
}

export const certCommand: CommandModule<object, CertArgs> = {
  command: 'cert <file>',
  describe: 'decode a PEM, DER or PKCS#12 certificate file or bundle, and check it as a chain',
  builder: (yargs) =>
    (yargs as Argv<object>)
      .positional('file', { type: 'string', demandOption: true })
      .option('password', { type: 'string', describe: 'PKCS#12 password' })
      .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' }) as unknown as Argv<CertArgs>,
  handler: async (args) => {
    const { format, certs } = await readCertificates(args.file, args.password);
    if (!certs.length) throw new ToolError('not-certificates', `${args.file}: holds no certificate`);
    const now = new Date();
    const chain = analyseBundle(certs, now);
    const certificates = certs.map(describeCertificate);
    if (args.json) process.stdout.write(`${JSON.stringify({ file: args.file, format, certificates, chain }, null, 2)}\n`);
    else {
      const lines = [`${args.file}: ${format.toUpperCase()}, ${certs.length} certificate(s)`];
      certificates.forEach((c, i) => {
        const left = Math.floor((Date.parse(c.notAfter) - now.getTime()) / DAY);
        lines.push(
          ` ${i} s: ${c.subject}`,
          `   i: ${c.issuer}`,
          `   valid: ${c.notBefore.slice(0, 10)} to ${c.notAfter.slice(0, 10)} (${left < 0 ? `EXPIRED ${-left} days ago` : `${left} days left`})`,
          ...(c.san.length ? [`   SAN: ${c.san.join(', ')}`] : []),
          `   serial: ${c.serialNumber}; key: ${c.keyType} ${c.keyBits ?? '?'} bits; ${c.isCA ? 'CA' : 'leaf'}${c.selfSigned ? ', self-signed' : ''}`,
          `   SHA-256: ${c.sha256}`,
          `   SHA-1:   ${c.sha1}`,
        );
      });
      lines.push(certs.length > 1 ? `Chain: ${chain.inOrder ? 'in order' : 'OUT OF ORDER'}, ${chain.complete ? 'complete to a root' : 'no root in the file'}` : '');
      for (const problem of chain.problems) lines.push(`Problem: ${problem}`);
      process.stdout.write(`${lines.filter((l, i) => l || i < lines.length - 1).join('\n')}\n`);
    }
    const broken = chain.problems.length > 0;
    process.exitCode = broken ? 1 : 0;
  },
};
