// tlswitness's own CA: there or not, its expiry, its key's permissions. doctor never creates it; pure.
import { day } from './bundle-contents.js';
import { finding, type Finding } from './findings.js';
import type { LocalCaFacts } from './snapshot.js';

const DAY = 86_400_000;
// A month's notice: time to make a new CA and re-trust it everywhere before apps start failing.
const SOON_DAYS = 30;

export function checkLocalCa(ca: LocalCaFacts, now: Date): Finding[] {
  if (ca.error)
    return [
      finding(
        'local-ca',
        'warning',
        ca.certPath,
        `cannot be used: ${ca.error}`,
        `move ${ca.certsDir}/ca away and run tlswitness ca init`,
      ),
    ];
  if (!ca.cert)
    return [
      finding('local-ca', 'info', ca.certsDir, 'no local CA yet (tlswitness ca init or the first proxy run makes one)'),
    ];
  const out: Finding[] = [];
  const left = Math.floor((Date.parse(ca.cert.notAfter) - now.getTime()) / DAY);
  const renew = `move ${ca.certsDir}/ca away, run tlswitness ca init, then trust the new CA again (tlswitness ca env / ca install)`;
  if (left < 0)
    out.push(
      finding(
        'local-ca',
        'broken',
        ca.certPath,
        `${ca.cert.subject} expired on ${day(ca.cert.notAfter)}: apps refuse every certificate the proxy makes with it`,
        renew,
      ),
    );
  else if (left <= SOON_DAYS)
    out.push(
      finding(
        'local-ca',
        'warning',
        ca.certPath,
        `${ca.cert.subject} expires on ${day(ca.cert.notAfter)} (${left} days)`,
        renew,
      ),
    );
  else
    out.push(
      finding('local-ca', 'ok', ca.certPath, `${ca.cert.subject}, expires ${day(ca.cert.notAfter)} (${left} days)`),
    );
  if (ca.keyMode === null)
    out.push(
      finding(
        'local-ca',
        'warning',
        ca.keyPath,
        'the CA key is missing: the proxy cannot sign with this CA and will make a new one',
        renew,
      ),
    );
  else if (ca.keyMode & 0o077) {
    out.push(
      finding(
        'local-ca',
        'warning',
        ca.keyPath,
        `key mode 0${ca.keyMode.toString(8)}: other users can read it and sign certificates your apps trust`,
        `chmod 600 ${ca.keyPath}`,
      ),
    );
  }
  return out;
}
