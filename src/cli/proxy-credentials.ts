// Where `tlswitness proxy` takes its Basic credentials from: --auth (seen by anyone running ps),
// --auth-file FILE (its first line), or $TLSWITNESS_PROXY_AUTH. Conflicting sources are refused.
import { readFile, stat } from 'node:fs/promises';
import { PROXY_AUTH_ENV } from '../child-env.js';
import { quotePosix } from '../shell-quote.js';
import { TlswitnessError } from '../errors.js';
import { parseProxyAuth, type ProxyAuth } from '../proxy/proxy-auth.js';

export const AUTH_ENV = PROXY_AUTH_ENV;

export interface CredentialSources {
  auth?: string;
  'auth-file'?: string;
}

/** The credentials and their source's name, or null when none is given; `warn` gets one-line warnings. */
export async function proxyCredentials(
  args: CredentialSources,
  env: NodeJS.ProcessEnv,
  warn: (text: string) => void,
  platform: NodeJS.Platform = process.platform,
): Promise<ProxyAuth | null> {
  if (args.auth !== undefined && args['auth-file'] !== undefined)
    throw new TlswitnessError('bad-usage', '--auth and --auth-file both name the credentials: give one');
  if (args.auth !== undefined) {
    warn(
      `--auth is visible to every user of this machine (ps, /proc): put the credentials in ${AUTH_ENV} or a file for --auth-file instead`,
    );
    return parseProxyAuth(args.auth, '--auth');
  }
  const file = args['auth-file'];
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new TlswitnessError(
        'unreadable-file',
        `--auth-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    // Windows has no such mode bits: the file's ACL decides, and Node reports 0666 whatever it says.
    const mode = (await stat(file)).mode & 0o777;
    if (platform !== 'win32' && mode & 0o044)
      warn(`--auth-file ${file} is readable by other users (mode 0${mode.toString(8)}): chmod 600 ${quotePosix(file)}`);
    return parseProxyAuth(text.split('\n')[0]!.replace(/\r$/, ''), `--auth-file ${file} (first line)`);
  }
  const fromEnv = env[AUTH_ENV];
  return fromEnv ? parseProxyAuth(fromEnv, AUTH_ENV) : null;
}
