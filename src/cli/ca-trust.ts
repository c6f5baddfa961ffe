// `tlswitness ca install|uninstall`: says which CA (subject, SHA-256, file, whose), then one line per
// store. Under sudo it acts for the invoking user (SUDO_USER): their CA, their Firefox profiles.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CaArgs } from './ca.js';
import type { Command } from './command-module.js';
import { findCertsDir } from '../ca/certs-dir.js';
import { invokingUser, type Account } from '../ca/invoking-user.js';
import { ensureLocalCa, loadLocalCa, type LocalCa } from '../ca/local-ca.js';
import { TlswitnessError } from '../errors.js';
import { safeLines } from '../report/terminal-safe.js';
import type { StoreResult } from '../ca/store-change.js';

function readPasswd(): string | null {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
}

/** The account root acts for under sudo, or null when it acts for itself. */
function sudoAccount(explicitDir: string | undefined): Account | null {
  const user = invokingUser(
    process.env,
    typeof process.getuid === 'function' ? process.getuid() : null,
    process.env.SUDO_USER ? readPasswd() : null,
  );
  if (user.kind === 'sudo') return user.account;
  if (user.kind === 'unknown-sudo-user' && !explicitDir)
    throw new TlswitnessError(
      'bad-usage',
      `run through sudo by ${user.name}, who is not in /etc/passwd: pass --certs-dir DIR (that user's certs dir)`,
    );
  return null;
}

function certsDirFor(explicitDir: string | undefined, account: Account | null): string {
  return resolve(findCertsDir(explicitDir, process.env, process.platform, account ?? undefined));
}

/** The CA to install: made on first use, except under sudo, where root makes none in another user's folder (that key would be root's). */
async function caToInstall(explicitDir: string | undefined, account: Account | null): Promise<LocalCa> {
  const dir = certsDirFor(explicitDir, account);
  if (account) {
    const ca = await loadLocalCa(dir);
    if (!ca)
      throw new TlswitnessError(
        'bad-usage',
        `no local CA in ${dir} yet: run tlswitness ca init as ${account.name} (without sudo), then sudo tlswitness ca install`,
      );
    return ca;
  }
  const ca = await ensureLocalCa(dir);
  if (ca.created)
    process.stderr.write(`Note: created a new local CA in ${ca.paths.dir} (its key is mode 0600 and stays there)\n`);
  return ca;
}

function caLine(ca: LocalCa, account: Account | null): string {
  const cn =
    ca.cert.x509.subject
      .split('\n')
      .find((l) => l.startsWith('CN='))
      ?.slice(3) ?? ca.cert.x509.subject;
  return `${cn} (SHA-256 ${ca.cert.x509.fingerprint256}), ${ca.paths.cert}${account ? ` (${account.name}'s, through sudo)` : ''}`;
}

export function trustCommand(action: 'install' | 'uninstall'): Command<CaArgs, CaArgs> {
  return {
    command: action,
    describe:
      action === 'install'
        ? 'add the CA to the OS trust store (and NSS, Java where present)'
        : 'remove every tlswitness CA (this one and any older one) from the OS store, NSS and Java',
    builder: (yargs) => yargs,
    handler: async (args) => {
      const account = sudoAccount(args['certs-dir']);
      const { changeTrust, defaultInstallContext } = await import('../ca/trust-install.js');
      let results;
      if (action === 'install') {
        const ca = await caToInstall(args['certs-dir'], account);
        process.stdout.write(`Installing ${caLine(ca, account)}\n`);
        results = await changeTrust({ action, ca }, defaultInstallContext(account));
      } else {
        // Uninstall needs no CA of its own: it removes every tlswitness CA it finds.
        const ca = await loadLocalCa(certsDirFor(args['certs-dir'], account));
        process.stdout.write(
          `Removing every tlswitness CA from the stores${ca ? ` (this certs dir's: ${caLine(ca, account)})` : ''}\n`,
        );
        results = await changeTrust({ action }, defaultInstallContext(account));
      }
      for (const r of results) process.stdout.write(`${resultLine(r)}\n`);
      if (action === 'install') process.stdout.write('The proxy still never trusts this CA upstream.\n');
      if (results.some((r) => r.status === 'failed' || r.status === 'manual')) process.exitCode = 1;
    },
  };
}

const MARK = { done: '✔', skipped: '-', manual: '!', failed: '✘' } as const;

/**
 * One store's outcome; its detail quotes tools' messages and certificate names, so each of its lines
 * (one per CA found) is made terminal-safe.
 */
export function resultLine(r: StoreResult): string {
  return `${MARK[r.status]} ${r.store}: ${safeLines(r.detail.split('\n'))}`;
}
