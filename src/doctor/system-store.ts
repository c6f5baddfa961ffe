// The OS trust store: present and non-empty (slim images ship without ca-certificates); pure.
import { contents, countText, expiredAside, expiredThatMatter, summarizeExpired } from './bundle-contents.js';
import { finding, type Finding } from './findings.js';
import type { DoctorSnapshot } from './snapshot.js';

function installHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'check the System keychain in Keychain Access';
  if (platform === 'win32') return 'check the Trusted Root Certification Authorities store (certlm.msc)';
  return 'install the ca-certificates package (apk add ca-certificates / apt-get install ca-certificates / dnf install ca-certificates), then run update-ca-certificates';
}

export function checkSystemStore(snapshot: DoctorSnapshot, now: Date): Finding[] {
  const store = snapshot.systemStore;
  if (!store || store.certificates.length === 0) {
    // With SSL_CERT_FILE naming a good bundle, OpenSSL-based clients and Go still verify; git and curl
    // built with a fixed CA path, Java and the OS's own tools do not.
    const file = snapshot.env.SSL_CERT_FILE;
    const facts = file ? snapshot.paths[file] : undefined;
    const covered = facts && 'certificates' in facts && facts.certificates.length > 0;
    const where = store
      ? `${store.source} holds no certificates`
      : 'no CA bundle or certificate directory where OpenSSL and Go look';
    return [
      finding(
        'system-store',
        covered ? 'warning' : 'broken',
        'system store',
        covered
          ? `${where}; SSL_CERT_FILE stands in for clients that read it, the others (git, curl's built-in path, Java) trust nothing`
          : `${where}: clients that use the system store refuse every certificate`,
        installHint(snapshot.platform),
      ),
    ];
  }
  const c = contents({ path: store.source, kind: 'file', certificates: store.certificates }, now);
  const expired = expiredThatMatter(
    c,
    snapshot.corporate.map((x) => x.cert.subject),
  );
  if (expired.length) {
    return [
      finding(
        'system-store',
        'warning',
        store.source,
        `${countText(c)}, ${expired.length} expired: ${summarizeExpired(expired)}`,
        'remove the expired certificates from the store and add current ones',
      ),
    ];
  }
  return [finding('system-store', 'ok', store.source, `${countText(c)}${expiredAside(c, expired)}`)];
}
