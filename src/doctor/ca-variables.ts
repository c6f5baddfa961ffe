// The CA bundle variables (the known ones, and app-specific ones recognised by their shape) and those
// a .env file sets: set, readable, holding certificates, none expired, and what an empty or broken
// value does to the clients that read it; pure.
import { isAbsolute } from 'node:path';
import {
  contents,
  countText,
  expiredAside,
  expiredThatMatter,
  isReadable,
  summarizeExpired,
  unusableReason,
} from './bundle-contents.js';
import { finding, type CheckName, type Finding, type Severity } from './findings.js';
import { expandHome } from './home.js';
import type { DoctorSnapshot, PathFacts } from './snapshot.js';
import { count } from '../plural.js';

export interface CaVariable {
  name: string;
  readBy: string;
  accepts: 'file' | 'directory' | 'either';
  /** `all`: the bundle is the client's whole trust; `file`: it replaces the CA file, a CA directory may still add roots; `none`: it adds. */
  replaces: 'all' | 'file' | 'none';
  /** A value that names nothing usable: clients that fail closed refuse everything (broken). */
  unusable: { severity: Severity; effect: string };
}

export const CA_VARIABLES: CaVariable[] = [
  {
    name: 'REQUESTS_CA_BUNDLE',
    readBy: 'Python requests',
    accepts: 'either',
    replaces: 'all',
    unusable: {
      severity: 'broken',
      effect: 'every HTTPS request from requests fails ("Could not find a suitable TLS CA certificate bundle")',
    },
  },
  {
    name: 'CURL_CA_BUNDLE',
    readBy: 'curl and Python requests',
    accepts: 'file',
    replaces: 'all',
    unusable: {
      severity: 'broken',
      effect: 'curl fails every HTTPS transfer (exit 77), and so does requests when REQUESTS_CA_BUNDLE is unset',
    },
  },
  {
    name: 'SSL_CERT_FILE',
    readBy: "OpenSSL-based clients (Python's ssl module, Ruby, the curl tool) and Go",
    accepts: 'file',
    replaces: 'file',
    unusable: {
      severity: 'broken',
      effect:
        'the curl tool fails every HTTPS transfer (exit 77); OpenSSL-based clients load no CA file and verify only through a CA directory, if one holds hashed certificates',
    },
  },
  {
    name: 'SSL_CERT_DIR',
    readBy: 'OpenSSL-based clients and Go',
    accepts: 'directory',
    replaces: 'none',
    // The CA file (SSL_CERT_FILE or the built-in one) still works without the directory.
    unusable: {
      severity: 'warning',
      effect: 'nothing is found there; only the CA file (SSL_CERT_FILE or the built-in one) is used',
    },
  },
  {
    name: 'NODE_EXTRA_CA_CERTS',
    readBy: 'Node',
    accepts: 'file',
    replaces: 'none',
    // Node prints "Warning: Ignoring extra certs from ..." and carries on with its bundled roots.
    unusable: {
      severity: 'warning',
      effect: 'Node warns "Ignoring extra certs", starts without these CAs, and hosts behind them fail',
    },
  },
  {
    name: 'GIT_SSL_CAINFO',
    readBy: 'git',
    accepts: 'file',
    replaces: 'file',
    unusable: { severity: 'broken', effect: 'every https fetch fails ("error setting certificate verify locations")' },
  },
  {
    // pip's --cert as a variable: a file or a directory, passed to requests as `verify`.
    name: 'PIP_CERT',
    readBy: 'pip',
    accepts: 'either',
    replaces: 'all',
    unusable: {
      severity: 'broken',
      effect:
        'pip fails every download from an HTTPS index ("Could not find a suitable TLS CA certificate bundle, invalid path")',
    },
  },
  {
    name: 'AWS_CA_BUNDLE',
    readBy: 'the AWS CLI and boto3',
    accepts: 'either',
    replaces: 'all',
    unusable: { severity: 'broken', effect: 'every AWS API call fails' },
  },
];

// App-specific variables follow a few naming habits (SLY_EXTRA_CA_CERTS, PIP_CERT_FILE, ..._CA_BUNDLE).
const SHAPE = /^[A-Z][A-Z0-9_]*?_(EXTRA_CA_CERTS|CA_BUNDLE|CA_CERTS|CA_FILE|CERT_FILE)$/;

/** A known CA variable, or one whose name has a CA variable's shape; null for anything else. */
export function caVariable(name: string): CaVariable | null {
  const known = CA_VARIABLES.find((v) => v.name === name);
  if (known) return known;
  const shape = SHAPE.exec(name)?.[1];
  if (!shape) return null;
  // A client's or a server's own certificate (GF_SERVER_CERT_FILE, *_CLIENT_CERT_FILE, TLS_CERT_FILE) is no CA bundle.
  if (shape === 'CERT_FILE' && /(^|_)(CLIENT|SERVER|TLS)_CERT_FILE$/.test(name)) return null;
  // Node's NODE_EXTRA_CA_CERTS set the pattern: an *_EXTRA_CA_CERTS file adds to the app's roots;
  // the others are, like AWS_CA_BUNDLE, most often the app's whole trust.
  const adds = shape === 'EXTRA_CA_CERTS';
  return {
    name,
    readBy: `the app that reads ${name}`,
    accepts: shape === 'CA_BUNDLE' || shape === 'CA_CERTS' ? 'either' : 'file',
    replaces: adds ? 'none' : 'all',
    unusable: adds
      ? {
          severity: 'warning',
          effect: 'the app starts without these CAs (or refuses to start), and hosts behind them fail',
        }
      : { severity: 'broken', effect: 'the app that reads it most likely fails every HTTPS connection' },
  };
}

/** The environment's CA variables: the known ones in their order, then app-specific ones by name. */
export function caVariableNames(env: Record<string, string | undefined>): string[] {
  const known = CA_VARIABLES.map((v) => v.name).filter((name) => env[name] !== undefined);
  const shaped = Object.keys(env)
    .filter((name) => env[name] !== undefined && !known.includes(name) && caVariable(name))
    .sort();
  return [...known, ...shaped];
}

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
  const { subject, check } = origin;
  const reason = unusableReason(facts, v.accepts);
  if (reason || !isReadable(facts)) {
    // A quoted "~/corp.pem" reaches the variable as is: no shell expands it later.
    const tilde = value.startsWith('~') ? ' (a quoted ~ is never expanded: write $HOME)' : '';
    return [
      finding(
        check,
        v.unusable.severity,
        subject,
        `${reason}${tilde}: ${v.unusable.effect}`,
        `${origin.remove(v.name)}, or point it at a readable PEM bundle (${BUNDLE_HINT})`,
      ),
    ];
  }
  const c = contents(facts, now);
  const out: Finding[] = [];
  if (!isAbsolute(value)) {
    out.push(
      finding(
        check,
        'warning',
        subject,
        'a relative path: each app resolves it from the directory it starts in, so it works only from some',
        origin.absolute(v.name, value),
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
  const expired = expiredThatMatter(c, corporateSubjects);
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
  if (!out.length)
    out.push(finding(check, 'ok', subject, `${countText(c)}${expiredAside(c, expired)}, read by ${v.readBy}`));
  return out;
}

/** SSL_CERT_DIR is a list (":" separated, ";" on Windows), as OpenSSL and Go read it; pip expands `~` in PIP_CERT itself. */
export function caVariablePaths(name: string, value: string, platform: NodeJS.Platform, home?: string): string[] {
  if (name === 'PIP_CERT') return [expandHome(value, home)];
  if (name !== 'SSL_CERT_DIR') return [value];
  return value.split(platform === 'win32' ? ';' : ':').filter(Boolean);
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
