// Reads a certificate file the user names (PEM, DER or PKCS#12) into certificates, with one-line errors
// that say what to do: the wrong password, a damaged file, a format that is not a certificate.
import { readFile } from 'node:fs/promises';
import { fileProblem, TlswitnessError } from '../errors.js';
import { ParsedCertificate } from '../trust/certificate.js';
import { javaKeystoreKind, keytoolToPkcs12 } from '../trust/java-keystore.js';
import { pemCertificates } from '../trust/pem.js';
import { looksLikePkcs12, Pkcs12Error, readPkcs12, type Pkcs12Contents } from '../trust/pkcs12.js';

export interface CertificateFile {
  format: 'pem' | 'der' | 'p12';
  certs: ParsedCertificate[];
  /** For PKCS#12: how it is protected and how many keys it holds (never the keys themselves). */
  pkcs12?: { mac: string | null; schemes: string[]; keys: number };
}

/** Opens PKCS#12 bytes, turning its failures into the user's words. `label` names the file in messages. */
export function openPkcs12(
  data: Buffer,
  password: string | undefined,
  label: string,
  options: { keys?: boolean } = {},
): Pkcs12Contents {
  try {
    return readPkcs12(data, password ?? '', options);
  } catch (error) {
    if (!(error instanceof Pkcs12Error)) throw error;
    if (error.reason === 'wrong-password') {
      throw new TlswitnessError(
        'not-certificates',
        password === undefined
          ? `${label}: this PKCS#12 file is protected by a password: pass --password`
          : `${label}: wrong password for this PKCS#12 file (${error.message})`,
      );
    }
    if (error.reason === 'unsupported')
      throw new TlswitnessError('not-certificates', `${label}: PKCS#12 file not supported: ${error.message}`);
    throw new TlswitnessError(
      'not-certificates',
      `${label}: damaged PKCS#12 file, truncated or corrupt (${error.message})`,
    );
  }
}

function parse(ders: Buffer[], label: string, format: 'pem' | 'p12'): ParsedCertificate[] {
  return ders.map((der, i) => {
    try {
      return new ParsedCertificate(der);
    } catch {
      // Node's own reason is OpenSSL's last try (reading it as PEM: "no start line"), which misleads here.
      const which =
        format === 'pem'
          ? `its CERTIFICATE block ${i + 1} of ${ders.length}`
          : `certificate ${i + 1} of ${ders.length} in it`;
      throw new TlswitnessError(
        'not-certificates',
        `${label}: ${which} is not a readable X.509 certificate (a key or request under the wrong header, or a damaged copy); check that the file is not truncated or edited`,
      );
    }
  });
}

export async function readCertificates(file: string, password: string | undefined): Promise<CertificateFile> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new TlswitnessError('unreadable-file', `${file}: ${fileProblem(error)}`);
  }
  const pems = pemCertificates(data.toString('latin1'));
  if (pems.length) return { format: 'pem', certs: parse(pems, file, 'pem') };
  const java = javaKeystoreKind(data);
  if (java) {
    // Java's own formats are not read here: PKCS#12 is what keytool has written by default since Java 9.
    const { command, output } = keytoolToPkcs12(file, java, process.platform === 'win32' ? 'powershell' : 'posix');
    throw new TlswitnessError(
      'not-certificates',
      `${file}: a Java ${java} keystore, which tlswitness does not read; convert it to PKCS#12 with: ${command} (it asks for the keystore's password), then pass ${output} with --password`,
    );
  }
  if (looksLikePkcs12(data)) {
    const p12 = openPkcs12(data, password, file);
    return {
      format: 'p12',
      certs: parse(p12.certificates, file, 'p12'),
      pkcs12: { mac: p12.mac, schemes: [...new Set(p12.schemes)], keys: p12.keyBags },
    };
  }
  if (data[0] === 0x30) {
    try {
      return { format: 'der', certs: [new ParsedCertificate(data)] };
    } catch {
      throw new TlswitnessError(
        'not-certificates',
        `${file}: not a certificate file: DER that is neither a certificate nor a PKCS#12 (truncated, or another kind of object)`,
      );
    }
  }
  throw new TlswitnessError(
    'not-certificates',
    `${file}: not a certificate file (expected PEM "-----BEGIN CERTIFICATE-----", DER or PKCS#12)`,
  );
}
