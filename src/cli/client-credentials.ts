// The client certificate the connecting commands present (--client-cert, --client-key, --password):
// PEM or PKCS#12, read and checked against its key before any connection, so a bad file is a usage error.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileProblem, TlswitnessError } from '../errors.js';
import type { ClientCredentials } from '../tls/probe.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { pemCertificates } from '../trust/pem.js';
import { looksLikePkcs12 } from '../trust/pkcs12.js';
import { openPkcs12 } from './certificate-file.js';

function readFlagFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlswitnessError('unreadable-file', `${flag} ${path}: ${fileProblem(error)}`);
  }
}

/**
 * A PKCS#12 --client-cert, opened here rather than by Node's `pfx` option: Node's OpenSSL 3 refuses the
 * RC2 that `openssl pkcs12 -legacy` still writes ("Unsupported PKCS12 PFX data"), and a wrong password
 * is then a usage error before any connection. The leaf is the certificate that matches the key.
 */
function pkcs12Credentials(data: Buffer, password: string | undefined, certPath: string): ClientCredentials {
  const label = `--client-cert ${certPath}`;
  const p12 = openPkcs12(data, password, label, { keys: true });
  const keyDer = p12.keys[0];
  if (!keyDer)
    throw new TlswitnessError(
      'bad-usage',
      `${label}: this PKCS#12 file holds no private key: export it with its key, or pass a PEM certificate and --client-key`,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new TlswitnessError(
      'not-certificates',
      `${label}: its private key is not readable (${(error as Error).message})`,
    );
  }
  const certs = p12.certificates.map((der) => new X509Certificate(der));
  const leaf = certs.findIndex((cert) => cert.checkPrivateKey(key));
  if (leaf < 0)
    throw new TlswitnessError('bad-usage', `${label}: no certificate in this PKCS#12 file matches its private key`);
  const chain = [certs[leaf]!, ...certs.filter((_, i) => i !== leaf)];
  return {
    cert: chain.map((cert) => cert.toString()).join(''),
    key: key.export({ type: 'pkcs8', format: 'pem' }),
    subject: new ParsedCertificate(certs[leaf]!.raw).subject,
  };
}

/** The flags that name a client certificate. */
export interface ClientCertArgs {
  'client-cert'?: string | undefined;
  'client-key'?: string | undefined;
  password?: string | undefined;
}

/** The --client-cert / --client-key / --password files, read and checked before any connection; null without --client-cert. */
export function clientCredentials(args: ClientCertArgs): ClientCredentials | null {
  const certPath = args['client-cert'];
  if (!certPath) return null;
  const data = readFlagFile(certPath, '--client-cert');
  if (/\.(p12|pfx)$/i.test(extname(certPath)) || looksLikePkcs12(data))
    return pkcs12Credentials(data, args.password, certPath);
  if (!args['client-key'] && !/PRIVATE KEY-----/.test(data.toString('latin1'))) {
    throw new TlswitnessError('bad-usage', `--client-cert ${certPath} holds no private key: add --client-key KEY.pem`);
  }
  const key = args['client-key'] ? readFlagFile(args['client-key'], '--client-key') : data;
  // Checked here, so a bad file is a usage error before any connection rather than a failed handshake.
  const der = pemCertificates(data.toString('latin1'))[0];
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der ?? data);
  } catch {
    throw new TlswitnessError(
      'not-certificates',
      `--client-cert ${certPath}: holds no readable certificate (expected PEM "-----BEGIN CERTIFICATE-----", or PKCS#12 with --password)`,
    );
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    throw new TlswitnessError(
      'not-certificates',
      `${args['client-key'] ? `--client-key ${args['client-key']}` : `--client-cert ${certPath}`}: holds no readable private key (expected PEM "-----BEGIN PRIVATE KEY-----", unencrypted)`,
    );
  }
  if (!cert.checkPrivateKey(keyObject))
    throw new TlswitnessError(
      'bad-usage',
      `--client-key does not belong to the certificate in --client-cert ${certPath}: pass the key that was made with it`,
    );
  let subject = certPath;
  try {
    if (der) subject = new ParsedCertificate(der).subject;
  } catch {
    // keep the file name: Node reads it, and the handshake is what counts
  }
  return { cert: data, key, subject };
}
