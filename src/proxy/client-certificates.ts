// --upstream-client-cert HOSTPATTERN=CERT,KEY: client certificates the proxy presents upstream for
// matching hosts, so an app that cannot do mTLS can reach an mTLS API through it.
import { readFileSync } from 'node:fs';
import { TlswitnessError } from '../errors.js';
import type { ClientCredentials } from '../tls/probe.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { pemCertificates } from '../trust/pem.js';
import { matchesPassthrough, parsePassthrough, type PassthroughPattern } from './policy.js';
import type { HostPort } from '../types.js';

export interface UpstreamClientCertificate {
  pattern: PassthroughPattern;
  credentials: ClientCredentials;
}

function readPem(path: string, spec: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlswitnessError(
      'unreadable-file',
      `--upstream-client-cert ${spec}: ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

export function parseUpstreamClientCert(spec: string): UpstreamClientCertificate {
  const match = /^([^=]+)=([^,]+),(.+)$/.exec(spec.trim());
  const pattern = match ? parsePassthrough(match[1]!) : null;
  if (!match || !pattern)
    throw new TlswitnessError('bad-usage', `--upstream-client-cert "${spec}": expected HOSTPATTERN=CERT.pem,KEY.pem`);
  const cert = readPem(match[2]!, spec);
  const key = readPem(match[3]!, spec);
  const der = pemCertificates(cert.toString('latin1'))[0];
  if (!der)
    throw new TlswitnessError(
      'not-certificates',
      `--upstream-client-cert ${spec}: ${match[2]} holds no PEM certificate`,
    );
  if (!/PRIVATE KEY-----/.test(key.toString('latin1')))
    throw new TlswitnessError(
      'not-certificates',
      `--upstream-client-cert ${spec}: ${match[3]} holds no PEM private key`,
    );
  return { pattern, credentials: { cert, key, subject: new ParsedCertificate(der).subject } };
}

export function clientCertificateFor(entries: UpstreamClientCertificate[], target: HostPort): ClientCredentials | null {
  return entries.find((entry) => matchesPassthrough([entry.pattern], target))?.credentials ?? null;
}
