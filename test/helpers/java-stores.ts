// Java truststores as keytool writes them (JKS, JCEKS, PKCS#12), made at test time in a temp folder.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** keytool, or why the tests that need it are skipped (decided when the test file loads). */
export const KEYTOOL_MISSING: string | null = (() => {
  try {
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'keytool is not installed (Debian: default-jdk-headless)';
  }
})();

export function keytool(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('keytool', args, { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`keytool ${args.join(' ')}: ${stderr || stdout}`)) : resolve(stdout),
    );
    // A question keytool asks (a key password, "trust this certificate?") ends at once instead of waiting.
    child.stdin?.end();
  });
}

/** A truststore of `type` holding each PEM file as a trusted-certificate entry; returns its path. */
export async function keytoolTruststore(
  dir: string,
  name: string,
  type: 'JKS' | 'JCEKS' | 'PKCS12',
  entries: Array<{ alias: string; file: string }>,
  password = 'changeit',
): Promise<string> {
  const store = join(dir, `${name}.${type.toLowerCase()}`);
  // One keytool at a time per store: each run rewrites the whole file.
  for (const entry of entries)
    await keytool([
      '-importcert',
      '-noprompt',
      '-storetype',
      type,
      '-keystore',
      store,
      '-storepass',
      password,
      '-alias',
      entry.alias,
      '-file',
      entry.file,
    ]);
  return store;
}
