// PKCS#12 files as real tools write them, made at test time: the openssl CLI in its default (OpenSSL 3:
// PBES2/AES-256, HMAC-SHA256 MAC), -legacy (RC2-40 + 3DES, SHA-1 MAC) and Windows-style (3DES, SHA-1 MAC)
// modes, and Java's keytool when it is installed.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type OpensslMode = 'default' | 'legacy' | 'windows' | 'nomac' | 'aes128-sha512';

const MODE_ARGS: Record<OpensslMode, string[]> = {
  default: [],
  legacy: ['-legacy'],
  // What Windows' certificate export writes: SHA-1 MAC, pbeWithSHA1And3-KeyTripleDES-CBC for both parts.
  windows: ['-legacy', '-macalg', 'sha1', '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES'],
  nomac: ['-nomac'],
  'aes128-sha512': ['-certpbe', 'AES-128-CBC', '-keypbe', 'AES-128-CBC', '-macalg', 'sha512'],
};

/** `openssl pkcs12 -export` of a key and its certificates (leaf first); returns the file's path. */
export function opensslPkcs12(
  dir: string,
  name: string,
  certsPem: string[],
  keyPem: string,
  password: string,
  mode: OpensslMode,
): string {
  const certFile = join(dir, `${name}-certs.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  writeFileSync(certFile, certsPem.join(''));
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  const out = join(dir, `${name}.p12`);
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    ...MODE_ARGS[mode],
    '-in',
    certFile,
    '-inkey',
    keyFile,
    '-passout',
    `pass:${password}`,
    '-out',
    out,
  ]);
  return out;
}

export function hasKeytool(): boolean {
  try {
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `keytool -genkeypair -storetype PKCS12` (an EC key and its self-signed certificate). */
export function keytoolPkcs12(dir: string, name: string, password: string, cn: string): string {
  const out = join(dir, `${name}.p12`);
  execFileSync(
    'keytool',
    [
      '-genkeypair',
      '-storetype',
      'PKCS12',
      '-keystore',
      out,
      '-storepass',
      password,
      '-alias',
      name,
      '-keyalg',
      'EC',
      '-dname',
      `CN=${cn}`,
      '-validity',
      '30',
    ],
    { stdio: 'ignore' },
  );
  return out;
}

/** `keytool -list` of a PKCS#12: each entry as "alias, type" (the date and fingerprint lines dropped). */
export function keytoolEntries(file: string, password: string): string[] {
  const out = execFileSync('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', file, '-storepass', password], {
    encoding: 'utf8',
  });
  return out.split('\n').flatMap((line) => {
    const m = /^(.+?), [^,]+, [^,]+, (\w+Entry),/.exec(line);
    return m ? [`${m[1]}, ${m[2]}`] : [];
  });
}
