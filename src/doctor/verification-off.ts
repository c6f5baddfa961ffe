// Settings that switch certificate verification off, each read the way its client reads it; pure.
import { finding, type Finding } from './findings.js';
import type { DoctorSnapshot } from './snapshot.js';
import { redactText } from '../redact/url.js';

const TRUST_INSTEAD = 'trust the CA instead (tlswitness doctor --extra-ca corp.pem shows where)';

/** git's boolean config: no `=` is true; "", false/no/off/0 are false (git-config(1), "Values"). */
export function gitBool(value: string | null): boolean | null {
  if (value === null) return true;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0', ''].includes(v)) return false;
  return null;
}

function nodeRejectUnauthorized(value: string | undefined): Finding[] {
  if (value === undefined) return [];
  // Node compares the string exactly: `process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0'` (lib/_tls_wrap.js).
  if (value === '0') {
    return [
      finding(
        'verification-off',
        'danger',
        'NODE_TLS_REJECT_UNAUTHORIZED=0',
        "every Node process started from here accepts any certificate, an attacker's included (Node prints this warning once, and it is easy to miss)",
        `unset NODE_TLS_REJECT_UNAUTHORIZED; to trust a corporate CA: export NODE_EXTRA_CA_CERTS=corp.pem`,
      ),
    ];
  }
  return [
    finding(
      'verification-off',
      'info',
      `NODE_TLS_REJECT_UNAUTHORIZED=${value}`,
      'changes nothing: only the exact value 0 turns verification off',
      'unset NODE_TLS_REJECT_UNAUTHORIZED',
    ),
  ];
}

function pythonHttpsVerify(value: string | undefined): Finding[] {
  // PEP 493: read by Python 2.7.12+ and by Red Hat's and SUSE's patched builds; upstream Python 3 ignores it.
  if (value !== '0') return [];
  return [
    finding(
      'verification-off',
      'danger',
      'PYTHONHTTPSVERIFY=0',
      'urllib / http.client skip certificate verification on Python 2.7 and Red Hat / SUSE builds (PEP 493); upstream Python 3 ignores it, so its only purpose is to switch verification off',
      `unset PYTHONHTTPSVERIFY; ${TRUST_INSTEAD}`,
    ),
  ];
}

function gitNoVerify(value: string | undefined): Finding[] {
  if (value === undefined) return [];
  // git tests only that the variable exists (http.c: `if (getenv("GIT_SSL_NO_VERIFY"))`): "0" and "false" switch it off too.
  const surprising = /^(0|false|no|off|)$/i.test(value.trim())
    ? ` (even set to "${value}": git only checks that it exists)`
    : '';
  return [
    finding(
      'verification-off',
      'danger',
      `GIT_SSL_NO_VERIFY=${value}`,
      `git accepts any certificate on every https remote${surprising}`,
      `unset GIT_SSL_NO_VERIFY; point git at the CA: git config --global http.sslCAInfo ~/ca-bundle.pem`,
    ),
  ];
}

function gitConfig(snapshot: DoctorSnapshot): Finding[] {
  if (snapshot.git.state !== 'found') return [];
  const out: Finding[] = [];
  for (const { key, value } of snapshot.git.facts.http) {
    // http.sslverify, or http.<url>.sslverify for one remote (the subsection keeps its case).
    const match = /^http\.(?:(.+)\.)?sslverify$/i.exec(key);
    if (!match || gitBool(value) !== false) continue;
    // A URL subsection may carry user:token@: never shown.
    const shown = redactText(key);
    const scope = match[1] ? `for ${redactText(match[1])}` : 'on every https remote';
    const unset = `git config --global --unset ${shown}   (or --local / --system: git config --show-origin --get-regexp sslverify says where)`;
    out.push(
      finding(
        'verification-off',
        'danger',
        `git ${shown}=${value ?? ''}`,
        `git accepts any certificate ${scope}`,
        unset,
      ),
    );
  }
  return out;
}

function curlrc(snapshot: DoctorSnapshot): Finding[] {
  if (!snapshot.curlrc?.insecure) return [];
  return [
    finding(
      'verification-off',
      'danger',
      snapshot.curlrc.path,
      'says insecure (-k): every curl command accepts any certificate',
      `remove the insecure line from ${snapshot.curlrc.path}; give curl the CA with --cacert or CURL_CA_BUNDLE`,
    ),
  ];
}

function npm(env: DoctorSnapshot['env']): Finding[] {
  // npm reads npm_config_* variables whatever their case; its booleans are the string "false".
  const entry = Object.entries(env).find(
    ([name, value]) => /^npm_config_strict[-_]ssl$/i.test(name) && value?.trim().toLowerCase() === 'false',
  );
  if (!entry) return [];
  return [
    finding(
      'verification-off',
      'danger',
      `${entry[0]}=false`,
      'npm accepts any certificate from the registry',
      `unset ${entry[0]}; give npm the CA: npm config set cafile ~/ca-bundle.pem (or NODE_EXTRA_CA_CERTS)`,
    ),
  ];
}

function pipTrustedHost(value: string | undefined): Finding[] {
  if (!value?.trim()) return [];
  return [
    finding(
      'verification-off',
      'warning',
      `PIP_TRUSTED_HOST=${value}`,
      'pip skips certificate verification for these hosts',
      `unset PIP_TRUSTED_HOST; give pip the CA: pip config set global.cert ~/ca-bundle.pem`,
    ),
  ];
}

export function checkVerificationOff(snapshot: DoctorSnapshot): Finding[] {
  const env = snapshot.env;
  return [
    ...nodeRejectUnauthorized(env.NODE_TLS_REJECT_UNAUTHORIZED),
    ...pythonHttpsVerify(env.PYTHONHTTPSVERIFY),
    ...gitNoVerify(env.GIT_SSL_NO_VERIFY),
    ...gitConfig(snapshot),
    ...curlrc(snapshot),
    ...npm(env),
    ...pipTrustedHost(env.PIP_TRUSTED_HOST),
  ];
}
