// Whether this shell's proxy variables lead to tlswitness's own proxy (the lines `ca env` prints):
// apps here go through it, and tlswitness's own inspect / detect / evidence would measure it instead of
// the network. Recognised by the CA variables that name a tlswitness CA next to a proxy; pure.
import { matchCatalogue } from '../diagnose/interception-catalogue.js';
import { envProxyFor } from '../net/env-proxy.js';
import { redactProxyUrl } from '../redact/url.js';
import { finding, type Finding } from './findings.js';
import type { DoctorSnapshot } from './snapshot.js';

const CA_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO', 'NODE_EXTRA_CA_CERTS'];

/** The CA variable naming a tlswitness CA: this certs dir's CA file or bundle, or a file holding any tlswitness CA. */
function tlswitnessCaVariable(snapshot: DoctorSnapshot): string | null {
  const caDir = snapshot.localCa.certPath.replace(/[\\/]certs[\\/]ca\.pem$/, '');
  for (const name of CA_VARIABLES) {
    const value = snapshot.env[name];
    if (!value) continue;
    if (value === snapshot.localCa.certPath || value.startsWith(`${caDir}/`) || value.startsWith(`${caDir}\\`))
      return name;
    const facts = snapshot.paths[value];
    const certificates = facts && 'certificates' in facts ? facts.certificates : [];
    if (
      certificates.some(
        (cert) =>
          matchCatalogue(cert.subject)?.product === 'tlswitness' ||
          (snapshot.localCa.cert && cert.spkiSha256 === snapshot.localCa.cert.spkiSha256),
      )
    )
      return name;
  }
  return null;
}

export function checkOwnProxy(snapshot: DoctorSnapshot): Finding[] {
  // Any public name stands for "an https:// host": NO_PROXY lists from `ca env` only exempt loopback.
  const proxy = envProxyFor('example.com', snapshot.env);
  if (!proxy) return [];
  const variable = tlswitnessCaVariable(snapshot);
  if (!variable) return [];
  return [
    finding(
      'proxy-variable',
      'warning',
      'HTTPS_PROXY',
      `${redactProxyUrl(proxy)} is tlswitness's own proxy (set by \`ca env\`: ${variable} names its CA): apps started here go through it, and tlswitness inspect, detect and evidence run here would measure the proxy, not the network`,
      'run those with --no-env-proxy, or in a shell without `ca env`',
    ),
  ];
}
