// Python's certifi against Node's bundled Mozilla roots (roots it lacks, roots distrusted since), and
// python.org's macOS builds that ship without a CA file (Install Certificates.command); pure.
import { UPGRADE_CERTIFI } from '../diagnose/certifi-lag.js';
import { compareRootSets, versionDate, type RootEntry, type RootSetComparison } from '../trust/root-set-comparison.js';
import { finding, type Finding } from './findings.js';
import type { DoctorSnapshot } from './snapshot.js';
import { count } from '../plural.js';

const SHOWN = 3;

function names(entries: RootEntry[]): string {
  const shown = entries
    .slice(0, SHOWN)
    .map((e) => e.subject.split(',')[0])
    .join('; ');
  return entries.length > SHOWN ? `${shown}; and ${entries.length - SHOWN} more` : shown;
}

/** certifi's bundle compared with Node's roots: upgrade it when it is the older of the two. */
export function checkCertifi(snapshot: DoctorSnapshot): Finding[] {
  const certifi = snapshot.certifi;
  if (!certifi || !snapshot.nodeRoots?.length) return [];
  const subject = certifi.version
    ? `certifi ${certifi.version} (${certifi.path})`
    : `certifi (${certifi.path}, ${certifi.from})`;
  if ('error' in certifi)
    return [
      finding(
        'certifi',
        'warning',
        subject,
        `its bundle cannot be read (${certifi.error}): requests and httpx fail every HTTPS request unless told to use another bundle`,
        UPGRADE_CERTIFI.replace('--upgrade', '--force-reinstall'),
      ),
    ];
  // Corporate CAs added to certifi's file by hand are no sign of its age, and an upgrade drops them.
  const corporate = new Set(snapshot.corporate.map((c) => c.cert.sha256));
  const result = compareRootSets(certifi.ders, snapshot.nodeRoots, versionDate(certifi.version), corporate);
  const handAdded = result.added.filter((a) => corporate.has(a.sha256));
  const added = result.added.filter((a) => !corporate.has(a.sha256));
  const node = `Node ${snapshot.nodeVersion}'s ${result.referenceSize} bundled roots`;
  const out = [ageFinding(result, added, subject, node, handAdded.length > 0)];
  if (handAdded.length) {
    out.push(
      finding(
        'certifi',
        'warning',
        subject,
        `holds ${handAdded.map((a) => a.subject).join('; ')}, added to certifi's file by hand: the next certifi upgrade (pip install, a new virtualenv) drops it and requests fails behind it again`,
        'tlswitness bundle -o ~/ca-bundle.pem --extra-ca corp.pem, then export REQUESTS_CA_BUNDLE=~/ca-bundle.pem',
      ),
    );
  }
  return out;
}

/** How certifi's age compares with Node's roots, and what to do; `handAdded`: an upgrade would drop a corporate CA. */
function ageFinding(
  result: RootSetComparison,
  added: RootEntry[],
  subject: string,
  node: string,
  handAdded: boolean,
): Finding {
  const keep = handAdded
    ? `; it replaces the bundle file, so first give requests the CA added to it by hand another way: tlswitness bundle -o ~/ca-bundle.pem --extra-ca corp.pem, then export REQUESTS_CA_BUNDLE=~/ca-bundle.pem`
    : '';
  switch (result.age) {
    case 'same':
      return finding('certifi', 'ok', subject, `holds the same roots as ${node}`);
    case 'older': {
      const since = added.length
        ? `, and still holds ${count(added.length, 'root')} removed from them since (distrusted): ${names(added)}`
        : '';
      return finding(
        'certifi',
        'warning',
        subject,
        `older than ${node}: lacks ${count(result.missing.length, 'root')} (${names(result.missing)})${since}; requests and httpx refuse sites that chain to the missing ones`,
        `${UPGRADE_CERTIFI}${keep}`,
      );
    }
    case 'newer': {
      const removed = result.missing.length
        ? `; ${count(result.missing.length, 'root')} Node still trusts ${result.missing.length === 1 ? 'was' : 'were'} removed from it (distrusted since): ${names(result.missing)}`
        : '';
      return finding(
        'certifi',
        'info',
        subject,
        `newer than ${node}: holds ${count(added.length, 'root')} they lack (${names(added)})${removed}`,
      );
    }
    case 'unclear':
      return finding(
        'certifi',
        'info',
        subject,
        `differs from ${node}: lacks ${count(result.missing.length, 'root')} (${names(result.missing)}) and holds ${count(added.length, 'other')} (${names(added)})`,
        `if requests refuses a site the others accept: ${UPGRADE_CERTIFI}`,
      );
  }
}

/**
 * python.org's macOS installer ships a Python whose OpenSSL reads a CA file that does not exist until
 * "Install Certificates.command" (in /Applications/Python 3.x/) links certifi's bundle there; until
 * then ssl.create_default_context() trusts nothing (docs.python.org/3/using/mac.html).
 */
export function checkMacInstallCertificates(snapshot: DoctorSnapshot): Finding[] {
  if (snapshot.platform !== 'darwin' || snapshot.python.state !== 'found') return [];
  const facts = snapshot.python.facts;
  const framework = /\/Library\/Frameworks\/Python\.framework\/Versions\/(\d+\.\d+)\//.exec(
    `${facts.opensslCafile ?? ''} ${facts.executable}/`,
  );
  // SSL_CERT_FILE / SSL_CERT_DIR stand in for the missing file (and are checked as CA variables).
  if (!framework || facts.sslCafile || facts.sslCapath || snapshot.env.SSL_CERT_FILE || snapshot.env.SSL_CERT_DIR)
    return [];
  const version = framework[1]!;
  return [
    finding(
      'certifi',
      'broken',
      `python3 ${facts.version} (${facts.executable})`,
      `python.org's Python ${version} for macOS has no CA file yet (${facts.opensslCafile ?? 'its OpenSSL CA file'} does not exist): urllib and everything using ssl.create_default_context() fail with CERTIFICATE_VERIFY_FAILED`,
      `open "/Applications/Python ${version}/Install Certificates.command"   (it installs certifi and links its bundle there)`,
    ),
  ];
}
