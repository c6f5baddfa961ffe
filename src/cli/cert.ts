// `tlswitness cert FILE`: decode a PEM, DER or PKCS#12 certificate file or bundle.
import type { Argv } from 'yargs';
import { TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { SCHEMA_VERSION } from '../schema-version.js';
import { analyseBundle } from '../trust/bundle-analysis.js';
import { describeCertificate } from '../trust/certificate.js';
import { readCertificates } from './certificate-file.js';
import { safeJson, safeLines } from '../report/terminal-safe.js';

export { readCertificates } from './certificate-file.js';

const DAY = 86_400_000;

const builder = (yargs: Argv<object>) =>
  yargs
    .positional('file', { type: 'string', demandOption: true })
    .option('password', { type: 'string', describe: 'PKCS#12 password' })
    .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' });

export const certCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'cert <file>',
  describe: 'decode a PEM, DER or PKCS#12 certificate file or bundle, and check it as a chain',
  builder,
  handler: async (args) => {
    const { format, certs, pkcs12 } = await readCertificates(args.file, args.password);
    if (!certs.length) throw new TlswitnessError('not-certificates', `${args.file}: holds no certificate`);
    const now = new Date();
    const chain = analyseBundle(certs, now);
    const certificates = certs.map(describeCertificate);
    if (args.json)
      process.stdout.write(
        `${safeJson({ schemaVersion: SCHEMA_VERSION, file: args.file, format, ...(pkcs12 ? { pkcs12 } : {}), certificates, chain }, 2)}\n`,
      );
    else {
      const lines = [`${args.file}: ${format.toUpperCase()}, ${certs.length} certificate(s)`];
      if (pkcs12) {
        // The key is counted, never shown: `cert` describes certificates.
        lines.push(
          `PKCS#12: MAC ${pkcs12.mac ?? 'none'}; ${pkcs12.keys} private key(s), not shown`,
          ...pkcs12.schemes.map((s) => `  ${s}`),
        );
      }
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
      lines.push(
        certs.length > 1
          ? `Chain: ${chain.inOrder ? 'in order' : 'OUT OF ORDER'}, ${chain.complete ? 'complete to a root' : 'no root in the file'}`
          : '',
      );
      for (const problem of chain.problems) lines.push(`Problem: ${problem}`);
      process.stdout.write(`${safeLines(lines.filter((l, i) => l || i < lines.length - 1))}\n`);
    }
    const broken = chain.problems.length > 0;
    process.exitCode = broken ? 1 : 0;
  },
};
