// `tlswitness ca init|path|show|export|env|install|uninstall`: the local CA the proxy signs with, the
// shell lines that make apps use it, and its place in the trust stores (install/uninstall: ca-trust.ts).
// The key never leaves the certs dir: no subcommand prints or exports it.
import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { findCertsDir } from '../ca/certs-dir.js';
import { ensureLocalCa, type LocalCa } from '../ca/local-ca.js';
import { SHELLS } from '../ca/ca-env.js';
import type { ArgsOf, Command } from './command-module.js';
import { trustCommand } from './ca-trust.js';
import { fileProblem, TlswitnessError } from '../errors.js';
import { describeCertificate } from '../trust/certificate.js';
import { trustStorePkcs12, trustedEntries } from '../trust/pkcs12-truststore.js';
import { safeJson, safeLines } from '../report/terminal-safe.js';

/** The flag every subcommand shares, declared by `ca`. */
const caOptions = (yargs: Argv<object>) =>
  yargs.option('certs-dir', {
    type: 'string',
    describe: "where the CA lives (default: $TLSWITNESS_CERTS_DIR, the checkout's certs/, or the per-user config dir)",
  });

export type CaArgs = ArgsOf<typeof caOptions>;

/** A subcommand that adds no flag of its own. */
const noFlags = (yargs: Argv<CaArgs>) => yargs;

const DAY = 86_400_000;

function describe(ca: LocalCa, keyMode: number) {
  const entry = describeCertificate(ca.cert);
  const { pem: _pem, ...rest } = entry;
  return {
    certificate: ca.paths.cert,
    keyFile: ca.paths.key,
    keyMode: `0${keyMode.toString(8)}`,
    created: ca.created,
    ...rest,
  };
}

async function load(args: CaArgs): Promise<LocalCa> {
  // Absolute, so the paths `ca env` and `ca path` print work from any directory.
  const ca = await ensureLocalCa(resolve(findCertsDir(args['certs-dir'])));
  if (ca.created)
    process.stderr.write(`Note: created a new local CA in ${ca.paths.dir} (its key is mode 0600 and stays there)\n`);
  return ca;
}

const init: Command<CaArgs, CaArgs> = {
  command: 'init',
  describe: 'create the local CA (once per certs dir)',
  builder: noFlags,
  handler: async (args) => {
    const ca = await load(args);
    if (!ca.created) process.stdout.write(`The local CA already exists: ${ca.paths.cert}\n`);
    else
      process.stdout.write(
        `${ca.paths.cert}\nTrust it for one app with: tlswitness ca env, or system-wide with: tlswitness ca install\n`,
      );
  },
};

const path: Command<CaArgs, CaArgs> = {
  command: 'path',
  describe: "print the CA certificate's path",
  builder: noFlags,
  handler: async (args) => {
    process.stdout.write(`${(await load(args)).paths.cert}\n`);
  },
};

const showOptions = (yargs: Argv<CaArgs>) => yargs.option('json', { type: 'boolean', default: false });

const show: Command<CaArgs, ArgsOf<typeof showOptions>> = {
  command: 'show',
  describe: 'describe the local CA (never its key)',
  builder: showOptions,
  handler: async (args) => {
    const ca = await load(args);
    const info = describe(ca, (await stat(ca.paths.key)).mode & 0o777);
    if (args.json) {
      process.stdout.write(`${safeJson(info, 2)}\n`);
      return;
    }
    const daysLeft = Math.floor((Date.parse(info.notAfter) - Date.now()) / DAY);
    process.stdout.write(
      safeLines([
        `Subject:     ${info.subject}`,
        `Valid:       ${info.notBefore.slice(0, 10)} to ${info.notAfter.slice(0, 10)} (${daysLeft} days left)`,
        `Key:         ${info.keyType} ${info.keyBits} bits, in ${info.keyFile} (mode ${info.keyMode})`,
        `SHA-256:     ${info.sha256}`,
        `SPKI SHA-256: ${info.spkiSha256}`,
        `Certificate: ${info.certificate}`,
        '',
      ]),
    );
  },
};

function p12(ca: LocalCa, password: string): Buffer {
  // A certificate-only PKCS#12 (a trust store entry): no key bag, ever; marked trusted so Java loads it.
  return trustStorePkcs12(trustedEntries([ca.cert.der]), password, randomBytes(16));
}

const exportOptions = (yargs: Argv<CaArgs>) =>
  yargs
    .option('format', { choices: ['pem', 'der', 'p12'] as const, default: 'pem' as const, describe: 'output format' })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'file to write (default: standard output, PEM only on a terminal)',
    })
    .option('password', { type: 'string', default: '', describe: 'PKCS#12 password (Java keytool wants one)' });

const exportCommand: Command<CaArgs, ArgsOf<typeof exportOptions>> = {
  command: 'export',
  describe: 'write the CA certificate (never the key) as PEM, DER or PKCS#12',
  builder: exportOptions,
  handler: async (args) => {
    const ca = await load(args);
    const format = args.format;
    const data = format === 'pem' ? Buffer.from(ca.certPem) : format === 'der' ? ca.cert.der : p12(ca, args.password);
    if (!args.output) {
      if (format !== 'pem' && process.stdout.isTTY)
        throw new TlswitnessError('bad-usage', `--format ${format} is binary: write it to a file with -o FILE`);
      process.stdout.write(data);
      return;
    }
    try {
      await writeFile(args.output, data);
    } catch (error) {
      throw new TlswitnessError('unreadable-file', `-o ${args.output}: ${fileProblem(error)}`);
    }
  },
};

const envOptions = (yargs: Argv<CaArgs>) =>
  yargs
    .option('shell', {
      choices: SHELLS,
      default: 'bash' as const,
      describe: 'syntax of the lines (zsh and sh: the same as bash; dotenv: lines for a .env file)',
    })
    .option('proxy', {
      type: 'string',
      default: 'http://127.0.0.1:8080',
      describe: 'the proxy address apps should use',
    })
    .option('unset', {
      type: 'boolean',
      default: false,
      describe: 'print the lines that undo them (once the proxy is stopped)',
    });

const env: Command<CaArgs, ArgsOf<typeof envOptions>> = {
  command: 'env',
  describe: 'shell lines that point apps at the proxy and trust its CA (and write the combined bundle they use)',
  builder: envOptions,
  handler: async (args) => {
    if (args.unset) {
      const { unsetLines } = await import('../ca/ca-env.js');
      process.stdout.write(unsetLines(args.shell));
      return;
    }
    const ca = await load(args);
    const { loadPublicStore, loadSystemStore } = await import('../trust/stores.js');
    const { envLines, writeCombinedBundle } = await import('../ca/ca-env.js');
    // The system store, or Node's bundled roots where this machine has none.
    const system = (await loadSystemStore()).store ?? (await loadPublicStore()).store;
    const bundle = await writeCombinedBundle(ca, system);
    process.stdout.write(envLines(args.shell, args.proxy, bundle, ca.paths.cert));
  },
};

/** The `ca` context as its builder made it, so that `ca` alone can show its own help. */
let caContext: Argv<CaArgs> | null = null;

export const caCommand: Command<object, CaArgs> = {
  command: 'ca',
  describe: 'the local CA the proxy signs with: init, path, show, export, env, install, uninstall',
  builder: (yargs) =>
    (caContext = caOptions(yargs)
      .command(init)
      .command(path)
      .command(show)
      .command(exportCommand)
      .command(env)
      .command(trustCommand('install'))
      .command(trustCommand('uninstall'))),
  // Reached only without a known subcommand: the list of them, as --help shows it, on stderr (stdout
  // is for a subcommand's output), then a usage error (exit 2).
  handler: () => {
    caContext?.showHelp((text) => process.stderr.write(`${text}\n\n`));
    throw new TlswitnessError('bad-usage', 'name a ca subcommand: init, path, show, export, env, install or uninstall');
  },
};
