// The application trust stores `ca install` also changes: NSS databases (Firefox, Chromium on
// Linux) and Java's cacerts. Uninstall finds every tlswitness alias there by name, confirmed by
// the certificate's subject, and removes each.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isLabelAlias, keytoolAliases, nssNicknames, tlswitnessCa, type FoundCa } from './installed-cas.js';
import { commandLine } from '../shell-quote.js';
import {
  caLabel,
  firstLine,
  listFound,
  type InstallContext,
  type StoreResult,
  type TrustChange,
} from './store-change.js';

/** NSS databases (Firefox profiles, Chromium's ~/.pki/nssdb on Linux), as mkcert finds them. */
function nssDatabases(home: string): string[] {
  const found: string[] = [];
  const pki = join(home, '.pki', 'nssdb');
  if (existsSync(join(pki, 'cert9.db'))) found.push(pki);
  for (const base of [
    join(home, '.mozilla', 'firefox'),
    join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
  ]) {
    if (!existsSync(base)) continue;
    for (const profile of readdirSync(base))
      if (existsSync(join(base, profile, 'cert9.db'))) found.push(join(base, profile));
  }
  return found;
}

/** The tlswitness CAs in one NSS database, each confirmed by exporting it. */
async function nssFound(db: string, context: InstallContext): Promise<FoundCa[]> {
  const listing = (await context.run('certutil', ['-L', '-d', `sql:${db}`], context.runAs)).stdout;
  const found: FoundCa[] = [];
  for (const nickname of nssNicknames(listing).filter(isLabelAlias)) {
    const pem = (await context.run('certutil', ['-L', '-d', `sql:${db}`, '-n', nickname, '-a'], context.runAs)).stdout;
    const ca = tlswitnessCa(nickname, Buffer.from(pem));
    if (ca) found.push(ca);
  }
  return found;
}

export async function nss(change: TrustChange, context: InstallContext): Promise<StoreResult> {
  const store = 'NSS (Firefox, Chromium)';
  const databases = nssDatabases(context.home);
  if (!databases.length) return { store, status: 'skipped', detail: 'no NSS database found' };
  if (!context.which('certutil'))
    return {
      store,
      status: 'manual',
      detail: `certutil not found: install libnss3-tools (Debian) or nss-tools, then run tlswitness ca ${change.action} again`,
    };
  const done: string[] = [];
  const failed: string[] = [];
  for (const db of databases) {
    try {
      if (change.action === 'install') {
        await context.run(
          'certutil',
          ['-A', '-d', `sql:${db}`, '-t', 'C,,', '-n', caLabel(change.ca), '-i', change.ca.paths.cert],
          context.runAs,
        );
        done.push(db);
        continue;
      }
      const found = await nssFound(db, context);
      for (const entry of found)
        await context.run('certutil', ['-D', '-d', `sql:${db}`, '-n', entry.id], context.runAs);
      if (found.length) done.push(`${db}${listFound(found)}`);
    } catch (error) {
      // A profile in use: the others still count.
      failed.push(`${db} (${firstLine(error)})`);
    }
  }
  if (failed.length)
    return {
      store,
      status: 'failed',
      detail: `certutil failed for ${failed.join(', ')}${done.length ? `; done: ${done.join(', ')}` : ''}`,
    };
  if (!done.length) return { store, status: 'skipped', detail: `no tlswitness CA in ${databases.join(', ')}` };
  return { store, status: 'done', detail: done.join(', ') };
}

async function keytool(context: InstallContext, args: string[]): Promise<{ ok: boolean; stdout: string; why: string }> {
  try {
    return { ok: true, stdout: (await context.run('keytool', args)).stdout, why: '' };
  } catch (error) {
    return {
      ok: false,
      stdout: '',
      why:
        String((error as { stdout?: string }).stdout || (error as Error).message)
          .trim()
          .split('\n')
          .pop() ?? '',
    };
  }
}

// The JDK's default cacerts password (changeit); -cacerts is the JDK 9+ spelling of its path.
const CACERTS = ['-cacerts', '-storepass', 'changeit'];

export async function java(change: TrustChange, context: InstallContext): Promise<StoreResult> {
  const store = 'Java cacerts';
  if (!context.which('keytool')) return { store, status: 'skipped', detail: 'no keytool on PATH' };
  if (change.action === 'install') {
    const { ca } = change;
    const label = caLabel(ca);
    const args = ['-importcert', '-noprompt', ...CACERTS, '-alias', label, '-file', ca.paths.cert];
    const result = await keytool(context, args);
    if (result.ok || /already exists/i.test(result.why)) return { store, status: 'done', detail: `alias ${label}` };
    return { store, status: 'manual', detail: `run: ${commandLine(['sudo', 'keytool', ...args])} (${result.why})` };
  }
  // Debian's ca-certificates-java hook copies the system anchor in as debian:<file> on install, and
  // does not take it out again on removal (seen on Debian 12): those aliases are found here too.
  const listing = await keytool(context, ['-list', ...CACERTS]);
  if (!listing.ok) return { store, status: 'failed', detail: `keytool -list failed (${listing.why})` };
  const found: FoundCa[] = [];
  for (const alias of keytoolAliases(listing.stdout).filter(isLabelAlias)) {
    const exported = await keytool(context, ['-exportcert', '-rfc', ...CACERTS, '-alias', alias]);
    const entry = exported.ok ? tlswitnessCa(alias, Buffer.from(exported.stdout)) : null;
    if (entry) found.push(entry);
  }
  if (!found.length) return { store, status: 'skipped', detail: 'no tlswitness CA there' };
  const removed: FoundCa[] = [];
  for (const entry of found) {
    const result = await keytool(context, ['-delete', ...CACERTS, '-alias', entry.id]);
    if (result.ok) removed.push(entry);
    else {
      const left = found.filter((f) => !removed.includes(f));
      return {
        store,
        status: 'manual',
        detail: `run: ${left.map((f) => commandLine(['sudo', 'keytool', '-delete', ...CACERTS, '-alias', f.id])).join(' && ')} (${result.why})${listFound(left)}`,
      };
    }
  }
  return { store, status: 'done', detail: `removed ${removed.length}${listFound(removed)}` };
}
