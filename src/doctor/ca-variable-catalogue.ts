// The CA bundle variables tlswitness knows (who reads each, what it accepts, what a broken value
// does), app-specific ones recognised by the shape of their name, and the paths a value names.
import { expandHome } from './home.js';
import type { Severity } from './findings.js';

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

/** SSL_CERT_DIR is a list (":" separated, ";" on Windows), as OpenSSL and Go read it; pip expands `~` in PIP_CERT itself. */
export function caVariablePaths(name: string, value: string, platform: NodeJS.Platform, home?: string): string[] {
  if (name === 'PIP_CERT') return [expandHome(value, home)];
  if (name !== 'SSL_CERT_DIR') return [value];
  return value.split(platform === 'win32' ? ';' : ':').filter(Boolean);
}
