// One finding per client: the bundle it uses, whether that bundle works, and whether the corporate CAs
// (and the local CA) are in it, matched by certificate, else by name and key; pure.
import { contents, expiredThatMatter, summarizeExpired, unusableReason } from './bundle-contents.js';
import type { ClientTrust } from './client-trust.js';
import { finding, type Finding, type Severity } from './findings.js';
import type { CertFact, DoctorSnapshot } from './snapshot.js';
import { count } from '../plural.js';

/** exact: the same certificate; same-key: same name and key (a re-issued CA, verifies the same); other-key: same name, another key. */
export type Membership = 'exact' | 'same-key' | 'other-key' | 'absent';

const sameName = (a: CertFact, b: CertFact) => a.subject.toLowerCase() === b.subject.toLowerCase();

export function membership(wanted: CertFact, trusted: CertFact[]): Membership {
  if (trusted.some((c) => c.sha256 === wanted.sha256)) return 'exact';
  const named = trusted.filter((c) => sameName(c, wanted));
  if (named.some((c) => c.spkiSha256 === wanted.spkiSha256)) return 'same-key';
  return named.length ? 'other-key' : 'absent';
}

interface Trusted {
  certs: CertFact[];
  /** "<path> (<from>)" per usable source. */
  described: string[];
  /** Unusable sources: why, and whether this finding is where the cause is reported. */
  unusable: Array<{ text: string; reportedElsewhere: boolean }>;
}

function trustedBy(client: ClientTrust, snapshot: DoctorSnapshot): Trusted {
  const certs: CertFact[] = [];
  const described: string[] = [];
  const unusable: Trusted['unusable'] = [];
  for (const source of client.sources) {
    const facts = snapshot.paths[source.path];
    const reason = unusableReason(facts, source.accepts);
    if (reason || !facts || !('certificates' in facts)) {
      unusable.push({ text: `${source.path} (${source.from}) ${reason}`, reportedElsewhere: source.envVar !== null });
      continue;
    }
    // OpenSSL finds a directory's certificates only through <subject hash>.N names.
    const reachable =
      facts.kind === 'directory' && facts.hashed
        ? facts.certificates.filter((c) => facts.hashed!.includes(c.sha256))
        : facts.certificates;
    certs.push(...reachable);
    described.push(`${source.path} (${source.from}, ${count(reachable.length, 'certificate')})`);
  }
  if (client.systemStore) {
    if (snapshot.systemStore?.certificates.length) {
      certs.push(...snapshot.systemStore.certificates);
      described.push(
        client.client === 'system store'
          ? snapshot.systemStore.source
          : `the system store (${snapshot.systemStore.source}${client.confidence === 'low' ? ', assumed' : ''})`,
      );
    } else unusable.push({ text: 'the system store, which is missing', reportedElsewhere: true });
  }
  if (client.bundledRoots) described.unshift('its bundled Mozilla roots');
  return { certs, described, unusable };
}

function addCorporateAction(client: ClientTrust, files: string[], snapshot: DoctorSnapshot): string {
  const extra = files.map((f) => `--extra-ca ${f}`).join(' ');
  const bundle = `tlswitness bundle -o ~/ca-bundle.pem ${extra}`;
  switch (client.client) {
    case 'Python requests':
    case 'Python certifi':
      return `${bundle} && export REQUESTS_CA_BUNDLE=~/ca-bundle.pem`;
    case 'Python ssl':
      return `${bundle} && export SSL_CERT_FILE=~/ca-bundle.pem`;
    case 'Node':
      // Node reads one file here, added to its own roots: the corporate CAs alone are enough.
      return snapshot.env.NODE_EXTRA_CA_CERTS?.trim()
        ? `NODE_EXTRA_CA_CERTS takes one file: cat "$NODE_EXTRA_CA_CERTS" ${files.join(' ')} > ~/node-extra-ca.pem && export NODE_EXTRA_CA_CERTS=~/node-extra-ca.pem`
        : `export NODE_EXTRA_CA_CERTS=${files.length === 1 ? files[0] : '~/corporate-cas.pem (all of them in one file)'}`;
    case 'curl':
      return snapshot.curlrc?.cacert
        ? `point cacert in ${snapshot.curlrc.path} at a combined bundle: ${bundle}`
        : `${bundle} && export CURL_CA_BUNDLE=~/ca-bundle.pem`;
    case 'git':
      return snapshot.env.GIT_SSL_CAINFO?.trim()
        ? `${bundle} && export GIT_SSL_CAINFO=~/ca-bundle.pem`
        : `${bundle} && git config --global http.sslCAInfo ~/ca-bundle.pem`;
    case 'system store':
      if (snapshot.platform === 'darwin')
        return `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${files[0]}`;
      if (snapshot.platform === 'win32') return `certutil -addstore -f Root ${files[0]}   (as administrator)`;
      return `sudo cp ${files[0]} /usr/local/share/ca-certificates/corporate.crt && sudo update-ca-certificates   (RHEL: /etc/pki/ca-trust/source/anchors/ and update-ca-trust)`;
  }
}

function clientFinding(client: ClientTrust, snapshot: DoctorSnapshot, now: Date): Finding {
  const trusted = trustedBy(client, snapshot);
  const verb = client.client === 'system store' ? 'is' : 'uses';
  const uses = trusted.described.length ? `${verb} ${trusted.described.join(' + ')}` : 'has no usable CA bundle';
  const broken = bundleProblem(client, trusted, uses);
  if (broken) return broken;
  const { parts, missing } = corporateMembership(client, trusted, snapshot);
  const notes = [client.note].filter(Boolean);
  if (snapshot.localCa.cert) {
    const how = membership(snapshot.localCa.cert, trusted.certs);
    notes.push(
      how === 'absent' || how === 'other-key'
        ? 'does not trust the tlswitness local CA (needed only to go through the proxy: tlswitness ca env)'
        : 'trusts the tlswitness local CA',
    );
  }
  const tail = [...parts, ...notes].join('; ');
  const message = `${uses}${tail ? `; ${tail}` : ''}`;
  if (missing.length) {
    const what = missing
      .map((m) =>
        m.how === 'other-key'
          ? `holds a different "${m.cert.subject}" (same name, another key: an older or re-keyed CA), so chains from ${m.file} do not verify`
          : `does not trust ${m.cert.subject} (${m.file})`,
      )
      .join('; ');
    return finding(
      'client-trust',
      'warning',
      client.client,
      `${what}; ${message}`,
      addCorporateAction(client, [...new Set(missing.map((m) => m.file))], snapshot),
    );
  }
  const expired = ownExpired(client, snapshot, now);
  if (expired.length) {
    return finding(
      'client-trust',
      'warning',
      client.client,
      `${message}; ${expired.length} expired: ${summarizeExpired(expired)}`,
      'update the package that ships this bundle',
    );
  }
  return finding('client-trust', snapshot.corporate.length ? 'ok' : 'info', client.client, message);
}

/** A client whose bundle is unusable or absent: it refuses every certificate. Null when it has one. */
function bundleProblem(client: ClientTrust, trusted: Trusted, uses: string): Finding | null {
  if (trusted.unusable.length) {
    // When the cause is a variable or the system store, it is judged there; a config key or a tool's own
    // bundle (git http.sslCAInfo, .curlrc, certifi) is judged here.
    const elsewhere = trusted.unusable.every((u) => u.reportedElsewhere);
    const severity: Severity = elsewhere ? 'warning' : 'broken';
    const message = `${uses}; ${trusted.unusable.map((u) => u.text).join('; ')}${trusted.certs.length ? '' : ': it refuses every certificate'}`;
    return finding(
      'client-trust',
      severity,
      client.client,
      message,
      elsewhere
        ? 'fix the setting reported above'
        : 'point it at a readable bundle: tlswitness bundle -o ~/ca-bundle.pem',
    );
  }
  if (!trusted.certs.length && !client.bundledRoots) {
    return finding(
      'client-trust',
      'warning',
      client.client,
      'finds no CA bundle at all: it refuses every certificate',
      'see the system trust store above, or give it a bundle: tlswitness bundle -o ~/ca-bundle.pem',
    );
  }
  return null;
}

/** The corporate CAs the client trusts (as phrases), and those it lacks or holds under another key. */
function corporateMembership(
  client: ClientTrust,
  trusted: Trusted,
  snapshot: DoctorSnapshot,
): { parts: string[]; missing: Array<{ file: string; cert: CertFact; how: Membership }> } {
  const parts: string[] = [];
  const missing: Array<{ file: string; cert: CertFact; how: Membership }> = [];
  for (const corp of snapshot.corporate) {
    const how = client.bundledRoots && corp.cert.publicRoot ? 'exact' : membership(corp.cert, trusted.certs);
    if (how === 'exact' || how === 'same-key')
      parts.push(
        `trusts ${corp.cert.subject}${how === 'same-key' ? ' (a re-issued certificate with the same key)' : ''}`,
      );
    else missing.push({ ...corp, how });
  }
  return { parts, missing };
}

/** Expired certificates in the client's own bundles; those in a variable's file are reported under that variable. */
function ownExpired(client: ClientTrust, snapshot: DoctorSnapshot, now: Date): CertFact[] {
  const own = client.sources
    .filter((s) => s.envVar === null)
    .flatMap((s) => {
      const facts = snapshot.paths[s.path];
      return facts && 'certificates' in facts ? facts.certificates : [];
    });
  return expiredThatMatter(
    contents({ path: '', kind: 'file', certificates: own }, now),
    snapshot.corporate.map((c) => c.cert.subject),
  );
}

export function checkClients(clients: ClientTrust[], snapshot: DoctorSnapshot, now: Date): Finding[] {
  // The system store is listed only when there is a corporate CA to look for; its health is checked on its own.
  return clients
    .filter((c) => c.client !== 'system store' || snapshot.corporate.length > 0)
    .map((c) => clientFinding(c, snapshot, now));
}
