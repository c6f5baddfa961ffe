// Which entries of a trust store are tlswitness CAs, from any install ever made (not only this
// certs dir's current CA): by their name prefix, confirmed by the subject every tlswitness CA has
// (O=tlswitness local CA, CN=tlswitness CA <id>, see local-ca.ts). Parsers of each store tool's listing; pure.
import { X509Certificate } from 'node:crypto';
import { pemCertificates } from '../trust/pem.js';

/** File and alias names start so (caLabel); Debian's Java hook prefixes its copies with debian:. */
export const LABEL_PREFIX = 'tlswitness-';

export interface FoundCa {
  /** File, alias, nickname or hash the store knows it by. */
  id: string;
  subject: string;
  sha256: string;
}

function describe(id: string, cert: X509Certificate): FoundCa {
  return { id, subject: cert.subject.split('\n').reverse().join(', '), sha256: cert.fingerprint256 };
}

/** The tlswitness CA in a PEM or DER text, or null (not a certificate, or someone else's). */
export function tlswitnessCa(id: string, content: Buffer): FoundCa | null {
  const ders = pemCertificates(content.toString('latin1'));
  for (const der of ders.length ? ders : [content]) {
    try {
      const cert = new X509Certificate(der);
      const lines = cert.subject.split('\n');
      if (
        lines.includes('O=tlswitness local CA') &&
        lines.some((l) => /^CN=tlswitness CA [0-9a-f]{8}$/.test(l)) &&
        cert.ca
      )
        return describe(id, cert);
    } catch {
      // not a certificate: not ours
    }
  }
  return null;
}

/** A file name in an anchor directory that a tlswitness install wrote (tlswitness-<hex>.crt/.pem). */
export function isLabelFile(name: string): boolean {
  return name.startsWith(LABEL_PREFIX) && /\.(crt|pem)$/.test(name);
}

/** An alias or nickname a tlswitness install made (keytool lowercases aliases). */
export function isLabelAlias(alias: string): boolean {
  const lower = alias.toLowerCase();
  return lower.startsWith(LABEL_PREFIX) || lower.startsWith(`debian:${LABEL_PREFIX}`);
}

/** Aliases in `keytool -list` output: `alias, Dec 6, 2026, trustedCertEntry,`. */
export function keytoolAliases(listing: string): string[] {
  return listing.split('\n').flatMap((line) => {
    // The date between is localised (and holds commas); the entry type is not.
    const match = /^(.+?), .+, trustedCertEntry,?\s*$/.exec(line.trim());
    return match ? [match[1]!] : [];
  });
}

/** Nicknames in `certutil -L -d DB` output: a name, then trust flags such as `C,,` or `CT,C,C`. */
export function nssNicknames(listing: string): string[] {
  return listing.split('\n').flatMap((line) => {
    const match = /^(.*\S)\s+([cCTpPuw]*,[cCTpPuw]*,[cCTpPuw]*)\s*$/.exec(line);
    return match && match[1] !== 'SSL,S/MIME,JAR/XPI' ? [match[1]!] : [];
  });
}

/** tlswitness CAs in `security find-certificate -a -Z -p` output: each PEM follows its `SHA-1 hash:` line. */
export function macKeychainCas(listing: string): FoundCa[] {
  const found: FoundCa[] = [];
  for (const part of listing.split(/^SHA-1 hash: /m).slice(1)) {
    const sha1 = /^([0-9A-Fa-f]{40})/.exec(part)?.[1];
    const ca = sha1 ? tlswitnessCa(sha1.toUpperCase(), Buffer.from(part)) : null;
    if (ca) found.push(ca);
  }
  return found;
}

/** tlswitness CAs in `certutil -store ROOT` output (Windows): blocks with `Subject:` and `Cert Hash(sha1):`. */
export function windowsStoreCas(listing: string): Array<{ id: string; subject: string }> {
  const found: Array<{ id: string; subject: string }> = [];
  for (const block of listing.split(/^=+ Certificate \d+ =+\s*$/m).slice(1)) {
    const subject = /^Subject: (.*)$/m.exec(block)?.[1]?.trim() ?? '';
    const sha1 = /^Cert Hash\(sha1\): ?([0-9a-fA-F ]+)$/m.exec(block)?.[1]?.replace(/ /g, '');
    if (sha1 && /(^|, )O=tlswitness local CA(,|$)/.test(subject) && /CN=tlswitness CA [0-9a-f]{8}/.test(subject))
      found.push({ id: sha1.toLowerCase(), subject });
  }
  return found;
}
