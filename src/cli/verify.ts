// `tlswitness verify CHAIN`: the offline twin of `inspect` — a chain file (leaf first, then the
// intermediates as a server would send them) judged like `openssl verify`, with inspect's trust,
// verification, diagnosis and chain analysis.
import { isIP } from 'node:net';
import type { Argv } from 'yargs';
import { TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { isHostName } from '../net/target.js';
import { verifyOffline } from '../diagnose/offline-verdict.js';
import { renderVerify } from '../report/verify-text.js';
import { SCHEMA_VERSION } from '../schema-version.js';
import type { TrustContext } from '../diagnose/chain-judgement.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { readCertificateFile } from '../trust/stores.js';
import { TrustStore } from '../trust/trust-store.js';
import { readCertificates } from './cert.js';
import { loadTrust } from './connect-options.js';
import { EXIT_OK, EXIT_PROBLEM } from './exit-codes.js';
import { safeJson } from '../report/terminal-safe.js';

// ISO 8601 as people write it: a date, optionally a time, optionally a zone (no zone = local time, as Date reads it).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

const flags = (yargs: Argv<object>) =>
  yargs
    .positional('chain', {
      type: 'string',
      demandOption: true,
      describe: 'PEM bundle, DER or PKCS#12: the leaf first, then the intermediates in the order the server sends them',
    })
    .option('host', { type: 'string', describe: 'DNS name the leaf must be valid for' })
    .option('ip', { type: 'string', describe: 'IP address the leaf must be valid for' })
    .option('ca', {
      type: 'string',
      array: true,
      describe: 'trust only the roots in this PEM file, as openssl verify -CAfile (repeatable)',
    })
    .option('untrusted', {
      type: 'string',
      array: true,
      describe: 'more intermediates (PEM bundle), in any order, to build the path with (repeatable)',
    })
    .option('at', { type: 'string', describe: 'verify as of this ISO 8601 time (default: now)' })
    .option('max-depth', {
      type: 'number',
      describe: 'at most this many intermediates between the leaf and the root (openssl -verify_depth; default 100)',
    })
    .option('password', { type: 'string', describe: 'password of a PKCS#12 chain file' })
    .option('extra-ca', {
      type: 'string',
      array: true,
      describe: 'PEM bundle of extra trusted roots, e.g. a corporate CA (repeatable)',
    })
    .option('public-roots', { type: 'string', describe: "replace Node's bundled Mozilla roots as the public root set" })
    .option('certs-dir', {
      type: 'string',
      describe:
        "where extra/ roots and the local CA live (default: $TLSWITNESS_CERTS_DIR, the checkout's certs/, or the per-user config dir)",
    })
    .option('json', { type: 'boolean', default: false, describe: 'machine output on stdout' });

type VerifyArgs = ArgsOf<typeof flags>;

/** The flags checked before any file is read (the builder's `.check()`): conflicts and malformed values are usage errors. */
function checkedOptions(args: VerifyArgs): { name: string | null; at: Date; maxDepth: number | undefined } {
  if (args.host !== undefined && args.ip !== undefined)
    throw new TlswitnessError('bad-usage', '--host and --ip both name what to check: give one');
  if (args.host !== undefined && (!args.host || isIP(args.host.replace(/^\[|\]$/g, '')))) {
    throw new TlswitnessError(
      'bad-usage',
      args.host
        ? `--host ${args.host} is an IP address: check it with --ip ${args.host.replace(/^\[|\]$/g, '')}`
        : '--host needs a DNS name',
    );
  }
  if (args.host && !isHostName(args.host))
    throw new TlswitnessError('bad-usage', `--host "${args.host}" is not a DNS name`);
  const ip = args.ip?.replace(/^\[|\]$/g, '');
  if (ip !== undefined && !isIP(ip))
    throw new TlswitnessError('bad-usage', `--ip "${args.ip}" is not an IP address (for a DNS name use --host)`);
  if (args.ca?.length && (args['extra-ca']?.length || args['public-roots'])) {
    throw new TlswitnessError(
      'bad-usage',
      '--ca trusts only the files given: drop --extra-ca / --public-roots, or drop --ca to use the usual stores',
    );
  }
  let at = new Date();
  if (args.at !== undefined) {
    at = new Date(args.at);
    if (!ISO_8601.test(args.at.trim()) || Number.isNaN(at.getTime()))
      throw new TlswitnessError(
        'bad-usage',
        `--at "${args.at}" is not an ISO 8601 time (e.g. 2027-01-31 or 2027-01-31T12:00:00Z)`,
      );
  }
  const maxDepth = args['max-depth'];
  if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 0))
    throw new TlswitnessError('bad-usage', '--max-depth takes a whole number of intermediates, 0 or more');
  return { name: args.host ?? ip ?? null, at, maxDepth };
}

/** Every certificate of the file, fully decoded: a file that does not parse is unreadable input, not a verdict. */
async function readChain(
  file: string,
  password: string | undefined,
): Promise<{ format: string; certs: ParsedCertificate[] }> {
  const { format, certs } = await readCertificates(file, password).catch((error: unknown) => {
    if (error instanceof TlswitnessError) throw error;
    throw new TlswitnessError(
      'not-certificates',
      `${file}: a certificate in it does not parse (${(error as Error).message}); check that the file is not truncated or edited`,
    );
  });
  if (!certs.length)
    throw new TlswitnessError(
      'not-certificates',
      `${file}: holds no certificate (expected the leaf first, then its intermediates)`,
    );
  certs.forEach((cert, i) => {
    try {
      void cert.details;
    } catch (error) {
      throw new TlswitnessError(
        'not-certificates',
        `${file}: certificate ${i} does not parse (${(error as Error).message}); check that the file is not truncated or edited`,
      );
    }
  });
  return { format, certs };
}

async function readFlagCertificates(files: string[], flag: string): Promise<ParsedCertificate[]> {
  const out: ParsedCertificate[] = [];
  for (const file of files) {
    for (const der of await readCertificateFile(file, flag)) {
      try {
        const cert = new ParsedCertificate(der);
        void cert.details;
        out.push(cert);
      } catch (error) {
        throw new TlswitnessError(
          'not-certificates',
          `${flag} ${file}: a certificate in it does not parse (${(error as Error).message})`,
        );
      }
    }
  }
  return out;
}

/** --ca: these anchors only (as openssl verify -CAfile), shown as the extra store; otherwise the usual three. */
async function trustFor(args: VerifyArgs): Promise<TrustContext> {
  if (args.ca?.length) {
    const anchors = await readFlagCertificates(args.ca, '--ca');
    return { public: null, system: null, extra: TrustStore.fromCertificates('extra', anchors) };
  }
  return loadTrust(args);
}

const builder = (yargs: Argv<object>) =>
  flags(yargs)
    .check((args) => {
      checkedOptions(args);
      return true;
    })
    .example(
      '$0 verify fullchain.pem --host www.example.com',
      'will this chain work once deployed for www.example.com?',
    )
    .example(
      '$0 verify chain.pem --ca corp-root.pem --host intranet.corp',
      'trust only the company root, as openssl verify -CAfile',
    )
    .example('$0 verify leaf.pem --untrusted intermediates.pem', 'build the path with intermediates from another file')
    .example('$0 verify fullchain.pem --at 2027-06-01', 'will it still verify on that day?')
    .example('$0 verify server.p12 --password secret --json', 'a PKCS#12 file, machine output');

export const verifyCommand: Command<object, VerifyArgs> = {
  command: 'verify <chain>',
  describe:
    'offline: verify a chain file (leaf first) like openssl verify, with the trust, verification and diagnosis of inspect',
  builder,
  handler: async (args) => {
    const { name, at, maxDepth } = checkedOptions(args);
    const [{ format, certs }, trust, untrusted] = await Promise.all([
      readChain(args.chain, args.password),
      trustFor(args),
      readFlagCertificates(args.untrusted ?? [], '--untrusted'),
    ]);
    const verdict = verifyOffline(
      certs.map((c) => c.der),
      trust,
      at,
      name,
      { ...(maxDepth !== undefined ? { maxDepth } : {}), untrusted },
    );
    process.stdout.write(
      args.json
        ? `${safeJson({ schemaVersion: SCHEMA_VERSION, ok: verdict.ok, verification: verdict.verification, trust: verdict.trust, diagnosis: verdict.diagnosis, chain: verdict.chain, chainAnalysis: verdict.chainAnalysis, warnings: verdict.warnings, weakCrypto: verdict.weakCrypto }, 2)}\n`
        : renderVerify(verdict, { file: args.chain, format, name, at, caOnly: !!args.ca?.length }),
    );
    process.exitCode = verdict.ok ? EXIT_OK : EXIT_PROBLEM;
  },
};
