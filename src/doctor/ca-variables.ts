// The CA bundle variables set in the environment, and those a .env file sets: set, readable, holding
// certificates, none expired, and what an empty or broken value does to the clients that read it; pure.
import { isAbsolute } from 'node:path';
import {
  contents,
  countText,
  type Contents,
  type UsableBundle,
  expiredAside,
  expiredThatMatter,
  isReadable,
  summarizeExpired,
  unusableReason,
} from './bundle-contents.js';
import { caVariable, caVariableNames, caVariablePaths, type CaVariable } from './ca-variable-catalogue.js';
import { finding, type CheckName, type Finding } from './findings.js';
import type { CertFact, DoctorSnapshot, PathFacts } from './snapshot.js';
import { count } from '../plural.js';

const BUNDLE_HINT = 'build one with: tlswitness bundle -o ~/ca-bundle.pem --extra-ca corp.pem';

/**
 * An empty value is not "unset" everywhere. requests reads `REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE or
 * default` since 2.28.0 (psf/requests PR #6074); before that the chain ended at CURL_CA_BUNDLE, so
 * CURL_CA_BUNDLE="" made `verify` an empty string and requests skipped verification (psf/requests
 * #6071, a hack still quoted on Stack Overflow). An empty REQUESTS_CA_BUNDLE never did that: it falls
 * through. curl ignores empty variables (curl_getenv), Node ignores an empty NODE_EXTRA_CA_CERTS, Go an
 * empty SSL_CERT_FILE; OpenSSL tries to load a file named "" and loads nothing.
 */
function emptyValue(name: string, snapshot: DoctorSnapshot): Finding {
  const env = snapshot.env;
  if (name === 'CURL_CA_BUNDLE') {
    if (env.REQUESTS_CA_BUNDLE)
      return finding(
        'ca-variable',
        'info',
        name,
        'set but empty: curl ignores it, and requests uses REQUESTS_CA_BUNDLE first',
        'unset CURL_CA_BUNDLE',
      );
    const requests = snapshot.python.state === 'found' ? snapshot.python.facts.requests : null;
    const here = requests
      ? ` (requests ${requests.version} here ignores it; a virtualenv with an older one does not)`
      : '';
    return finding(
      'ca-variable',
      'danger',
      name,
      `set but empty: Python requests before 2.28.0 then skips certificate verification altogether (psf/requests#6071)${here}`,
      'unset CURL_CA_BUNDLE; to trust a corporate CA, point REQUESTS_CA_BUNDLE at a combined bundle: tlswitness bundle -o ~/ca-bundle.pem --extra-ca corp.pem',
    );
  }
  if (name === 'REQUESTS_CA_BUNDLE') {
    return finding(
      'ca-variable',
      'warning',
      name,
      'set but empty: requests treats it as unset (then CURL_CA_BUNDLE, then its own bundle), so whatever it was meant to add is not trusted',
      `unset REQUESTS_CA_BUNDLE, or point it at a bundle (${BUNDLE_HINT})`,
    );
  }
  if (name === 'NODE_EXTRA_CA_CERTS')
    return finding('ca-variable', 'info', name, 'set but empty: Node ignores it', 'unset NODE_EXTRA_CA_CERTS');
  return finding(
    'ca-variable',
    'warning',
    name,
    `set but empty: ${name === 'SSL_CERT_FILE' ? 'OpenSSL then loads no CA file, Go treats it as unset' : 'clients disagree on what that means'}`,
    `unset ${name}, or point it at a bundle`,
  );
}

/** Where a value was set: the environment, or a .env file's line (its fixes are edits to that file). */
export interface Origin {
  check: CheckName;
  subject: string;
  /** The line that sets it to an absolute path, in the origin's syntax. */
  absolute: (name: string, value: string) => string;
  /** How to take the setting away. */
  remove: (name: string) => string;
}

const ENVIRONMENT = (name: string, value: string): Origin => ({
  check: 'ca-variable',
  subject: `${name}=${value}`,
  absolute: () => `use an absolute path: export ${name}="$PWD/${value}"`,
  remove: () => `unset ${name}`,
});

export function checkPath(
  v: CaVariable,
  value: string,
  facts: PathFacts | undefined,
  corporateSubjects: string[],
  now: Date,
  origin: Origin = ENVIRONMENT(v.name, value),
): Finding[] {
  const reason = unusableReason(facts, v.accepts);
  if (reason || !isReadable(facts)) return [unusableFinding(v, value, reason, origin)];
  const c = contents(facts, now);
  const expired = expiredThatMatter(c, corporateSubjects);
  const out = [...placementWarnings(v.name, value, facts, c, origin), ...contentWarnings(v, value, c, expired, origin)];
  if (!out.length)
    out.push(
      finding(origin.check, 'ok', origin.subject, `${countText(c)}${expiredAside(c, expired)}, read by ${v.readBy}`),
    );
  return out;
}

/** A value that names nothing usable: what that does to the clients that read it. */
function unusableFinding(v: CaVariable, value: string, reason: string | null, origin: Origin): Finding {
  const { subject, check } = origin;
  // A quoted "~/corp.pem" reaches the variable as is: no shell expands it later.
  const tilde = value.startsWith('~') ? ' (a quoted ~ is never expanded: write $HOME)' : '';
  return finding(
    check,
    v.unusable.severity,
    subject,
    `${reason}${tilde}: ${v.unusable.effect}`,
    `${origin.remove(v.name)}, or point it at a readable PEM bundle (${BUNDLE_HINT})`,
  );
}

/** Where the bundle is: a relative path, or a directory OpenSSL cannot look certificates up in. */
function placementWarnings(name: string, value: string, facts: UsableBundle, c: Contents, origin: Origin): Finding[] {
  const { subject, check } = origin;
  const out: Finding[] = [];
  if (!isAbsolute(value)) {
    out.push(
      finding(
        check,
        'warning',
        subject,
        'a relative path: each app resolves it from the directory it starts in, so it works only from some',
        origin.absolute(name, value),
      ),
    );
  }
  if (facts.kind === 'directory' && facts.hashed && facts.hashed.length === 0) {
    // OpenSSL's by_dir lookup opens <subject hash>.0, .1, ...: other file names are never read.
    out.push(
      finding(
        check,
        'warning',
        subject,
        `${countText(c)} but no <hash>.0 links: OpenSSL looks certificates up by subject hash and finds none of them (Go reads them all)`,
        `openssl rehash ${value}   (or c_rehash)`,
      ),
    );
  }
  return out;
}

/** What the bundle holds: expired or not yet valid CAs, and no public root where it replaces the client's roots. */
function contentWarnings(v: CaVariable, value: string, c: Contents, expired: CertFact[], origin: Origin): Finding[] {
  const { subject, check } = origin;
  const out: Finding[] = [];
  if (expired.length) {
    out.push(
      finding(
        check,
        'warning',
        subject,
        `${expired.length} of ${count(c.total, 'certificate')} expired: ${summarizeExpired(expired)}; hosts that chain only to them fail`,
        `replace the expired CA(s) with current ones (${BUNDLE_HINT})`,
      ),
    );
  }
  if (c.notYetValid.length) {
    out.push(
      finding(
        check,
        'warning',
        subject,
        `${c.notYetValid.length} certificate(s) not valid yet (check the clock): ${c.notYetValid.map((x) => x.subject).join('; ')}`,
        'check the system clock, or replace the certificate',
      ),
    );
  }
  if (c.publicRoots === 0 && v.replaces !== 'none') {
    const scope =
      v.replaces === 'all'
        ? `it replaces ${v.readBy}'s roots, so public sites fail`
        : 'public sites verify only if a CA directory (SSL_CERT_DIR or the built-in one) still holds public roots';
    out.push(
      finding(
        check,
        'warning',
        subject,
        `${countText(c)}, no public root: ${scope}`,
        `use a combined bundle instead: tlswitness bundle -o ~/ca-bundle.pem --extra-ca ${value}`,
      ),
    );
  }
  return out;
}

export function checkCaVariables(snapshot: DoctorSnapshot, now: Date): Finding[] {
  const out: Finding[] = [];
  const corporate = snapshot.corporate.map((c) => c.cert.subject);
  for (const name of caVariableNames(snapshot.env)) {
    const v = caVariable(name)!;
    const value = snapshot.env[v.name];
    if (value === undefined) continue;
    if (value.trim() === '') {
      out.push(emptyValue(v.name, snapshot));
      continue;
    }
    for (const path of caVariablePaths(v.name, value, snapshot.platform, snapshot.env.HOME ?? snapshot.env.USERPROFILE))
      out.push(...checkPath(v, path, snapshot.paths[path], corporate, now));
  }
  return out;
}
