// `tlswitness bundle -o FILE`: the guides' `cat corp.crt ca-certificates.crt > bundle.crt`, done
// right: de-duplicated, expired certificates reported, CAs that strict clients refuse flagged.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { fileProblem, TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { derToPem } from '../trust/pem.js';
import { loadPublicStore, loadSystemStore, readCertificateFile } from '../trust/stores.js';
import { count } from '../plural.js';
import { oneLine, safeJson } from '../report/terminal-safe.js';

/** Python 3.13's VERIFY_X509_STRICT refuses these CA certificates even when they are trusted. */
function strictProblems(cert: ParsedCertificate): string[] {
  const d = cert.details;
  const out: string[] = [];
  if (d.basicConstraints.present && !d.basicConstraints.critical) out.push('basic constraints not critical');
  if (d.keyUsage === null) out.push('no key usage');
  if (d.subjectKeyId === null) out.push('no subject key identifier');
  if (!d.selfSigned && d.authorityKeyId === null) out.push('no authority key identifier');
  return out;
}

const builder = (yargs: Argv<object>) =>
  yargs
    .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'bundle file to write' })
    .option('extra-ca', { type: 'string', array: true, describe: 'corporate CA PEM files to add (repeatable)' })
    .option('from', {
      choices: ['system', 'public'] as const,
      default: 'system' as const,
      describe: "base: this machine's store, or Node's bundled Mozilla roots",
    })
    .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' });

export const bundleCommand: Command<object, ArgsOf<typeof builder>> = {
  command: 'bundle',
  describe: 'write a combined CA bundle: system (or public) roots plus corporate CAs',
  builder,
  handler: async (args) => {
    // The user's files first: a bad one is the only line printed, before any note about the base.
    const extras: ParsedCertificate[] = [];
    for (const file of args['extra-ca'] ?? [])
      extras.push(...(await readCertificateFile(file, '--extra-ca')).map((der) => new ParsedCertificate(der)));
    let base = args.from === 'system' ? (await loadSystemStore()).store : null;
    if (args.from === 'system' && !base)
      process.stderr.write("Note: no system CA store on this machine: using Node's bundled Mozilla roots\n");
    base ??= (await loadPublicStore()).store;
    const seen = new Set<string>();
    const pems: string[] = [];
    let duplicates = 0;
    const now = new Date();
    const expired: string[] = [];
    const strict: Array<{ subject: string; problems: string[] }> = [];
    for (const [cert, isExtra] of [
      ...(base?.all() ?? []).map((c) => [c, false] as const),
      ...extras.map((c) => [c, true] as const),
    ]) {
      const key = cert.der.toString('base64');
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      pems.push(derToPem(cert.der));
      if (now > cert.notAfter)
        expired.push(
          `${cert.subject}${isExtra ? ' (from --extra-ca)' : ''}, expired ${cert.notAfter.toISOString().slice(0, 10)}`,
        );
      if (isExtra) {
        const problems = strictProblems(cert);
        if (problems.length) strict.push({ subject: cert.subject, problems });
      }
    }
    try {
      await writeFile(args.output, pems.join(''));
    } catch (error) {
      throw new TlswitnessError('unreadable-file', `-o ${args.output}: ${fileProblem(error)}`);
    }
    // Absolute: a relative path makes curl fail with (77) as soon as it runs from another directory.
    const file = resolve(args.output);
    const env = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'].map(
      (name) => `export ${name}='${file.replace(/'/g, `'\\''`)}'`,
    );
    if (args.json) {
      process.stdout.write(
        `${safeJson({ file, certificates: pems.length, duplicatesRemoved: duplicates, expired, strictClientProblems: strict, env }, 2)}\n`,
      );
    } else {
      process.stdout.write(
        `Wrote ${count(pems.length, 'certificate')} to ${file} (${count(duplicates, 'duplicate')} left out).\nUse it with:\n${env.join('\n')}\n`,
      );
      for (const line of expired) process.stderr.write(`Warning: expired: ${oneLine(line)}\n`);
      for (const s of strict)
        process.stderr.write(
          `Warning: ${oneLine(s.subject)}: ${s.problems.join(', ')}: Python >= 3.13 (VERIFY_X509_STRICT) refuses it even from this bundle\n`,
        );
    }
    // An expired corporate CA is a broken input; expired roots of the base store are only reported.
    process.exitCode = expired.some((line) => line.includes('(from --extra-ca)')) ? 1 : 0;
  },
};
